// ARI REST resources of the double: paths and parameters of api-docs/*.json, answers (status,
// status text, body) as recorded in c-errors and the other scenarios, or, where nothing was recorded,
// as Asterisk 22's res/ari/resource_*.c write them.
import { randomUUID } from 'node:crypto';
import type { Asterisk } from './asterisk.ts';
import { bridgeAttributes, bridgeJson, channelJson, HANGUP_REASONS, type Bridge, type Channel } from './state.ts';

export type Reply = { status: number; text?: string; body?: unknown; headers?: Record<string, string>; after?: () => void };
export type RestRequest = { method: string; segments: string[]; query: Record<string, string>; body: unknown };

export const ASTERISK_VERSION = 'GIT-22-69535d4';

const fail = (status: number, message: string, text?: string): Reply => ({ status, ...(text && { text }), body: { message } });
const ok = (body: unknown): Reply => ({ status: 200, body });
const NO_CONTENT: Reply = { status: 204 };
const NOT_FOUND = fail(404, 'Resource not found');
const BAD_METHOD = fail(405, 'Invalid method');
/** Real ARI resources (api-docs) this double does not model: a clear answer rather than a fake one. */
const NOT_MODELLED = fail(501, 'Not modelled by the ARI test double');
const ALLOCATION_FAILED: Reply = { status: 500, body: { error: 'Allocation failed' } }; // ast_ari_response_alloc_failed (c-errors)

const CHANNEL_SUBRESOURCES = new Set(['continue', 'move', 'redirect', 'ring', 'progress', 'dtmf', 'hold', 'moh', 'silence', 'record', 'variable', 'variables', 'snoop', 'dial', 'rtp_statistics', 'transfer_progress']);
const BRIDGE_SUBRESOURCES = new Set(['variable', 'variables', 'videoSource', 'moh', 'record']);
const OTHER_RESOURCES = new Set(['endpoints', 'deviceStates', 'mailboxes', 'recordings', 'sounds', 'events']);

export async function route(ast: Asterisk, r: RestRequest): Promise<Reply> {
  const [resource, ...rest] = r.segments;
  switch (resource) {
    case 'channels':
      return channels(ast, r, rest);
    case 'bridges':
      return bridges(ast, r, rest);
    case 'playbacks':
      return playbacks(ast, r, rest);
    case 'applications':
      return applications(ast, r, rest);
    case 'asterisk':
      return asterisk(ast, r, rest);
    default:
      return resource !== undefined && OTHER_RESOURCES.has(resource) ? NOT_MODELLED : NOT_FOUND;
  }
}

/** Parameters from the query string; a JSON body's keys other than `variables` count as query
 *  parameters too (api-docs channels.json "variables"; resource_channels.c *_parse_body). */
function params(r: RestRequest): Record<string, string> {
  const merged = { ...r.query };
  if (r.body && typeof r.body === 'object' && !Array.isArray(r.body)) {
    for (const [k, v] of Object.entries(r.body)) if (k !== 'variables' && v !== null && typeof v !== 'object') merged[k] = String(v);
  }
  return merged;
}

/** `{"variables": {"K": "v"}}`; a value may also be `{"value": "v", "report_events": true}` (channels.json). */
function variables(body: unknown): Record<string, string> | Reply {
  const raw = body && typeof body === 'object' ? (body as { variables?: unknown }).variables : undefined;
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) return fail(400, "Only string values in the 'variables' object allowed");
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v === 'string') out[k] = v;
    else if (v && typeof v === 'object' && typeof (v as { value?: unknown }).value === 'string') out[k] = (v as { value: string }).value;
    else return fail(400, "Only string values in the 'variables' object allowed");
  }
  return out;
}

const list = (v: string | undefined) => (v ?? '').split(',').filter((s) => s !== '');
const isReply = (x: unknown): x is Reply => typeof x === 'object' && x !== null && 'status' in x && typeof (x as Reply).status === 'number';

/** find_control: 404 unknown channel, 409 channel not in Stasis (c-errors). */
function control(ast: Asterisk, id: string): Channel | Reply {
  const ch = ast.channels.get(id);
  if (!ch) return fail(404, 'Channel not found');
  if (!ch.inStasis) return fail(409, 'Channel not in Stasis application');
  return ch;
}

/** channel_state_invalid: Down/Ringing channels cannot be answered, played to or muted (channels.json 412). */
function controlUp(ast: Asterisk, id: string): Channel | Reply {
  const ch = control(ast, id);
  if (isReply(ch)) return ch;
  return ch.state === 'Down' || ch.state === 'Ringing' ? fail(412, 'Channel in invalid state') : ch;
}

