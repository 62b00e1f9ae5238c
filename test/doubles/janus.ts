// Not a double: the contract's view of a REAL Janus (test/support/janus.ts). The adapter talks to it
// through a loopback proxy that can be stopped, slowed down or made to answer 503 (the contract's
// fault checks); the checks themselves ask Janus directly: `exists`, `list` (with the admin_key),
// `listparticipants`, and participants who really join with the PIN, as a browser would.
import { RoomSecrets } from '../../src/providers/janus/secrets.ts';
import { bookingIdOfHandle as bookingIdOfKey } from '../../src/providers/port.ts';
import type { DoubleMeeting, JoinOutcome, ProviderDouble } from '../../src/providers/contract.ts';
import type { JanusServer } from '../support/janus.ts';
import { HttpDouble } from './http-double.ts';

type Env = { janus: string; data?: { id?: number }; plugindata?: { data: Record<string, unknown> }; error?: { reason: string } };

/** A small client of the Janus HTTP API for tests (the adapter has its own). */
export class JanusTestClient {
  readonly url: string;
  private tx = 0;
  constructor(url: string) {
    this.url = url;
  }
  async post(path: string, body: Record<string, unknown>): Promise<Env> {
    const res = await fetch(this.url + path, { method: 'POST', body: JSON.stringify({ ...body, transaction: `test-${++this.tx}` }) });
    return (await res.json()) as Env;
  }
  async session(): Promise<number> {
    return (await this.post('', { janus: 'create' })).data!.id!;
  }
  async attach(session: number, plugin: string): Promise<number> {
    return (await this.post(`/${session}`, { janus: 'attach', plugin })).data!.id!;
  }
  async message(session: number, handle: number, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const env = await this.post(`/${session}/${handle}`, { janus: 'message', body });
    if (env.janus === 'error') throw new Error(env.error?.reason);
    return env.plugindata?.data ?? {};
  }
  /** An asynchronous request (join, configure): its event from the long poll. */
  async event(session: number, handle: number, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    await this.post(`/${session}/${handle}`, { janus: 'message', body });
    for (let i = 0; i < 20; i++) {
      const got = (await (await fetch(`${this.url}/${session}?maxev=10`)).json()) as Env | Env[];
      for (const ev of Array.isArray(got) ? got : [got]) if (ev.plugindata) return ev.plugindata.data;
    }
    throw new Error(`no event for ${String(body.request)}`);
  }
  async destroy(session: number): Promise<void> {
    await this.post(`/${session}`, { janus: 'destroy' }).catch(() => undefined);
  }
  /** One synchronous request on a throwaway session. */
  async once(plugin: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const s = await this.session();
    try {
      return await this.message(s, await this.attach(s, plugin), body);
    } finally {
      await this.destroy(s);
    }
  }
}

export class JanusContractDouble implements ProviderDouble {
  readonly janus: JanusServer;
  readonly client: JanusTestClient;
  readonly secret = 'contract-test-secret-0123456789';
  readonly secrets = new RoomSecrets(this.secret);
  readonly http: HttpDouble;
  private readonly creates = new Map<number, number>();
  private readonly hosts = new Map<string, string[]>();
  private readonly joined = new Map<string, number[]>();

