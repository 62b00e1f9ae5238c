// The Janus HTTP API (janus.conf.meetecho.com/docs/rest.html): POST /janus creates a session,
// POST /janus/<session> attaches a plugin handle, POST /janus/<session>/<handle> sends a plugin
// message; synchronous plugin requests (create, edit, exists, list, listparticipants, kick, mute,
// moderate, destroy) answer in the same HTTP response, asynchronous ones (join, configure) answer
// "ack" and deliver their event on the session's long poll (GET /janus/<session>). Sessions expire
// after the server's session_timeout (60 s by default) without a request or keepalive.
import { randomBytes } from 'node:crypto';
import { httpCall } from '../http.ts';
import { permanent, retryable, type ProviderError } from '../port.ts';

export const SERVICE = 'Janus';
export type Plugin = 'janus.plugin.videoroom' | 'janus.plugin.audiobridge';
export type PluginData = Record<string, unknown> & { error_code?: number; error?: string };

type Envelope = {
  janus: string;
  data?: { id?: number };
  error?: { code: number; reason: string };
  plugindata?: { plugin: string; data: PluginData };
  transaction?: string;
  sender?: number;
};

// Plugin error codes (janus_videoroom.c / janus_audiobridge.c, "Error codes"): which mean "no such
// room", which mean the portal's credentials are wrong.
const NO_SUCH_ROOM = new Set([426, 485]);
const ROOM_EXISTS = new Set([427, 486]);
const UNAUTHORIZED = new Set([433, 489]);
const MISSING_ELEMENT = new Set([429, 483]);
const NO_SUCH_PARTICIPANT = new Set([428, 492]);

export class JanusApi {
  private readonly url: string;
  private readonly timeoutMs: number;
  constructor(url: string, timeoutMs: number) {
    this.url = url.replace(/\/+$/, '');
    this.timeoutMs = timeoutMs;
  }

  private async post(path: string, body: Record<string, unknown>): Promise<Envelope> {
    const transaction = randomBytes(9).toString('base64url');
    const res = await httpCall(SERVICE, this.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, transaction }),
      timeoutMs: this.timeoutMs,
    });
    return parse(res.text);
  }

  async createSession(): Promise<number> {
    return idOf(await this.post('', { janus: 'create' }), 'create');
  }

  async attach(session: number, plugin: Plugin): Promise<number> {
    return idOf(await this.post(`/${session}`, { janus: 'attach', plugin }), 'attach');
  }

  async keepalive(session: number): Promise<void> {
    coreError(await this.post(`/${session}`, { janus: 'keepalive' }), 'keepalive');
  }

  async destroySession(session: number): Promise<void> {
    coreError(await this.post(`/${session}`, { janus: 'destroy' }), 'destroy');
  }

  /** A synchronous plugin request: its answer, or a ProviderError for the plugin's error. */
  async request(session: number, handle: number, body: Record<string, unknown>): Promise<PluginData> {
    const env = await this.post(`/${session}/${handle}`, { janus: 'message', body });
    coreError(env, String(body.request));
    const data = env.plugindata?.data;
    if (!data) throw retryable('PROVIDER_BAD_ANSWER', `${SERVICE} answered ${String(body.request)} without plugin data.`);
    if (data.error_code) throw pluginError(String(body.request), data);
    return data;
  }

  /** An asynchronous plugin request: sends it, then reads the session's events until its own arrives. */
  async requestAsync(session: number, handle: number, body: Record<string, unknown>): Promise<PluginData> {
    const transaction = randomBytes(9).toString('base64url');
    const res = await httpCall(SERVICE, `${this.url}/${session}/${handle}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ janus: 'message', body, transaction }),
      timeoutMs: this.timeoutMs,
    });
    const ack = parse(res.text);
    coreError(ack, String(body.request));
    const deadline = Date.now() + this.timeoutMs;
    while (Date.now() < deadline) {
      // rest.html "Long poll": maxev returns up to that many events as an array.
      const poll = await httpCall(SERVICE, `${this.url}/${session}?maxev=10&rid=${Date.now()}`, { method: 'GET', timeoutMs: Math.max(1000, deadline - Date.now()) });
      const events = JSON.parse(poll.text) as Envelope | Envelope[];
      for (const ev of Array.isArray(events) ? events : [events]) {
        if (ev.transaction !== transaction) continue;
        coreError(ev, String(body.request));
        const data = ev.plugindata?.data;
        if (!data) continue;
        if (data.error_code) throw pluginError(String(body.request), data);
        return data;
      }
    }
    throw retryable('PROVIDER_TIMEOUT', `${SERVICE} did not answer ${String(body.request)} within ${this.timeoutMs} ms; it will be tried again.`);
  }
}

function parse(text: string): Envelope {
  try {
    return JSON.parse(text) as Envelope;
  } catch {
    throw retryable('PROVIDER_BAD_ANSWER', `${SERVICE} answered something that is not JSON.`);
  }
}

function idOf(env: Envelope, what: string): number {
  coreError(env, what);
  const id = env.data?.id;
  if (typeof id !== 'number') throw retryable('PROVIDER_BAD_ANSWER', `${SERVICE} answered ${what} without an id.`);
  return id;
}

/** rest.html "error codes" of the core: 403 unauthorized (api secret / token), 458 no such session. */
function coreError(env: Envelope, what: string): void {
  if (env.janus !== 'error') return;
  const code = env.error?.code ?? 0;
  const reason = env.error?.reason ?? 'no reason given';
  if (code === 403 || code === 405) throw permanent('PROVIDER_AUTH', `${SERVICE} refused ${what} (${reason}); check the configured Janus API secret.`);
  if (code === 458 || code === 459) throw new JanusSessionGone(`${SERVICE} no longer knows the session (${reason}).`);
  throw retryable('PROVIDER_REFUSED', `${SERVICE} answered ${what} with error ${code}: ${reason}.`);
}

function pluginError(what: string, data: PluginData): ProviderError {
  const code = data.error_code ?? 0;
  const said = data.error ? `: ${data.error}` : '';
  if (NO_SUCH_ROOM.has(code)) return permanent('MEETING_NOT_FOUND', `${SERVICE} has no such room${said}.`);
  if (ROOM_EXISTS.has(code)) return permanent('ROOM_EXISTS', `${SERVICE} already has this room${said}.`);
  if (UNAUTHORIZED.has(code) || (MISSING_ELEMENT.has(code) && /admin_key|secret/.test(data.error ?? ''))) {
    return permanent('PROVIDER_AUTH', `${SERVICE} refused ${what}${said}. Check JANUS_ADMIN_KEY against the plugins' admin_key, and JANUS_SECRET.`);
  }
  if (NO_SUCH_PARTICIPANT.has(code)) return permanent('PARTICIPANT_NOT_FOUND', `${SERVICE} has no such participant${said}.`);
  return permanent('PROVIDER_REFUSED', `${SERVICE} refused ${what} (error ${code})${said}.`);
}

/** The session expired or the server restarted: a fresh session is the remedy. */
export class JanusSessionGone extends Error {
  readonly code = 'JANUS_SESSION_GONE';
  readonly retryable = true;
}