async function channels(ast: Asterisk, r: RestRequest, path: string[]): Promise<Reply> {
  const [id, sub, subId] = path;
  const m = r.method;
  if (id === undefined) {
    if (m === 'GET') return ok([...ast.channels.values()].reverse().map((c) => channelJson(c)));
    return m === 'POST' ? originate(ast, r, undefined) : BAD_METHOD;
  }
  if (path.length === 1 && id === 'externalMedia') return m === 'POST' ? await externalMedia(ast, r) : BAD_METHOD;
  if (path.length === 1 && id === 'create') return NOT_MODELLED;
  if (sub === undefined) {
    if (m === 'GET') {
      const ch = ast.channels.get(id);
      return ch ? ok(channelJson(ch)) : fail(404, 'Channel not found');
    }
    if (m === 'POST') return originate(ast, r, id);
    return m === 'DELETE' ? hangup(ast, r, id) : BAD_METHOD;
  }
  if (sub === 'answer' && path.length === 2) {
    if (m !== 'POST') return BAD_METHOD;
    const ch = controlUp(ast, id);
    if (isReply(ch)) return ch;
    return (await ast.answer(ch)) ? NO_CONTENT : fail(500, 'Failed to answer channel');
  }
  if (sub === 'play' && path.length <= 3) return m === 'POST' ? playOnChannel(ast, r, id, subId) : BAD_METHOD;
  if (sub === 'mute' && path.length === 2) {
    if (m !== 'POST' && m !== 'DELETE') return BAD_METHOD;
    const ch = controlUp(ast, id);
    if (isReply(ch)) return ch;
    const direction = r.query.direction ?? 'both'; // channels.json defaultValue
    if (direction === '') return fail(400, 'Direction is required');
    if (direction !== 'in' && direction !== 'out' && direction !== 'both') return fail(400, 'Invalid direction specified');
    ast.mute(ch, direction, m === 'POST');
    return NO_CONTENT;
  }
  return path.length === 2 && CHANNEL_SUBRESOURCES.has(sub) ? NOT_MODELLED : NOT_FOUND;
}

function originate(ast: Asterisk, r: RestRequest, pathId: string | undefined): Reply {
  const vars = variables(r.body);
  if (isReply(vars)) return vars;
  const p = params(r);
  if (!p.endpoint) return fail(400, 'Endpoint must be specified');
  const [tech, resource] = p.endpoint.split('/');
  if (!tech || !resource) return fail(400, 'Invalid endpoint specified');
  if (!p.app) return p.extension ? NOT_MODELLED : fail(400, 'Application or extension must be specified');
  const timeout = p.timeout === undefined || p.timeout === '' ? 30 : Number.parseInt(p.timeout, 10);
  const channelId = pathId ?? p.channelId;
  const result = ast.originate({
    endpoint: p.endpoint,
    app: p.app,
    appArgs: list(p.appArgs), // "dialout,conf-4711" → ["dialout","conf-4711"] (d-originate)
    ...(channelId && { channelId }),
    ...(p.callerId && { callerId: p.callerId }),
    timeoutSec: Number.isNaN(timeout) ? 30 : timeout,
    variables: vars,
  });
  if (result === 'allocation-failed') return ALLOCATION_FAILED;
  if (result === 'duplicate') return fail(409, 'Channel with given unique ID already exists');
  return ok(channelJson(result));
}

/** resource_channels.c ast_ari_channels_external_media: checks in this order, rtp/udp only here. */
async function externalMedia(ast: Asterisk, r: RestRequest): Promise<Reply> {
  const vars = variables(r.body);
  if (isReply(vars)) return vars;
  const p = params(r);
  if (!p.app) return fail(400, 'app cannot be empty');
  if (!p.external_host) return fail(400, 'external_host cannot be empty');
  if (!/^[^:]+:\d+$/.test(p.external_host) && !/^\[[^\]]+\]:\d+$/.test(p.external_host)) return fail(400, 'external_host must be <host>:<port>');
  if (!p.format) return fail(400, 'format cannot be empty');
  if ((p.encapsulation ?? 'rtp') !== 'rtp' || (p.transport ?? 'udp') !== 'udp') return NOT_MODELLED;
  if ((p.connection_type ?? 'client') !== 'client' || (p.direction ?? 'both') !== 'both') return NOT_MODELLED;
  const result = await ast.externalMedia({ ...(p.channelId && { channelId: p.channelId }), app: p.app, host: p.external_host, format: p.format, ...(p.data && { data: p.data }), variables: vars });
  if (result === 'duplicate') return fail(409, 'Channel with given unique ID already exists');
  return ok(channelJson(result, true));
}