  constructor(janus: JanusServer) {
    this.janus = janus;
    this.client = new JanusTestClient(janus.url);
    const target = new URL(janus.url);
    this.http = new HttpDouble(async (req, res, url) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = Buffer.concat(chunks).toString();
      const answer = await fetch(`${target.origin}${url.pathname}${url.search}`, { method: req.method, body: req.method === 'POST' ? body : undefined });
      const text = await answer.text();
      this.count(text);
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(text);
    });
  }

  get apiUrl(): string {
    return `${this.http.baseUrl}/janus`;
  }

  private count(text: string): void {
    try {
      const data = (JSON.parse(text) as Env).plugindata?.data;
      if (data?.videoroom === 'created') this.creates.set(Number(data.room), (this.creates.get(Number(data.room)) ?? 0) + 1);
    } catch {
      /* not JSON */
    }
  }

  private async listed(): Promise<{ room: number; description: string; max_publishers: number }[]> {
    return ((await this.client.once('janus.plugin.videoroom', { request: 'list', admin_key: this.janus.adminKey })).list ?? []) as never;
  }

  async meetingCount(bookingId: string): Promise<number> {
    const room = this.secrets.roomOf(bookingId);
    let n = 0;
    for (const plugin of ['janus.plugin.videoroom', 'janus.plugin.audiobridge']) n += (await this.client.once(plugin, { request: 'exists', room })).exists === true ? 1 : 0;
    // Both rooms or neither: one meeting is the pair.
    if (n === 1) throw new Error(`only one of the two rooms of ${bookingId} exists`);
    return n / 2;
  }

  async meeting(bookingId: string): Promise<DoubleMeeting | null> {
    const room = (await this.listed()).find((r) => r.room === this.secrets.roomOf(bookingId));
    if (!room) return null;
    return { seats: room.max_publishers, title: room.description.replace(/^\S+ /, ''), hostIds: this.hosts.get(bookingId) ?? [], guestPolicy: 'open' };
  }

  createCount(bookingId: string): number {
    return this.creates.get(this.secrets.roomOf(bookingId)) ?? 0;
  }

  /** The room page's part: the ticket's signature and expiry, then a real join of the room with its PIN. */
  async follow(url: string): Promise<JoinOutcome> {
    const m = /\/room\/([0-9a-f-]{36})#jwt=(.+)$/.exec(url);
    if (!m) return { ok: false, reason: `not a room URL: ${url}` };
    const ticket = this.secrets.verify(m[2]!, new Date());
    if (!ticket || ticket.bookingId !== m[1]) return { ok: false, reason: 'the ticket is not valid' };
    const s = await this.client.session();
    try {
      const h = await this.client.attach(s, 'janus.plugin.videoroom');
      const joined = await this.client.event(s, h, { request: 'join', ptype: 'publisher', room: this.secrets.roomOf(ticket.bookingId), pin: this.secrets.pinOf(ticket.bookingId), display: ticket.name });
      if (joined.videoroom !== 'joined') return { ok: false, reason: String(joined.error ?? 'not joined') };
      if (ticket.role === 'host') this.hosts.set(ticket.bookingId, [...(this.hosts.get(ticket.bookingId) ?? []), ticket.userId]);
      return { ok: true, role: ticket.role, name: ticket.name, userId: ticket.userId };
    } finally {
      await this.client.destroy(s);
    }
  }

  /** Real participants: sessions that join the VideoRoom with the PIN and stay until changed. */
  async setParticipants(bookingId: string, n: number): Promise<void> {
    for (const s of this.joined.get(bookingId) ?? []) await this.client.destroy(s);
    const sessions: number[] = [];
    for (let i = 0; i < n; i++) {
      const s = await this.client.session();
      const h = await this.client.attach(s, 'janus.plugin.videoroom');
      await this.client.event(s, h, { request: 'join', ptype: 'publisher', room: this.secrets.roomOf(bookingId), pin: this.secrets.pinOf(bookingId), display: `Guest ${i + 1}` });
      sessions.push(s);
    }
    this.joined.set(bookingId, sessions);
  }

  /** Both rooms destroyed behind the portal's back (with the room's secret, as an operator could). */
  async deleteMeeting(bookingId: string): Promise<void> {
    for (const plugin of ['janus.plugin.videoroom', 'janus.plugin.audiobridge']) {
      await this.client.once(plugin, { request: 'destroy', room: this.secrets.roomOf(bookingId), secret: this.secrets.secretOf(bookingId) });
    }
  }

  /** A room as the portal would have made it for a booking it does not know. */
  async plantOrphan(bookingId: string): Promise<void> {
    const r = { room: this.secrets.roomOf(bookingId), secret: this.secrets.secretOf(bookingId), pin: this.secrets.pinOf(bookingId), is_private: true, admin_key: this.janus.adminKey };
    await this.client.once('janus.plugin.videoroom', { request: 'create', description: `wm-${bookingId} Orphan`, publishers: 3, ...r });
    await this.client.once('janus.plugin.audiobridge', { request: 'create', description: `wm-${bookingId} Orphan`, allow_rtp_participants: true, ...r });
  }

  /** Rooms this Janus has whose description names a booking. */
  async bookings(): Promise<string[]> {
    return (await this.listed()).flatMap((r) => bookingIdOfKey(r.description.split(' ')[0] ?? '') ?? []);
  }

  async close(): Promise<void> {
    for (const sessions of this.joined.values()) for (const s of sessions) await this.client.destroy(s);
    await this.http.stop();
  }
}
