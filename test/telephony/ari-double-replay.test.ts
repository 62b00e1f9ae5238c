// Replays the recordings of a real Asterisk 22 (copied verbatim from shared/reference/asterisk-ari/
// into test/doubles/ari/recordings/) against the ARI double: the phones' actions become scripting
// calls, every recorded REST request is sent with ids mapped to the double's, and every answer and
// event must match the recorded one field by field, in the recorded field order.
//
// Ignored, and why:
//  - ChannelVarset events (RTP statistics, BRIDGEPEER, STASISSTATUS): the double does not send them.
//  - Events about channels created before the scenario began (d2 receives d's late ChannelDestroyed).
//  - Values that differ on every run: ids (mapped instead), `timestamp`/`creationtime` (format
//    checked), `protocol_id` (SIP Call-ID: non-empty string checked), the counter in channel names.
//  - The order of GET /channels and GET /bridges lists (Asterisk's hash-container order), and
//    whether a REST answer or the events it causes come first (README: both orders recorded).
//  - Timing: the replay waits for the recorded events before each next step instead; the
//    no-answer timeouts of d2 run at 60 ms per second of `timeout` (the recording waited 5 s and ~30 s).
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { AriDouble, type AriDoubleOptions, type OriginateOutcome } from '../doubles/ari/index.ts';

type Json = Record<string, unknown>;
type Line = Json & { seq: number; kind: string };
type AriEvent = Json & { type: string };

const RECORDINGS = new URL('../doubles/ari/recordings/', import.meta.url);
const USER = 'user';
const PASSWORD = 'secret';
/** SIPp's own From: "sipp" <sip:sipp@...> (every recorded inbound caller). */
const SIPP = { callerName: 'sipp', callerNumber: 'sipp' };
/** The recording dialplan sends 9999 to Answer()+Wait(30), not to Stasis (README). */
const NOT_STASIS_EXTEN = '9999';
const NOTE_N = /non-Stasis channel N = (\S+)/;
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/;

const load = (name: string): Line[] =>
  readFileSync(new URL(name, RECORDINGS), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Line);

class Replay {
  private readonly lines: Line[];
  private readonly double: AriDouble;
  /** Recorded id → the double's id (channels, generated bridge and playback ids). */
  private readonly ids = new Map<string, string>();
  private readonly sockets = new Map<string, WebSocket>();
  private readonly received: { socket: string; event: AriEvent }[] = [];
  private readonly expected: { seq: number; socket: string; event: AriEvent }[] = [];
  private readonly answers = new Map<number, Line>();
  private readonly outcomes: OriginateOutcome[] = [];
  private authFaults = 0;
  /** What was compared, so that a replay that skips everything cannot pass. */
  readonly compared = { rest: 0, events: 0, probes: 0, ignoredEvents: [] as number[] };
  private openSockets = 0;

  constructor(lines: Line[], double: AriDouble) {
    this.lines = lines;
    this.double = double;
    for (const l of lines) if (l.kind === 'rest') this.answers.set(l.req as number, l);
    // How each recorded originate ended decides how the double's phone answers it, in order.
    for (const l of lines) {
      const answer = this.answers.get(l.req as number);
      if (l.kind !== 'rest-send' || l.method !== 'POST' || l.path !== '/ari/channels' || answer?.status !== 200) continue;
      const id = (answer.body as Json).id;
      const about = (type: string, extra: (e: AriEvent) => boolean = () => true) =>
        lines.some((x) => x.kind === 'event' && (x.event as AriEvent).type === type && ((x.event as Json).channel as Json | undefined)?.id === id && extra(x.event as AriEvent));
      this.outcomes.push(about('StasisStart') ? 'answer' : about('ChannelHangupRequest', (e) => e.cause === 17) ? 'busy' : 'no-answer');
    }
    double.onOriginate(() => {
      const outcome = this.outcomes.shift();
      if (!outcome) throw new Error('originate the recording does not have');
      return outcome;
    });
  }