/** DELETE /channels/{id} (resource_channels.c ast_ari_channels_hangup; c-errors for bad reasons). */
function hangup(ast: Asterisk, r: RestRequest, id: string): Reply {
  const ch = ast.channels.get(id);
  if (!ch) return fail(404, 'Channel not found');
  const { reason, reason_code: code } = r.query;
  if (reason && code) return fail(400, "The reason and reason_code can't both be specified");
  let cause = 16;
  if (code) {
    if (!/^-?\d+/.test(code)) return fail(400, 'Invalid reason for hangup reason code provided', 'Invalid Reason Code');
    cause = Number.parseInt(code, 10);
  } else if (reason) {
    const c = HANGUP_REASONS[reason];
    if (c === undefined) return fail(400, 'Invalid reason for hangup reason provided', 'Invalid Reason');
    cause = c;
  }
  ast.appHangup(ch, cause);
  return NO_CONTENT;
}

function playOnChannel(ast: Asterisk, r: RestRequest, id: string, pathPlaybackId: string | undefined): Reply {
  const ch = controlUp(ast, id);
  if (isReply(ch)) return ch;
  const bad = badSkip(r);
  if (bad) return bad;
  const media = list(r.query.media);
  if (media.length === 0) return fail(500, 'Failed to queue media for playback'); // c-errors: play without media
  const pb = ast.playOnChannel(ch, media, r.query.lang, pathPlaybackId ?? r.query.playbackId);
  return { status: 201, body: pb.json(), headers: { location: `/playbacks/${pb.id}` } };
}

function badSkip(r: RestRequest): Reply | null {
  if (Number(r.query.skipms ?? 0) < 0) return fail(400, 'skipms cannot be negative');
  if (Number(r.query.offsetms ?? 0) < 0) return fail(400, 'offsetms cannot be negative');
  return null;
}

/** find_bridge: note the lower-case "Not found" status text (c-errors DELETE/addChannel). */
function findBridge(ast: Asterisk, id: string): Bridge | Reply {
  return ast.bridges.get(id) ?? fail(404, 'Bridge not found', 'Not found');
}

/** control_list_create + find_channel_control of resource_bridges.c: 400 missing / unknown, 422 not in Stasis. */
function bridgeControls(ast: Asterisk, r: RestRequest): Channel[] | Reply {
  const ids = list(r.query.channel);
  if (ids.length === 0) return fail(400, 'Missing parameter channel');
  const out: Channel[] = [];
  for (const id of ids) {
    const ch = ast.channels.get(id);
    if (!ch) return fail(400, 'Channel not found');
    if (!ch.inStasis) return fail(422, 'Channel not in Stasis application');
    out.push(ch);
  }
  return out;
}

async function bridges(ast: Asterisk, r: RestRequest, path: string[]): Promise<Reply> {
  const [id, sub, subId] = path;
  const m = r.method;
  if (id === undefined) {
    // Asterisk lists its hash container; sorted by id here (c-errors happens to show that order).
    if (m === 'GET') return ok([...ast.bridges.values()].sort((a, b) => (a.id < b.id ? -1 : 1)).map(bridgeJson));
    return m === 'POST' ? createBridge(ast, r, r.query.bridgeId) : BAD_METHOD;
  }
  if (sub === undefined) {
    if (m === 'POST') return createBridge(ast, r, id);
    const b = ast.bridges.get(id);
    if (m === 'GET') return b ? ok(bridgeJson(b)) : fail(404, 'Bridge not found');
    if (m !== 'DELETE') return BAD_METHOD;
    if (!b) return fail(404, 'Bridge not found', 'Not found');
    ast.destroyBridge(b);
    return NO_CONTENT;
  }
  if ((sub === 'addChannel' || sub === 'removeChannel') && path.length === 2) {
    if (m !== 'POST') return BAD_METHOD;
    const b = findBridge(ast, id);
    if (isReply(b)) return b;
    const chans = bridgeControls(ast, r);
    if (isReply(chans)) return chans;
    if (sub === 'removeChannel') {
      if (chans.some((c) => c.bridgeId !== b.id)) return fail(422, 'Channel not in this bridge');
      for (const c of chans) await ast.removeFromBridge(c, b);
      return NO_CONTENT;
    }
    const flag = (k: string) => /^(true|yes|1)$/i.test(r.query[k] ?? '');
    for (const c of chans) await ast.addToBridge(c, b, { mute: flag('mute'), inhibitConnectedLine: flag('inhibitConnectedLineUpdates') });
    return NO_CONTENT;
  }
  if (sub === 'play' && path.length <= 3) {
    if (m !== 'POST') return BAD_METHOD;
    const b = findBridge(ast, id);
    if (isReply(b)) return b;
    const bad = badSkip(r);
    if (bad) return bad;
    const media = list(r.query.media);
    if (media.length === 0) return ALLOCATION_FAILED; // stasis_app_control_play_uri refuses an empty list
    const pb = ast.playOnBridge(b, media, r.query.lang, subId ?? r.query.playbackId);
    return { status: 201, body: pb.json(), headers: { location: `/playbacks/${pb.id}` } };
  }
  return path.length === 2 && BRIDGE_SUBRESOURCES.has(sub) ? NOT_MODELLED : NOT_FOUND;
}

