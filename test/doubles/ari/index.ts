// Asterisk 22 ARI test double (Asterisk cannot run here). It speaks the protocol recorded against a
// real Asterisk in shared/reference/asterisk-ari/ (README.md there says what each recording shows):
// REST under /ari, the events WebSocket at /ari/events, with state, and a scripting API that plays
// the phones: callers arriving, pressing keys, hanging up; originated calls answered or not.
//
// Not modelled: ChannelVarset (RTPAUDIOQOS*, BRIDGEPEER, STASISSTATUS noise), the bridge's
// invisible Announcer channel, ChannelCreated/ChannelDialplan (not sent with subscribeAll=false),
// dialplan originates (`extension=`), recordings, snoop, DTMF sending, ARI's playback control
// (/playbacks/{id}/control). Tests may hold a media item playing (holdMedia) to order events.
import { Asterisk, type InboundCall, type OriginateOutcome, type OriginateRequest } from './asterisk.ts';
import type { AriEvent } from './events.ts';
import { AriServer, type RequestRecord } from './server.ts';

export type { AriEvent, OriginateOutcome, OriginateRequest, RequestRecord };

export type AriDoubleOptions = {
  app?: string;
  username?: string;
  password?: string;
  /** How long one playable media item (sound:...) plays; default 20 ms. */
  playbackMs?: number;
  /** Whether `sound:<name>` exists; a missing one ends with PlaybackFinished `failed` (c-errors). Default: all exist. */
  soundExists?: (name: string) => boolean;
  /** PJSIP endpoint names an originate may dial; others answer 500 "Allocation failed". Default: any. */
  endpoints?: string[];
  /** Milliseconds per second of originate `timeout` (no-answer); default 1000. */
  secondsMs?: number;
  /** How long an originated call rings before answer/busy; default 0. */
  ringMs?: number;
  /** Dialplan context shown in channel snapshots; default `from-sipp` as in the recordings. */
  context?: string;
  /** `asterisk_id` of every event; default the recorded one. */
  asteriskId?: string;
  /** Where externalMedia channels take RTP (UNICASTRTP_LOCAL_ADDRESS); default 127.0.0.1. */
  rtpAddress?: string;
};

export type ChannelView = {
  id: string;
  state: string;
  inStasis: boolean;
  hungUp: boolean;
  bridgeId: string | null;
  muted: { in: boolean; out: boolean };
  /** addChannel `mute=true`: the bridge does not take this channel's audio. */
  bridgeMuted: boolean;
  /** Media URIs played to the channel, in order, including bridge playbacks while it was in the bridge. */
  heard: string[];
  endpoint?: string;
  variables: Record<string, string>;
  callerNumber: string;
  callerName: string;
  originated: boolean;
  /** Stasis arguments (inbound: dialplan arguments; originated: appArgs). */
  args: string[];
};

export class AriDouble {
  readonly url: string;
  readonly username: string;
  readonly password: string;
  private readonly ast: Asterisk;
  private readonly server: AriServer;

  private constructor(ast: Asterisk, server: AriServer, port: number, username: string, password: string) {
    this.ast = ast;
    this.server = server;
    this.url = `http://127.0.0.1:${port}/ari`;
    this.username = username;
    this.password = password;
  }

  static async start(opts: AriDoubleOptions = {}): Promise<AriDouble> {
    const ast = new Asterisk({
      app: opts.app ?? 'webmeetings',
      asteriskId: opts.asteriskId ?? '02:fc:00:00:00:01',
      playbackMs: opts.playbackMs ?? 20,
      soundExists: opts.soundExists ?? (() => true),
      endpoints: opts.endpoints ?? null,
      secondsMs: opts.secondsMs ?? 1000,
      ringMs: opts.ringMs ?? 0,
      context: opts.context ?? 'from-sipp',
      rtpAddress: opts.rtpAddress ?? '127.0.0.1',
    });
    const username = opts.username ?? 'webmeetings';
    const password = opts.password ?? 'ari-secret';
    const server = new AriServer(ast, username, password);
    const port = await server.listen();
    return new AriDouble(ast, server, port, username, password);
  }

  /** Every REST request received, in arrival order; `status` is 0 until answered. */
  get requests(): RequestRecord[] {
    return this.server.requests;
  }

  /** Every event sent on an events socket, in order. */
  get events(): AriEvent[] {
    return this.ast.events.delivered;
  }

  /** A caller arrives in Stasis(app, ...args): channel in state Ring, StasisStart with args. Null
   *  when no events socket holds the app (Asterisk refuses the call: SIP 603, no event). */
  call(opts: { args: string[]; callerNumber?: string; callerName?: string; exten?: string; context?: string; endpoint?: string }): Promise<string | null> {
    const call: InboundCall = { ...opts };
    return Promise.resolve(this.ast.inbound(call)?.id ?? null);
  }