  async run(): Promise<void> {
    for (const line of this.lines) {
      switch (line.kind) {
        case 'event':
          await this.onEvent(line);
          break;
        case 'rest-send':
          await this.sync(line.seq);
          await this.send(line);
          break;
        case 'ws-open':
          await this.sync(line.seq);
          await this.open(line);
          break;
        case 'ws-close':
          await this.sync(line.seq);
          await new Promise((r) => setTimeout(r, 100)); // room for events the recording did not have
          await this.close(line.socket as string);
          break;
        case 'ws-upgrade-probe':
          await this.probe(line);
          break;
        case 'sipp-start':
          await this.phone(line);
          break;
      }
    }
    await this.sync(Infinity);
    this.compareEvents();
  }

  /** Recorded events are expectations; an inbound StasisStart, DTMF or caller BYE is also the
   *  phone's action, played on the double once every earlier event has arrived. */
  private async onEvent(line: Line): Promise<void> {
    const e = line.event as AriEvent;
    if (e.type === 'ChannelVarset') return void this.compared.ignoredEvents.push(line.seq);
    const ch = (e.channel ?? e.peer) as Json | undefined;
    const recordedId = ch?.id as string | undefined;
    if (e.type === 'StasisStart' && recordedId && !this.ids.has(recordedId)) {
      await this.sync(line.seq);
      const dialplan = ch!.dialplan as Json;
      const caller = ch!.caller as Json;
      const id = await this.double.call({ args: e.args as string[], callerName: caller.name as string, callerNumber: caller.number as string, exten: dialplan.exten as string });
      expect(id, `seq ${line.seq}: the double refused the recorded call`).not.toBeNull();
      this.ids.set(recordedId, id!);
    }
    if (recordedId && !this.ids.has(recordedId)) {
      this.compared.ignoredEvents.push(line.seq); // a channel of an earlier scenario
      return;
    }
    const action =
      e.type === 'ChannelDtmfReceived' ? () => this.double.pressDigits(this.ids.get(recordedId!)!, e.digit as string)
      : e.type === 'ChannelHangupRequest' && e.cause === undefined ? () => this.double.hangup(this.ids.get(recordedId!)!)
      : null;
    if (action) {
      await this.sync(line.seq);
      this.expected.push({ seq: line.seq, socket: line.socket as string, event: e });
      await action();
    } else this.expected.push({ seq: line.seq, socket: line.socket as string, event: e });
  }

  /** Waits until the double has sent as many events as the recording shows before `seq`. */
  private async sync(seq: number): Promise<void> {
    const want = this.expected.filter((x) => x.seq < seq).length;
    try {
      await this.double.waitFor(() => this.received.length >= want, `the ${want} events recorded before seq ${seq}`);
    } catch (e) {
      throw new Error(`${(e as Error).message}; the double sent ${this.received.map((r) => r.event.type).join(', ')}`, { cause: e });
    }
  }

  private async send(line: Line): Promise<void> {
    const answer = this.answers.get(line.req as number)!;
    const url = new URL(this.double.url.replace(/\/ari$/, '') + (line.path as string).split('/').map((s) => encodeURIComponent(this.map(decodeURIComponent(s)))).join('/'));
    for (const [k, v] of Object.entries(line.query as Record<string, string>)) url.searchParams.set(k, this.map(v));
    // The recording does not say which credential fault each 401 came from: first none, then a wrong password.
    const password = answer.status === 401 ? (this.authFaults++ === 0 ? null : 'wrong') : PASSWORD;
    const headers: Record<string, string> = password === null ? {} : { authorization: `Basic ${Buffer.from(`${USER}:${password}`).toString('base64')}` };
    const res = await fetch(url, { method: line.method as string, headers });
    const text = await res.text();
    const body = text === '' ? null : (JSON.parse(text) as unknown);
    const recordedBody = answer.body as Json | null;
    if (line.method === 'POST' && res.status === answer.status && typeof recordedBody?.id === 'string' && !this.ids.has(recordedBody.id)) {
      this.ids.set(recordedBody.id, (body as Json).id as string); // created by this request
    }
    const what = `req ${String(line.req)} ${String(line.method)} ${String(line.path)} (seq ${line.seq})`;
    const got = { status: res.status, status_text: res.statusText, content_type: res.headers.get('content-type'), body: this.normalize(sortList(body)) };
    const want = { status: answer.status, status_text: answer.status_text, content_type: answer.content_type, body: this.normalize(sortList(this.mapIds(answer.body))) };
    expect.soft(got, what).toStrictEqual(want);
    expect.soft(JSON.stringify(got), `${what}: field order`).toBe(JSON.stringify(want));
    this.compared.rest++;
    if (answer.status === 401) expect.soft(res.headers.get('www-authenticate'), what).toBe('Basic realm="Asterisk REST Interface"');
  }