/** POST /bridges and /bridges/{id}: an existing id is 409 in both forms (c-errors); a `type` that
 *  makes no bridge 500 (state.ts bridgeAttributes). */
function createBridge(ast: Asterisk, r: RestRequest, id: string | undefined): Reply {
  if (id && ast.bridges.has(id)) return fail(409, `Bridge with id '${id}' already exists`);
  const attributes = bridgeAttributes(r.query.type);
  if (!attributes) return fail(500, `Unable to create bridge. Possible duplicate bridge id '${id ?? ''}'`, 'Internal Error');
  const b = ast.createBridge(id || randomUUID(), attributes, r.query.name ?? '');
  return ok(bridgeJson(b));
}

function playbacks(ast: Asterisk, r: RestRequest, path: string[]): Reply {
  const [id, sub] = path;
  if (id === undefined || path.length > 2 || (sub !== undefined && sub !== 'control')) return NOT_FOUND;
  const pb = ast.player.find(id);
  if (!pb) return fail(404, 'Playback not found');
  if (sub === 'control') return r.method === 'POST' ? NOT_MODELLED : BAD_METHOD;
  if (r.method === 'GET') return ok(pb.json());
  if (r.method !== 'DELETE') return BAD_METHOD;
  return { ...NO_CONTENT, after: () => ast.player.stop(pb) }; // 204 first, then PlaybackFinished (a, c-errors)
}

function applications(ast: Asterisk, r: RestRequest, path: string[]): Reply {
  const [name, sub] = path;
  if (sub !== undefined) return path.length === 2 && (sub === 'subscription' || sub === 'eventFilter') ? NOT_MODELLED : NOT_FOUND;
  if (r.method !== 'GET') return BAD_METHOD;
  const registered = ast.events.registered;
  if (name === undefined) return ok(registered ? [ast.applicationJson()] : []);
  return registered && name === ast.opts.app ? ok(ast.applicationJson()) : fail(404, 'Application not found');
}

function asterisk(ast: Asterisk, r: RestRequest, path: string[]): Reply {
  const [what] = path;
  if (path.length !== 1) return what === 'config' || what === 'modules' || what === 'logging' ? NOT_MODELLED : NOT_FOUND;
  if (what === 'ping') return r.method === 'GET' ? ok({ asterisk_id: ast.opts.asteriskId, ping: 'pong', timestamp: new Date().toISOString().slice(0, 23) }) : BAD_METHOD;
  if (what === 'variable' || what === 'modules' || what === 'logging') return NOT_MODELLED;
  if (what !== 'info') return NOT_FOUND;
  if (r.method !== 'GET') return BAD_METHOD;
  // asterisk.json "AsteriskInfo", minimal; `only` picks sections.
  const info: Record<string, unknown> = {
    build: { os: 'Linux', kernel: '', machine: 'x86_64', options: '', date: '', user: '' },
    system: { version: ASTERISK_VERSION, entity_id: ast.opts.asteriskId },
    config: { name: '', default_language: 'en', setid: { user: '', group: '' } },
    status: { startup_time: new Date().toISOString(), last_reload_time: new Date().toISOString() },
  };
  const only = list(r.query.only);
  return ok(only.length ? Object.fromEntries(Object.entries(info).filter(([k]) => only.includes(k))) : info);
}
