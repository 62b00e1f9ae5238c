// ARI REST calls (Asterisk REST Interface, api-docs/*.json). Parameters go in the query string as the
// swagger declares them (`paramType: query`); originate's channel variables go in a JSON body
// (`variables`, channels.json "originate"). Any portal instance may call these: the REST side has
// no session, only the events socket belongs to one holder.
import type { AriApplication, AriBridge, AriChannel, AriPlayback } from './types.ts';

export type AriAccess = { url: string; username: string; password: string; app: string };

/** An ARI answer that was not 2xx (status 0: Asterisk not reachable). Bodies are {"message"} (or {"error"}). */
export class AriError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'AriError';
    this.status = status;
  }
}

export const isGone = (e: unknown) => e instanceof AriError && (e.status === 404 || e.status === 409 || e.status === 422);

type Query = Record<string, string | number | boolean | undefined>;

export class AriRest {
  readonly access: AriAccess;
  private readonly auth: string;
  private readonly timeoutMs: number;

  constructor(access: AriAccess, timeoutMs = 10_000) {
    this.access = access;
    this.auth = `Basic ${Buffer.from(`${access.username}:${access.password}`).toString('base64')}`;
    this.timeoutMs = timeoutMs;
  }

  async request<T>(method: string, path: string, query: Query = {}, body?: unknown): Promise<T> {
    const url = new URL(this.access.url + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: { authorization: this.auth, ...(body !== undefined && { 'content-type': 'application/json' }) },
        body: body === undefined ? null : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      throw new AriError(0, `Asterisk (ARI) is not reachable at ${this.access.url}: ${(e as Error).message}`);
    }
    const text = await res.text();
    const json: unknown = text ? safeJson(text) : null;
    if (!res.ok) {
      const m = json as { message?: string; error?: string } | null;
      throw new AriError(res.status, `ARI ${method} ${path}: ${res.status} ${m?.message ?? m?.error ?? res.statusText}`);
    }
    return json as T;
  }

  answer(channelId: string) {
    return this.request<null>('POST', `/channels/${enc(channelId)}/answer`);
  }
  /** Plays media (`sound:...`) in order; the id lets PlaybackStarted/Finished be matched. */
  play(target: { channel: string } | { bridge: string }, media: string[], playbackId: string) {
    const path = 'channel' in target ? `/channels/${enc(target.channel)}/play` : `/bridges/${enc(target.bridge)}/play`;
    return this.request<AriPlayback>('POST', path, { media: media.join(','), playbackId });
  }
  stopPlayback(playbackId: string) {
    return this.request<null>('DELETE', `/playbacks/${enc(playbackId)}`);
  }
  /**
   * A conference bridge. `type` is a list applied in order (bridges.json "Create a new bridge";
   * res/stasis/stasis.c): `mixing` alone lets a bridge of exactly two channels go `native_rtp`, where
   * the phones' RFC 4733 digits flow between them and never reach the application (no `*6`;
   * issue #11). `dtmf_events` after `mixing` forbids native bridging, so DTMF events keep flowing.
   */
  createBridge(bridgeId: string, name: string) {
    return this.request<AriBridge>('POST', '/bridges', { type: 'mixing,dtmf_events', bridgeId, name });
  }
  destroyBridge(bridgeId: string) {
    return this.request<null>('DELETE', `/bridges/${enc(bridgeId)}`);
  }
  addChannel(bridgeId: string, channelId: string) {
    return this.request<null>('POST', `/bridges/${enc(bridgeId)}/addChannel`, { channel: channelId });
  }
  /** `direction=in`: what the caller says is not heard (channels.json "mute"). */
  mute(channelId: string, muted: boolean) {
    return this.request<null>(muted ? 'POST' : 'DELETE', `/channels/${enc(channelId)}/mute`, { direction: 'in' });
  }
  hangup(channelId: string, reason: 'normal' | 'busy' | 'congestion' = 'normal') {
    return this.request<null>('DELETE', `/channels/${enc(channelId)}`, { reason });
  }
  originate(o: { endpoint: string; channelId: string; appArgs: string[]; callerId?: string | undefined; timeoutSeconds: number; variables?: Record<string, string> | undefined }) {
    return this.request<AriChannel>(
      'POST',
      '/channels',
      { endpoint: o.endpoint, app: this.access.app, appArgs: o.appArgs.join(','), channelId: o.channelId, callerId: o.callerId, timeout: o.timeoutSeconds },
      { variables: o.variables ?? {} },
    );
  }
  externalMedia(o: { channelId: string; host: string; format: string }) {
    return this.request<AriChannel>('POST', '/channels/externalMedia', { channelId: o.channelId, app: this.access.app, external_host: o.host, format: o.format });
  }
  channels() {
    return this.request<AriChannel[]>('GET', '/channels');
  }
  bridges() {
    return this.request<AriBridge[]>('GET', '/bridges');
  }
  application() {
    return this.request<AriApplication>('GET', `/applications/${enc(this.access.app)}`);
  }
}

const enc = encodeURIComponent;

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.slice(0, 200) };
  }
}
