// What the ARI double models of Asterisk itself: channels entering and leaving Stasis, hangups,
// originate (Dial events, busy, no answer), bridges and playbacks, with the event sequences of
// shared/reference/asterisk-ari/README.md "Ordering" and the recordings named below.
import { randomBytes, randomUUID } from 'node:crypto';
import { EventStream } from './events.ts';
import { RtpPeer } from './media.ts';
import { CommandQueue, Playback, Player } from './playback.ts';
import { bridgeJson, causeText, channelJson, hex8, parseCallerId, splitTarget, technologyFor, uniqueId, type Bridge, type BridgeAttributes, type CallerId, type Channel, type ChannelState, type Dialplan } from './state.ts';

export type OriginateOutcome = 'answer' | 'busy' | 'no-answer';
export type OriginateRequest = { endpoint: string; channelId: string; appArgs: string[]; variables: Record<string, string>; callerId?: string };

export type AsteriskOptions = {
  app: string;
  asteriskId: string;
  playbackMs: number;
  soundExists: (name: string) => boolean;
  /** PJSIP endpoint names that exist; null: any. Others fail with 500 "Allocation failed" (c-errors). */
  endpoints: string[] | null;
  /** Milliseconds one second of originate `timeout` lasts (tests shorten the 30 s default). */
  secondsMs: number;
  /** Milliseconds an originated call rings before it is answered or refused busy. */
  ringMs: number;
  context: string;
  /** The address externalMedia channels take RTP on (chan_rtp binds the address that reaches the far end). */
  rtpAddress: string;
};

export type InboundCall = { args: string[]; callerNumber?: string; callerName?: string; exten?: string; context?: string; endpoint?: string };

const EMPTY: CallerId = { name: '', number: '' };

export class Asterisk {
  readonly opts: AsteriskOptions;
  readonly events: EventStream;
  readonly player: Player;
  /** Live channels in creation order (GET /channels lists them newest first: README). */
  readonly channels = new Map<string, Channel>();
  /** Every channel ever created, for the scripting API. */
  readonly history = new Map<string, Channel>();
  readonly bridges = new Map<string, Bridge>();
  private readonly allBridges = new Map<string, Bridge>();
  decide: (req: OriginateRequest) => OriginateOutcome = () => 'answer';
  /** The RTP of each live externalMedia channel. */
  readonly media = new Map<string, RtpPeer>();
  /** Callers whose voice the bridge mixes now (a 440 Hz tone stands for speech). */
  readonly speaking = new Set<string>();
  /** What Asterisk would log as WARNING (see destroyBridge). */
  readonly warnings: string[] = [];
  /** Digits pressed in a native_rtp bridge: the phone sent them, the application never heard of them. */
  readonly dtmfLost: { channel: string; bridge: string; digit: string }[] = [];
  private seq = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(opts: AsteriskOptions) {
    this.opts = opts;
    this.events = new EventStream(opts.app, opts.asteriskId);
    this.player = new Player({
      publish: (pb, type) => {
        if (this.reachesApp(pb.targetUri)) this.events.send(type, { playback: pb.json() });
      },
      heard: (pb, media) => {
        const [kind, id] = splitTarget(pb.targetUri);
        if (kind === 'channel') this.history.get(id)?.heard.push(media);
        else for (const c of this.allBridges.get(id)?.channels ?? []) this.history.get(c)?.heard.push(media);
      },
      soundExists: opts.soundExists,
      durationMs: opts.playbackMs,
      later: (ms, fn) => this.later(ms, fn),
    });
  }