  /** A call that never enters Stasis (dialplan Answer()+Wait()), visible in GET /channels only. */
  callOutsideStasis(opts: { exten: string; callerNumber?: string; callerName?: string }): string {
    return this.ast.dialplanCall(opts).id;
  }

  /** The caller presses keys: one ChannelDtmfReceived per digit (duration_ms 280), gapMs apart. */
  async pressDigits(channelId: string, digits: string, gapMs = 0): Promise<void> {
    const ch = this.live(channelId);
    for (const [i, digit] of [...digits].entries()) {
      if (i > 0 && gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
      this.ast.dtmf(ch, digit);
    }
  }

  /** The far end hangs up (BYE): ChannelHangupRequest (no cause), [ChannelLeftBridge], StasisEnd,
   *  and ChannelDestroyed for originated channels. */
  hangup(channelId: string): void {
    this.ast.remoteHangup(this.live(channelId));
  }

  /** How an originated call is answered; default 'answer'. */
  onOriginate(fn: (req: OriginateRequest) => OriginateOutcome): void {
    this.ast.decide = fn;
  }

  channel(id: string): ChannelView | undefined {
    const ch = this.ast.history.get(id);
    if (!ch) return undefined;
    return {
      id: ch.id,
      state: ch.state,
      inStasis: ch.inStasis,
      hungUp: ch.hungUp,
      bridgeId: ch.bridgeId,
      muted: { ...ch.muted },
      bridgeMuted: ch.bridgeMuted,
      heard: [...ch.heard],
      ...(ch.endpoint !== undefined && { endpoint: ch.endpoint }),
      variables: { ...ch.variables },
      callerNumber: ch.caller.number,
      callerName: ch.caller.name,
      originated: ch.originated,
      args: [...ch.args],
    };
  }

  /** The caller speaks (a tone into the bridge) or stops. */
  speak(channelId: string, on: boolean): void {
    if (on) this.ast.speaking.add(this.live(channelId).id);
    else this.ast.speaking.delete(channelId);
  }

  /** How loud the caller hears the others through the bridge's externalMedia channels (RMS, 0 = nothing). */
  hears(channelId: string): number {
    return this.ast.heardByCaller(this.live(channelId));
  }

  /** RTP packets an externalMedia channel sent and received. */
  rtp(channelId: string): { sent: number; received: number } | null {
    const m = this.ast.media.get(channelId);
    return m ? { sent: m.sent, received: m.received } : null;
  }

  /** Live (not hung up) channels, oldest first. */
  channels(): ChannelView[] {
    return [...this.ast.channels.keys()].map((id) => this.channel(id)!);
  }

  bridges(): { id: string; name: string; channels: string[] }[] {
    return [...this.ast.bridges.values()].map((b) => ({ id: b.id, name: b.name, channels: [...b.channels] }));
  }

  /** The bridge's current technology (`simple_bridge`, `native_rtp`, `softmix`, `holding_bridge`), or undefined. */
  technology(bridgeId: string): string | undefined {
    return this.ast.bridges.get(bridgeId)?.technology;
  }

  /** Scripted playback: from now on `media` (e.g. `sound:conf-locked`) plays until releaseMedia. */
  holdMedia(media: string): void {
    this.ast.player.hold(media);
  }

  releaseMedia(media: string): void {
    this.ast.player.release(media);
  }

  /** What Asterisk would log as WARNING: playbacks queued or playing on a bridge when it was destroyed. */
  get warnings(): string[] {
    return [...this.ast.warnings];
  }

  /** Digits pressed in a native_rtp bridge, which the application never heard of. */
  get dtmfLost(): { channel: string; bridge: string; digit: string }[] {
    return [...this.ast.dtmfLost];
  }

  /** Closes every events socket from the server side without a close handshake (network failure).
   *  Channels, bridges and REST stay (README "WebSocket disconnect"). */
  dropSockets(): void {
    this.ast.events.dropAll();
  }

  /** While true, events upgrades are refused with 503 (Asterisk down for events). */
  refuseSockets(refuse: boolean): void {
    this.server.refuseSockets = refuse;
  }

  socketCount(): number {
    return this.ast.events.socketCount;
  }

  /** Resolves once pred() holds (polled every 5 ms); throws after timeoutMs naming `what`. */
  async waitFor(pred: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`ARI double: timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async close(): Promise<void> {
    this.ast.close();
    await this.server.close();
  }

  private live(id: string) {
    const ch = this.ast.history.get(id);
    if (!ch) throw new Error(`ARI double: no channel ${id}`);
    return ch;
  }
}