  private async open(line: Line): Promise<void> {
    const recorded = new URL(line.url as string);
    const url = new URL(this.double.url.replace(/^http/, 'ws') + '/events');
    for (const [k, v] of recorded.searchParams) url.searchParams.set(k, v.replace('***', PASSWORD));
    const ws = new WebSocket(url);
    const name = line.socket as string;
    ws.on('message', (data) => this.received.push({ socket: name, event: JSON.parse(data.toString()) as AriEvent }));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    this.sockets.set(name, ws);
    this.openSockets++;
  }

  private async close(name: string): Promise<void> {
    const ws = this.sockets.get(name)!;
    await new Promise<void>((resolve) => {
      ws.once('close', () => resolve());
      ws.close(1000);
    });
    this.openSockets--;
  }

  /** The recorder's raw upgrade attempts (c-errors): status, headers but Date, body. */
  private async probe(line: Line): Promise<void> {
    const recorded = line.result as { status: number; headers: Record<string, string>; body: string };
    const path = (line.path as string).replace('***', PASSWORD);
    const port = new URL(this.double.url).port;
    const got = await new Promise<{ status: number; headers: Record<string, string>; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, agent: false, headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' } });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers as Record<string, string>, body }));
      });
      req.on('upgrade', () => reject(new Error(`${path}: upgraded, the recording refused it`)));
      req.on('error', reject);
      req.end();
    });
    const pick = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).filter(([k]) => k !== 'date'));
    expect.soft({ status: got.status, headers: pick(got.headers), body: got.body }, `probe ${path}`).toStrictEqual({ status: recorded.status, headers: pick(recorded.headers), body: recorded.body });
    this.compared.probes++;
  }

  /** A SIPp caller: to a non-Stasis extension, or while no events socket is open (refused, e). */
  private async phone(line: Line): Promise<void> {
    const args = line.args as string[];
    const i = args.indexOf('-s');
    if (i < 0) return; // a SIPp UAS: it answers originates, see onOriginate
    const exten = args[i + 1]!;
    if (exten === NOT_STASIS_EXTEN) {
      // The recorder learnt this channel's id from GET /channels and wrote it in a note.
      const note = this.lines.find((l) => l.kind === 'note' && NOTE_N.test(l.text as string));
      const recordedId = note && NOTE_N.exec(note.text as string)![1]!;
      expect(recordedId, 'the note naming the non-Stasis channel').toBeDefined();
      this.ids.set(recordedId!, this.double.callOutsideStasis({ exten, ...SIPP }));
    }
    else if (this.openSockets === 0) {
      await this.sync(line.seq);
      expect.soft(await this.double.call({ args: [exten], exten, ...SIPP }), `seq ${line.seq}: call while no socket holds the app`).toBeNull();
    }
  }

  private compareEvents(): void {
    const got = this.received.map((r) => ({ socket: r.socket, event: this.normalize(r.event) }));
    const want = this.expected.map((x) => ({ socket: x.socket, event: this.normalize(this.mapIds(x.event)) }));
    for (let i = 0; i < Math.max(got.length, want.length); i++) {
      const what = `event #${i} (recorded seq ${this.expected[i]?.seq ?? 'none'}: ${want[i]?.event.type ?? 'none'})`;
      expect.soft(got[i], what).toStrictEqual(want[i]);
      expect.soft(JSON.stringify(got[i]), `${what}: field order`).toBe(JSON.stringify(want[i]));
    }
    this.compared.events = want.length;
  }

  private map(s: string): string {
    return this.ids.get(s) ?? s;
  }

  /** Recorded ids → the double's, also inside `channel:<id>` / `bridge:<id>` target URIs. */
  private mapIds<T>(v: T): T {
    if (typeof v === 'string') {
      const m = /^(channel|bridge):(.+)$/.exec(v);
      return (m && this.ids.has(m[2]!) ? `${m[1]}:${this.ids.get(m[2]!)}` : this.map(v)) as T;
    }
    if (Array.isArray(v)) return v.map((x) => this.mapIds(x)) as T;
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.mapIds(x)])) as T;
    return v;
  }

  private normalize(v: unknown, key?: string): AriEvent {
    if (Array.isArray(v)) return v.map((x) => this.normalize(x)) as unknown as AriEvent;
    if (v && typeof v === 'object') {
      const out: Json = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.normalize(x, k)]));
      if ('dialplan' in out && typeof out.name === 'string') out.name = out.name.replace(/-[0-9a-f]{8}$/, '-<n>');
      return out as AriEvent;
    }
    if ((key === 'timestamp' || key === 'creationtime') && typeof v === 'string' && TIME.test(v)) return '<time>' as unknown as AriEvent;
    if (key === 'protocol_id' && typeof v === 'string' && v !== '') return '<call-id>' as unknown as AriEvent;
    return v as AriEvent;
  }
}