  later(ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.closed) fn();
    }, ms);
    this.timers.add(t);
    return t;
  }

  close(): void {
    this.closed = true;
    this.events.close();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const rtp of this.media.values()) rtp.close();
    this.media.clear();
    for (const holder of [...this.history.values(), ...this.allBridges.values()]) holder.playing?.wake?.('stop');
  }

  /** A call reaches Stasis(app,args...). Refused (null) while no socket holds the app: "Stasis app
   *  not active", the caller gets 603 and no event is ever sent (e-websocket-reconnect). */
  inbound(o: InboundCall): Channel | null {
    if (!this.events.active) return null;
    const n = this.seq++;
    const ch = this.makeChannel({
      id: uniqueId(n),
      name: `PJSIP/${o.endpoint ?? 'sipp'}-${hex8(n)}`,
      state: 'Ring',
      protocolId: `${randomBytes(6).toString('hex')}@127.0.0.1`,
      caller: { name: o.callerName ?? '', number: o.callerNumber ?? '' },
      dialplan: { context: o.context ?? this.opts.context, exten: o.exten ?? o.args[0] ?? 's', priority: 2, app_name: 'Stasis', app_data: [this.opts.app, ...o.args].join(',') },
    });
    ch.inStasis = true;
    ch.subscribed = true;
    ch.args = [...o.args];
    this.sendChannel('StasisStart', ch, {}, { args: [...o.args] });
    return ch;
  }

  /** A call that stays in the dialplan (c-errors channel N: Answer()+Wait()), never in Stasis. */
  dialplanCall(o: { exten: string; callerNumber?: string; callerName?: string; context?: string }): Channel {
    const n = this.seq++;
    return this.makeChannel({
      id: uniqueId(n),
      name: `PJSIP/sipp-${hex8(n)}`,
      state: 'Up',
      protocolId: `${randomBytes(6).toString('hex')}@127.0.0.1`,
      caller: { name: o.callerName ?? '', number: o.callerNumber ?? '' },
      dialplan: { context: o.context ?? this.opts.context, exten: o.exten, priority: 1, app_name: 'Answer', app_data: '' },
    });
  }

  /** One ChannelDtmfReceived per digit, in or out of a bridge (a, f), except in a native_rtp bridge:
   *  there the RTP, RFC 4733 events included, flows between the two phones and Asterisk's core never
   *  sees the digit (issue #11, found against a real Asterisk 22; state.ts bridgeAttributes). */
  dtmf(ch: Channel, digit: string): void {
    if (ch.hungUp) return;
    const b = ch.bridgeId ? this.bridges.get(ch.bridgeId) : undefined;
    if (b?.technology === 'native_rtp') return void this.dtmfLost.push({ channel: ch.id, bridge: b.id, digit });
    this.sendChannel('ChannelDtmfReceived', ch, {}, { digit, duration_ms: 280 });
  }

  /** The far end hangs up (BYE): ChannelHangupRequest without cause, [ChannelLeftBridge], StasisEnd. */
  remoteHangup(ch: Channel): void {
    if (ch.hungUp) return;
    this.sendChannel('ChannelHangupRequest', ch);
    this.end(ch, 16);
  }

  /** DELETE /channels/{id}: the event says `cause: 32, soft: true` whatever the reason (b, c, d:
   *  AST_SOFTHANGUP_EXPLICIT); the reason's cause shows in ChannelDestroyed of originated channels. */
  appHangup(ch: Channel, cause: number): void {
    if (ch.hungUp) return;
    this.sendChannel('ChannelHangupRequest', ch, { cause: 32, soft: true });
    if (ch.originated && !ch.inStasis) this.dialEvent(ch, 'CANCEL'); // still dialing: not recorded
    this.end(ch, cause);
  }

  private end(ch: Channel, cause: number, techCause?: number): void {
    ch.hungUp = true;
    this.media.get(ch.id)?.close();
    this.media.delete(ch.id);
    this.speaking.delete(ch.id);
    ch.queue.flush();
    if (ch.dialTimer) clearTimeout(ch.dialTimer);
    if (ch.playing) this.player.interrupt(ch.playing);
    const bridge = ch.bridgeId ? this.bridges.get(ch.bridgeId) : undefined;
    if (bridge) this.leave(ch, bridge, false); // hangup keeps the app's bridge subscription (README)
    if (ch.inStasis) {
      ch.inStasis = false;
      this.sendChannel('StasisEnd', ch);
    }
    this.channels.delete(ch.id);
    // Inbound channels get no ChannelDestroyed after StasisEnd; originated ones do, showing their
    // dialplan location outside Stasis again (a, b vs d, d2).
    if (ch.originated) {
      ch.dialplan = { ...ch.dialDialplan };
      this.sendChannel('ChannelDestroyed', ch, {}, { cause, cause_txt: causeText(cause), ...(techCause !== undefined && { tech_cause: techCause }) });
    }
    ch.subscribed = false;
  }

  /** POST /channels. The channel answers `Down`; dialing follows once the answer is written. */
  originate(p: { endpoint: string; app: string; appArgs: string[]; channelId?: string; callerId?: string; timeoutSec: number; variables: Record<string, string> }): Channel | 'allocation-failed' | 'duplicate' {
    const [tech = '', resource = ''] = p.endpoint.split('/');
    if (tech !== 'PJSIP' || (this.opts.endpoints && !this.opts.endpoints.includes(resource))) return 'allocation-failed';
    if (p.channelId && this.channels.has(p.channelId)) return 'duplicate';
    const n = this.seq++;
    const caller = parseCallerId(p.callerId);
    const ch = this.makeChannel({
      id: p.channelId || uniqueId(n),
      name: `${tech}/${resource}-${hex8(n)}`,
      state: 'Down',
      protocolId: randomUUID(),
      caller,
      connected: caller,
      dialplan: { context: this.opts.context, exten: 's', priority: 1, app_name: 'AppDial2', app_data: '(Outgoing Line)' },
    });
    Object.assign(ch, { originated: true, subscribed: true, endpoint: p.endpoint, dialstring: p.endpoint.slice(tech.length + 1), variables: { ...p.variables } });
    const outcome = this.decide({ endpoint: p.endpoint, channelId: ch.id, appArgs: [...p.appArgs], variables: { ...p.variables }, ...(p.callerId && { callerId: p.callerId }) });
    const timeoutMs = p.timeoutSec < 0 ? -1 : (p.timeoutSec || 30) * this.opts.secondsMs;
    setImmediate(() => this.dial(ch, outcome, timeoutMs, p.app, p.appArgs));
    return ch;
  }

  /** POST /channels/externalMedia: an originate to UnicastRTP/<host> that answers at once
   *  (resource_channels.c external_media_rtp_udp; not recorded). Its RTP is real (media.ts): it
   *  sends the bridge's mix to `host` and keeps what comes back. */
  async externalMedia(p: { channelId?: string; app: string; host: string; format: string; data?: string; variables: Record<string, string> }): Promise<Channel | 'duplicate'> {
    if (p.channelId && this.channels.has(p.channelId)) return 'duplicate';
    const rtp = await RtpPeer.open(this.opts.rtpAddress);
    const n = this.seq++;
    const ch = this.makeChannel({
      id: p.channelId || uniqueId(n),
      name: `UnicastRTP/${p.host}-0x${randomBytes(6).toString('hex')}`,
      state: 'Down',
      protocolId: '',
      caller: EMPTY,
      dialplan: { context: 'default', exten: 's', priority: 1, app_name: 'AppDial2', app_data: '(Outgoing Line)' },
    });
    Object.assign(ch, { originated: true, subscribed: true, endpoint: `UnicastRTP/${p.host}`, dialstring: p.host, variables: { ...p.variables } });
    ch.channelvars = { UNICASTRTP_LOCAL_ADDRESS: rtp.address.address, UNICASTRTP_LOCAL_PORT: String(rtp.address.port) };
    this.media.set(ch.id, rtp);
    // What the mixing bridge gives this channel: everyone else in it who is speaking.
    rtp.speaking = () => {
      const bridge = ch.bridgeId ? this.bridges.get(ch.bridgeId) : undefined;
      return !!bridge && bridge.channels.some((id) => id !== ch.id && this.speaking.has(id));
    };
    const [host, port] = [p.host.slice(0, p.host.lastIndexOf(':')).replace(/^\[|\]$/g, ''), Number(p.host.slice(p.host.lastIndexOf(':') + 1))];
    // Only G.711 µ-law is modelled on the wire; other formats get a channel that sends nothing.
    if (p.format === 'ulaw') rtp.sendTo(host, port);
    setImmediate(() => {
      if (ch.hungUp || this.closed) return;
      this.dialEvent(ch, '');
      this.setState(ch, 'Up');
      this.dialEvent(ch, 'ANSWER');
      this.enterStasis(ch, p.app, p.data ? p.data.split(',') : []);
    });
    return ch;
  }

  /** How loud the room is in a caller's ear: the loudest RTP the externalMedia channels of its bridge received lately. */
  heardByCaller(ch: Channel): number {
    const bridge = ch.bridgeId ? this.bridges.get(ch.bridgeId) : undefined;
    if (!bridge) return 0;
    return Math.max(0, ...bridge.channels.filter((id) => id !== ch.id).map((id) => this.media.get(id)?.loudest() ?? 0));
  }

  /** d-originate (answer), d2 (486 busy; no answer until `timeout` or ~30 s: only Dial "" then ChannelDestroyed 19/480). */
  private dial(ch: Channel, outcome: OriginateOutcome, timeoutMs: number, app: string, args: string[]): void {
    if (ch.hungUp || this.closed) return;
    this.dialEvent(ch, '');
    if (outcome === 'no-answer') {
      if (timeoutMs > 0) ch.dialTimer = this.later(timeoutMs, () => this.end(ch, 19, 480));
      return;
    }
    this.setState(ch, 'Ringing');
    this.dialEvent(ch, 'RINGING');
    const next = () => {
      if (ch.hungUp) return;
      if (outcome === 'busy') {
        this.sendChannel('ChannelHangupRequest', ch, { cause: 17, tech_cause: 486 });
        this.dialEvent(ch, 'BUSY');
        this.end(ch, 17, 486);
        return;
      }
      this.setState(ch, 'Up');
      this.dialEvent(ch, 'ANSWER');
      this.enterStasis(ch, app, args);
    };
    if (this.opts.ringMs > 0) ch.dialTimer = this.later(this.opts.ringMs, next);
    else next();
  }

  private enterStasis(ch: Channel, app: string, args: string[]): void {
    if (app !== this.opts.app || !this.events.active) return this.end(ch, 16); // Stasis() fails: app not active
    ch.inStasis = true;
    ch.args = [...args];
    ch.dialplan = { ...ch.dialDialplan, app_name: 'Stasis', app_data: [app, ...args].join(',') };
    this.sendChannel('StasisStart', ch, {}, { args: [...args] }); // state already Up (d)
  }

  /** POST answer is a synchronous Stasis command: it waits behind a running playback. */
  async answer(ch: Channel): Promise<boolean> {
    const done = await ch.queue.run(() => {
      if (ch.state !== 'Up') this.setState(ch, 'Up'); // answering twice: 204, no event (c-errors)
      return true;
    });
    return done === true;
  }

  /** Mute is an asynchronous command (control.c stasis_app_control_mute): 204 at once, applied in turn. */
  mute(ch: Channel, direction: 'in' | 'out' | 'both', on: boolean): void {
    void ch.queue.run(() => {
      if (direction !== 'out') ch.muted.in = on;
      if (direction !== 'in') ch.muted.out = on;
    });
  }

  playOnChannel(ch: Channel, media: string[], language: string | undefined, id: string | undefined): Playback {
    const pb = new Playback(id || randomUUID(), media, `channel:${ch.id}`, language || ch.language);
    this.player.enqueue(pb, ch.queue, ch);
    return pb;
  }

  /** Bridge playbacks run on the bridge's announcer channel, queued one after another (e). */
  playOnBridge(b: Bridge, media: string[], language: string | undefined, id: string | undefined): Playback {
    const pb = new Playback(id || randomUUID(), media, `bridge:${b.id}`, language || 'en');
    this.player.enqueue(pb, b.queue, b);
    return pb;
  }

  createBridge(id: string, attributes: BridgeAttributes, name: string): Bridge {
    const b: Bridge = { id, name, ...attributes, technology: '', channels: [], created: new Date(), appRefs: 0, queue: new CommandQueue(), playing: null, destroyed: false };
    b.technology = technologyFor(b);
    this.bridges.set(id, b);
    this.allBridges.set(id, b);
    return b; // no BridgeCreated for POST /bridges (README)
  }

  /** addChannel is a synchronous command; a channel in another bridge (or this one) leaves it first (c-errors). */
  async addToBridge(ch: Channel, b: Bridge, o: { mute: boolean; inhibitConnectedLine: boolean }): Promise<void> {
    await ch.queue.run(() => {
      if (ch.hungUp || b.destroyed) return;
      const old = ch.bridgeId ? this.bridges.get(ch.bridgeId) : undefined;
      if (old) this.leave(ch, old, true);
      b.channels.push(ch.id);
      ch.bridgeId = b.id;
      ch.bridgeMuted = o.mute;
      ch.inhibitConnectedLine = o.inhibitConnectedLine;
      b.appRefs++;
      this.sendChannel('ChannelEnteredBridge', ch, {}, { bridge: bridgeJson(b) });
      this.afterBridgeChange(b);
      const now = b.playing;
      if (now?.state === 'playing') ch.heard.push(now.media[now.index]!);
    });
  }

  async removeFromBridge(ch: Channel, b: Bridge): Promise<void> {
    await ch.queue.run(() => {
      if (ch.bridgeId === b.id) this.leave(ch, b, true);
    });
  }

  /** BridgeDestroyed only while the app is still subscribed (README; b, c, e, f). Playbacks still
   *  queued or playing on the bridge die with its announcer channel, each with a console WARNING
   *  (issue #11: 27 of them when a meeting ended); stopped ones (DELETE /playbacks) do not count. */
  destroyBridge(b: Bridge): void {
    const subscribed = b.appRefs > 0;
    for (const pb of this.player.pending(`bridge:${b.id}`)) this.warnings.push(`bridge ${b.id} destroyed with playback ${pb.id} (${pb.media.join(',')}) ${pb.state}`);
    b.destroyed = true;
    b.queue.flush();
    if (b.playing) this.player.interrupt(b.playing);
    for (const id of [...b.channels]) {
      const ch = this.channels.get(id);
      if (ch) this.leave(ch, b, true);
    }
    this.bridges.delete(b.id);
    if (subscribed) this.events.send('BridgeDestroyed', { bridge: bridgeJson(b) });
  }

  private leave(ch: Channel, b: Bridge, unsubscribe: boolean): void {
    b.channels = b.channels.filter((id) => id !== ch.id);
    ch.bridgeId = null;
    ch.bridgeMuted = false;
    if (unsubscribe) b.appRefs--;
    this.sendChannel('ChannelLeftBridge', ch, {}, { bridge: bridgeJson(b) });
    this.afterBridgeChange(b);
  }

  /** The events carry the bridge before it re-picks its technology (b: Entered shows simple_bridge
   *  with 2 channels, GET then native_rtp). Two parties see each other as connected line (b). */
  private afterBridgeChange(b: Bridge): void {
    if (b.channels.length === 2) {
      const [x, y] = b.channels.map((id) => this.channels.get(id));
      for (const [me, peer] of [[x, y], [y, x]] as const) {
        if (!me || !peer || peer.inhibitConnectedLine) continue;
        if (me.connected.name === peer.caller.name && me.connected.number === peer.caller.number) continue;
        me.connected = { ...peer.caller };
        this.sendChannel('ChannelConnectedLine', me);
      }
    }
    b.technology = technologyFor(b);
  }

  applicationJson(): Record<string, unknown> {
    return {
      name: this.opts.app,
      channel_ids: [...this.channels.values()].filter((c) => c.subscribed).map((c) => c.id),
      bridge_ids: [...this.bridges.values()].filter((b) => b.appRefs > 0).map((b) => b.id),
      endpoint_ids: [],
      device_names: [],
      events_allowed: [],
      events_disallowed: [],
    };
  }

  private makeChannel(c: { id: string; name: string; state: ChannelState; protocolId: string; caller: CallerId; connected?: CallerId; dialplan: Dialplan }): Channel {
    const ch: Channel = {
      ...c,
      caller: { ...c.caller },
      connected: { ...(c.connected ?? EMPTY) },
      dialDialplan: { ...c.dialplan },
      created: new Date(),
      language: 'en',
      subscribed: false,
      inStasis: false,
      originated: false,
      hungUp: false,
      args: [],
      bridgeId: null,
      muted: { in: false, out: false },
      bridgeMuted: false,
      inhibitConnectedLine: false,
      heard: [],
      variables: {},
      queue: new CommandQueue(),
      playing: null,
      dialTimer: null,
    };
    this.channels.set(ch.id, ch);
    this.history.set(ch.id, ch);
    return ch;
  }

  private setState(ch: Channel, state: ChannelState): void {
    ch.state = state;
    this.sendChannel('ChannelStateChange', ch);
  }

  private dialEvent(ch: Channel, dialstatus: string): void {
    if (ch.subscribed) this.events.send('Dial', { dialstatus, forward: '', dialstring: ch.dialstring ?? '', peer: channelJson(ch) });
  }

  private sendChannel(type: string, ch: Channel, head: Record<string, unknown> = {}, body: Record<string, unknown> = {}): void {
    if (ch.subscribed) this.events.send(type, { ...body, channel: channelJson(ch) }, head);
  }

  private reachesApp(targetUri: string): boolean {
    const [kind, id] = splitTarget(targetUri);
    if (kind === 'channel') return this.history.get(id)?.subscribed ?? false;
    return (this.allBridges.get(id)?.appRefs ?? 0) > 0; // bridge playback events travel on the bridge topic
  }
}