/** GET /channels and /bridges list in hash order: compare sorted by id. */
function sortList(body: unknown): unknown {
  if (!Array.isArray(body) || !body.every((x) => x && typeof x === 'object' && 'id' in x)) return body;
  return [...(body as Json[])].sort((a, b) => String(a.id).localeCompare(String(b.id)));
}

const SCENARIOS: [string, string, AriDoubleOptions?][] = [
  ['a', 'a-incoming-call-playback-dtmf-hangup.jsonl'],
  ['b', 'b-two-calls-mixing-bridge.jsonl'],
  ['c', 'c-errors.jsonl'],
  ['d', 'd-originate.jsonl'],
  ['d2', 'd2-originate-failures.jsonl', { secondsMs: 60 }],
  ['e', 'e-websocket-reconnect.jsonl'],
  ['f', 'f-dtmf-in-bridge-and-bridge-destroyed.jsonl'],
];

describe('the ARI double replays the Asterisk 22 recordings', () => {
  let double: AriDouble | null = null;
  afterEach(async () => {
    await double?.close();
    double = null;
  });

  for (const [name, file, extra] of SCENARIOS) {
    it(`scenario ${name}: ${file.replace(/^[a-z0-9]+-|\.jsonl$/g, '').replace(/-/g, ' ')}`, async () => {
      double = await AriDouble.start({
        app: 'webmeetings',
        username: USER,
        password: PASSWORD,
        // Long enough that the replay's next steps happen while a prompt still plays (a: GET shows
        // `playing`; c: addChannel waits for it), short enough to keep the run quick.
        playbackMs: 400,
        soundExists: (sound) => !sound.startsWith('no-such'),
        endpoints: ['sippuas'],
        ...extra,
      });
      const lines = load(file);
      const replay = new Replay(lines, double);
      await replay.run();
      const count = (kind: string) => lines.filter((l) => l.kind === kind).length;
      expect(replay.compared.rest).toBe(count('rest'));
      expect(replay.compared.probes).toBe(count('ws-upgrade-probe'));
      expect(replay.compared.events + replay.compared.ignoredEvents.length).toBe(count('event'));
    });
  }
});
