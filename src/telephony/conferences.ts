// The bookings' conferences on Asterisk: one mixing bridge per booking (created on demand, id
// `wm-conf-<booking>`), its phone callers, the virtual room's audio leg (joins with the first caller,
// leaves after the last), the host's list in PostgreSQL, and the end of the conference. Work on one
// booking runs in order (its "lane"), so two callers cannot both take its last seat.
//
// Membership changes on the REST answer, not on ChannelEntered/LeftBridge: those events may come
// before or after the answer (shared/reference/asterisk-ari/README.md, "Ordering").
import type { Logger } from 'pino';
import type { Clock, PhoneParticipant, UnitOfWork } from '../ports.ts';
import type { ExternalMediaPeer, RoomAudio } from '../providers/port.ts';
import { isGone, type AriRest } from './ari/client.ts';
import type { AriBridge, AriChannel } from './ari/types.ts';
import type { Playbacks } from './playbacks.ts';
import { PROMPTS } from './prompts.ts';
import { BridgeTones } from './tones.ts';

export const bridgeIdOf = (bookingId: string) => `wm-conf-${bookingId}`;
const BRIDGE_ID = /^wm-conf-([0-9a-f-]{36})$/;
const LEG_ID = /^wm-leg-([0-9a-f-]{36})(?:-|$)/;
export const bookingOfBridge = (id: string) => BRIDGE_ID.exec(id)?.[1] ?? null;
/** Legs the application originates are named `wm-leg-<booking>-<n>`. */
export const bookingOfLeg = (id: string) => LEG_ID.exec(id)?.[1] ?? null;

/**
 * A channel's Stasis() arguments as GET /channels shows them after a restart: `dialplan.app_data`
 * is the raw `webmeetings,<dialed>,room-leg` (recordings b, d, e), the app name first.
 */
export const stasisArgs = (ch: AriChannel): string[] => (ch.dialplan?.app_name === 'Stasis' ? (ch.dialplan.app_data ?? '').split(',').slice(1) : []);

/** A virtual room's own audio: a leg we originated, or a room that dialled in (`room-leg` arg). */
export const isRoomLeg = (ch: AriChannel, args = stasisArgs(ch)) => bookingOfLeg(ch.id) !== null || args.includes('room-leg');

export type Role = PhoneParticipant['role'];

/** A room's audio as the adapter gives it; an RTP room (Janus) comes with how to open its peer. */
export type RoomLegPlan =
  | Exclude<RoomAudio, { mode: 'external-media' }>
  | (Extract<RoomAudio, { mode: 'external-media' }> & { open(onLost: () => void): Promise<ExternalMediaPeer> });

export type ConferencesDeps = {
  rest: AriRest;
  uow: UnitOfWork;
  clock: Clock;
  logger: Logger;
  playbacks: Playbacks;
  roomLegRetryMs: number;
  /** How the booking's virtual room takes phone audio (its provider's AudioLeg), or null. */
  roomAudio(bookingId: string): Promise<RoomLegPlan | null>;
  /** A phone caller entered: the meeting is not a no-show. */
  onJoined(bookingId: string): Promise<void>;
  observeCallers?: ((callers: number) => void) | undefined;
};

type Conf = {
  bookingId: string;
  bridgeId: string;
  /** Phone callers (participants and hosts): they take seats and keep the room leg up. */
  members: Set<string>;
  /** The virtual room's audio legs. */
  legs: Set<string>;
  /** The leg being originated, until it arrives or fails. */
  dialing: string | null;
  legRetry: NodeJS.Timeout | null;
  ending: boolean;
  /** `seq` when it was made: one made after an adoption's snapshot is not in that snapshot. */
  madeAt: number;
};

export class Conferences {
  private readonly d: ConferencesDeps;
  private readonly confs = new Map<string, Conf>();
  private readonly lanes = new Map<string, Promise<unknown>>();
  /** Channel → its booking, for everyone in a bridge. */
  private readonly where = new Map<string, string>();
  /** The host's list is written after the caller is in the bridge, outside the lane; a leave waits for it. */
  private readonly saves = new Map<string, Promise<void>>();
  /**
   * Changes are numbered, so an adoption can tell what happened after its snapshot of Asterisk
   * (keep it) from what the snapshot already reflects (replace it).
   */
  private seq = 0;
  private readonly enteredAt = new Map<string, number>();
  /** Channels that hung up before they were in a bridge, kept a minute for a join still in flight. */
  private readonly departed = new Map<string, number>();
  private legSeq = 0;
  /** Callers who just pressed `*` (the next key may be a keypad command). */
  private readonly starred = new Set<string>();
  private readonly tones: BridgeTones;
  /** The room's RTP peers of `external-media` legs, by the leg's channel: closed when the leg goes. */
  private readonly peers = new Map<string, ExternalMediaPeer>();

  constructor(deps: ConferencesDeps) {
    this.d = deps;
    this.tones = new BridgeTones(deps.rest);
  }

  snapshot(): { bookingId: string; members: string[]; legs: string[] }[] {
    return [...this.confs.values()].map((c) => ({ bookingId: c.bookingId, members: [...c.members], legs: [...c.legs] }));
  }

  /** Phone callers (not legs) in the booking's conference now. */
  callers(bookingId: string): number {
    return this.confs.get(bookingId)?.members.size ?? 0;
  }

  isBridged(channelId: string): boolean {
    return this.where.has(channelId);
  }

  /** Playback events of the bridges' tones. */
  playbackStarted(playbackId: string): void {
    this.tones.started(playbackId);
  }

  playbackFinished(playbackId: string): void {
    this.tones.finished(playbackId);
  }

  reset(): void {
    this.tones.reset();
    for (const conf of this.confs.values()) if (conf.legRetry) clearTimeout(conf.legRetry);
    for (const id of [...this.peers.keys()]) this.dropPeer(id);
    this.confs.clear();
    this.where.clear();
    this.enteredAt.clear();
    this.departed.clear();
  }

  /** Taken before an adoption reads Asterisk's state (see `adopt`). */
  mark(): number {
    return this.seq;
  }

  /** Work on one booking's conference runs in order (bridge creation, seats, legs). */
  inBooking(bookingId: string, work: () => Promise<void>): Promise<void> {
    const next = (this.lanes.get(bookingId) ?? Promise.resolve()).then(work).catch((err: unknown) => {
      if (!isGone(err)) this.d.logger.error({ err, bookingId }, 'audio: conference step failed');
    });
    this.lanes.set(bookingId, next);
    void next.then(() => {
      if (this.lanes.get(bookingId) === next) this.lanes.delete(bookingId);
    });
    return next;
  }

  /** Puts an admitted caller (or a room calling in) into the bridge; inside the booking's lane. */
  async join(channelId: string, caller: string, bookingId: string, role: Role): Promise<void> {
    const conf = await this.ensure(bookingId);
    const alone = conf.members.size === 0;
    await this.d.rest.addChannel(conf.bridgeId, channelId);
    // Hung up while being added (StasisEnd came before addChannel's answer): not a member.
    if (this.departed.delete(channelId)) return this.tidy(conf);
    this.enter(conf, channelId, role);
    this.save({ channelId, bookingId, role, caller: role === 'room' ? '' : caller, muted: false, joinedAt: this.d.clock.now() });
    if (role === 'room') return;
    if (alone) this.d.playbacks.play({ channel: channelId }, [PROMPTS.onlyPerson], 'wm-alone');
    else this.tones.play(conf.bridgeId, PROMPTS.joinTone);
    this.d.onJoined(bookingId).catch((err: unknown) => this.d.logger.warn({ err, bookingId }, 'audio: could not mark the meeting as joined'));
    if (alone) void this.inBooking(bookingId, () => this.connectRoom(bookingId));
  }

  /** A leg we originated answered (StasisStart of `wm-leg-…`). */
  legArrived(ch: AriChannel, bookingId: string): Promise<void> {
    return this.inBooking(bookingId, async () => {
      const conf = this.confs.get(bookingId);
      if (conf?.dialing === ch.id) conf.dialing = null;
      if (!conf || conf.ending || conf.members.size === 0) {
        await this.d.rest.hangup(ch.id).catch(ignoreGone);
        return;
      }
      await this.d.rest.addChannel(conf.bridgeId, ch.id);
      if (this.departed.delete(ch.id)) return this.tidy(conf);
      this.enter(conf, ch.id, 'room');
      this.save({ channelId: ch.id, bookingId, role: 'room', caller: '', muted: false, joinedAt: this.d.clock.now() });
    });
  }

  /** An originated leg that never answered (busy, no answer): ChannelDestroyed without StasisStart. */
  legFailed(channelId: string): void {
    const bookingId = bookingOfLeg(channelId);
    const conf = bookingId ? this.confs.get(bookingId) : undefined;
    if (!conf || conf.dialing !== channelId) return;
    conf.dialing = null;
    this.d.logger.warn({ bookingId }, 'audio: the virtual room did not answer its leg; retrying later');
    this.retryRoom(conf);
  }

  /** Someone in a bridge left (StasisEnd). */
  left(channelId: string): void {
    this.dropPeer(channelId);
    const bookingId = this.where.get(channelId);
    if (!bookingId) return this.noteDeparted(channelId);
    this.where.delete(channelId);
    this.enteredAt.delete(channelId);
    this.starred.delete(channelId);
    void this.inBooking(bookingId, async () => {
      await this.saves.get(channelId);
      this.saves.delete(channelId);
      await this.forget([channelId], bookingId);
      const conf = this.confs.get(bookingId);
      if (!conf || conf.ending) return;
      const wasMember = conf.members.delete(channelId);
      const wasLeg = conf.legs.delete(channelId);
      this.countCallers();
      if (conf.members.size === 0) return this.tidy(conf);
      if (wasMember) this.tones.play(conf.bridgeId, PROMPTS.leaveTone);
      if (wasLeg) this.retryRoom(conf);
    });
  }

  /**
   * Keys pressed in the conference (DTMF reaches a bridged channel, recording f): `*6` mutes or
   * unmutes oneself, as in most conferencing services. Other keys are ignored.
   */
  keypad(channelId: string, digit: string): void {
    const bookingId = this.where.get(channelId);
    if (!bookingId) return;
    if (digit === '*') return void this.starred.add(channelId);
    if (!this.starred.delete(channelId) || digit !== '6') return;
    void this.inBooking(bookingId, async () => {
      const row = await this.d.uow.repos.audio.participant(channelId);
      if (!row || row.role === 'room') return;
      const muted = !row.muted;
      await this.d.rest.mute(channelId, muted);
      await this.d.uow.transaction(async (r) => {
        await r.audio.setMuted(channelId, muted);
        await r.audio.notify([bookingId]);
      });
      this.d.playbacks.play({ channel: channelId }, [muted ? PROMPTS.muted : PROMPTS.unmuted], 'wm-mute');
    });
  }

  /** Ends the conferences whose booking ended, was cancelled or lost its audio. */
  async sweep(): Promise<void> {
    const ids = [...this.confs.keys()];
    if (ids.length === 0) return;
    const states = await this.d.uow.repos.audio.states(ids);
    const now = this.d.clock.now();
    await Promise.all(
      ids.map((id) => {
        const s = states.get(id);
        if (s && s.status === 'confirmed' && s.enabled && now < s.closes) return;
        return this.inBooking(id, () => this.end(id));
      }),
    );
  }

  /**
   * Rebuilds the conferences from Asterisk's bridges after a (re)connect, keeping the host's list
   * (roles, mutes) for the calls still there. Returns the channels found in our bridges.
   */
  async adopt(bridges: AriBridge[], live: Map<string, AriChannel>, masked: (ch: AriChannel) => string, mark: number): Promise<Set<string>> {
    const ours = bridges.filter((b) => bookingOfBridge(b.id));
    const stored = new Map<string, PhoneParticipant>();
    for (const b of ours) for (const p of await this.d.uow.repos.audio.participants(bookingOfBridge(b.id)!)) stored.set(p.channelId, p);
    // What changed after the snapshot (a conference made, a caller added meanwhile) stays; the rest
    // is what the snapshot says.
    const since = (id: string) => (this.enteredAt.get(id) ?? 0) > mark;
    for (const [bookingId, conf] of this.confs) if (!ours.some((b) => b.id === conf.bridgeId) && conf.madeAt <= mark) this.confs.delete(bookingId);
    for (const id of [...this.where.keys()]) if (!since(id)) this.where.delete(id);
    const present: PhoneParticipant[] = [];
    for (const b of ours) {
      const bookingId = bookingOfBridge(b.id)!;
      const conf = this.confs.get(bookingId) ?? this.fresh(bookingId);
      for (const set of [conf.members, conf.legs]) for (const id of [...set]) if (!since(id)) set.delete(id);
      conf.dialing = null;
      this.confs.set(bookingId, conf);
      for (const id of b.channels) {
        const ch = live.get(id);
        if (!ch) continue;
        const row = stored.get(id);
        // The stored role, else what the call is: a room's leg takes no seat even without its row
        // (the portal may have died between addChannel and saving it).
        const role: Role = isRoomLeg(ch) ? 'room' : (row?.role ?? 'participant');
        this.enter(conf, id, role);
        present.push({ channelId: id, bookingId, role, caller: row?.caller ?? (role === 'room' ? '' : masked(ch)), muted: row?.muted ?? false, joinedAt: row?.joinedAt ?? this.d.clock.now() });
      }
    }
    const changed = await this.d.uow.transaction(async (r) => {
      const ids = await r.audio.replaceParticipants(present);
      await r.audio.notify(ids);
      return ids;
    });
    this.d.logger.info({ conferences: ours.length, inConference: present.length, changedBookings: changed.length }, 'audio: adopted the calls in progress on Asterisk');
    for (const conf of this.confs.values()) {
      if (conf.members.size === 0 && [...conf.legs].every((l) => bookingOfLeg(l))) void this.inBooking(conf.bookingId, () => this.close(conf));
      else if (conf.legs.size === 0) void this.inBooking(conf.bookingId, () => this.connectRoom(conf.bookingId));
      else this.dropOrphanRtpLegs(conf, live);
    }
    return new Set(this.where.keys());
  }

  private fresh(bookingId: string): Conf {
    return { bookingId, bridgeId: bridgeIdOf(bookingId), members: new Set(), legs: new Set(), dialing: null, legRetry: null, ending: false, madeAt: ++this.seq };
  }

  private enter(conf: Conf, channelId: string, role: Role): void {
    (role === 'room' ? conf.legs : conf.members).add(channelId);
    this.where.set(channelId, conf.bookingId);
    this.enteredAt.set(channelId, ++this.seq);
    this.countCallers();
  }

  private noteDeparted(channelId: string): void {
    const now = Date.now();
    this.departed.set(channelId, now);
    // Oldest first (insertion order): drop those past a minute.
    for (const [id, at] of this.departed) {
      if (now - at < 60_000) break;
      this.departed.delete(id);
    }
  }

  /** Without callers the room leg we called leaves and the bridge goes (a room that dials in by itself stays: it would not call again). */
  private async tidy(conf: Conf): Promise<void> {
    if (conf.members.size > 0 || conf.ending) return;
    for (const leg of conf.legs) if (bookingOfLeg(leg)) await this.d.rest.hangup(leg).catch(ignoreGone);
    if ([...conf.legs].every((leg) => bookingOfLeg(leg))) await this.close(conf);
  }

  private async ensure(bookingId: string): Promise<Conf> {
    let conf = this.confs.get(bookingId);
    if (conf) return conf;
    conf = this.fresh(bookingId);
    try {
      await this.d.rest.createBridge(conf.bridgeId, conf.bridgeId);
    } catch (e) {
      // 409: the bridge is there already (made before a restart): use it.
      if (!isGone(e)) throw e;
    }
    this.confs.set(bookingId, conf);
    return conf;
  }

  /** Connects the virtual room's audio when callers are there and it is not (yet). */
  private async connectRoom(bookingId: string): Promise<void> {
    const conf = this.confs.get(bookingId);
    if (!conf || conf.ending || conf.members.size === 0 || conf.legs.size > 0 || conf.dialing) return;
    const audio = await this.d.roomAudio(bookingId).catch((err: unknown) => {
      this.d.logger.warn({ err, bookingId }, 'audio: the room leg could not be looked up');
      return null;
    });
    // Null also while the meeting is not prepared yet: look again later while callers wait.
    if (!audio) return this.retryRoom(conf);
    if (audio.mode === 'dials-in') return;
    const channelId = `wm-leg-${bookingId}-${(++this.legSeq).toString(36)}`;
    conf.dialing = channelId;
    try {
      if (audio.mode === 'originate') {
        await this.d.rest.originate({ endpoint: audio.endpoint, channelId, appArgs: ['room-leg', bookingId], callerId: audio.callerId, timeoutSeconds: 30, variables: audio.variables });
      } else {
        await this.externalLeg(channelId, audio);
      }
    } catch (err) {
      this.d.logger.warn({ err, bookingId }, 'audio: the room leg could not be called');
      conf.dialing = null;
      this.retryRoom(conf);
    }
  }

  /**
   * The room's RTP peer first (Janus reserves its port), then Asterisk's externalMedia channel
   * towards it, then the room learns where Asterisk listens (the channel's UNICASTRTP_LOCAL_*).
   * Should the room drop the peer, the leg hangs up and is connected again like any lost leg.
   */
  private async externalLeg(channelId: string, audio: Extract<RoomLegPlan, { mode: 'external-media' }>): Promise<void> {
    const peer = await audio.open(() => void this.d.rest.hangup(channelId).catch(ignoreGone));
    this.peers.set(channelId, peer);
    try {
      const ch = await this.d.rest.externalMedia({ channelId, host: peer.host, format: audio.format });
      const address = ch.channelvars?.UNICASTRTP_LOCAL_ADDRESS;
      const port = Number(ch.channelvars?.UNICASTRTP_LOCAL_PORT);
      if (!address || !Number.isInteger(port) || port <= 0) throw new Error('Asterisk did not say where the externalMedia channel takes RTP');
      await peer.connect({ address, port });
    } catch (err) {
      this.dropPeer(channelId);
      await this.d.rest.hangup(channelId).catch(() => undefined);
      throw err;
    }
  }

  /**
   * An externalMedia leg whose room peer this process does not hold (it was made before a restart:
   * the peer's Janus session died with the old process) carries nothing: hang it up, and the leg's
   * departure connects the room again.
   */
  private dropOrphanRtpLegs(conf: Conf, live: Map<string, AriChannel>): void {
    for (const id of conf.legs) {
      if (bookingOfLeg(id) && live.get(id)?.name.startsWith('UnicastRTP/') && !this.peers.has(id)) void this.d.rest.hangup(id).catch(ignoreGone);
    }
  }

  private dropPeer(channelId: string): void {
    const peer = this.peers.get(channelId);
    if (!peer) return;
    this.peers.delete(channelId);
    peer.close().catch((err: unknown) => this.d.logger.warn({ err, channelId }, 'audio: the room’s RTP peer did not close'));
  }

  private retryRoom(conf: Conf): void {
    if (conf.legRetry || conf.ending) return;
    conf.legRetry = setTimeout(() => {
      conf.legRetry = null;
      void this.inBooking(conf.bookingId, () => this.connectRoom(conf.bookingId));
    }, this.d.roomLegRetryMs);
    conf.legRetry.unref();
  }

  private async end(bookingId: string): Promise<void> {
    const conf = this.confs.get(bookingId);
    if (!conf || conf.ending) return;
    conf.ending = true;
    if (conf.legRetry) clearTimeout(conf.legRetry);
    const everyone = [...conf.members, ...conf.legs];
    if (conf.members.size > 0) await this.d.playbacks.playAndWait({ bridge: conf.bridgeId }, [PROMPTS.goodbye]);
    const saved = everyone.map((id) => this.saves.get(id));
    await Promise.all(everyone.map((id) => this.d.rest.hangup(id).catch(ignoreGone)));
    for (const id of everyone) this.dropPeer(id);
    await this.close(conf);
    await Promise.all(saved);
    for (const id of everyone) {
      this.where.delete(id);
      this.enteredAt.delete(id);
      this.saves.delete(id);
    }
    await this.forget(everyone, bookingId);
  }

  private async close(conf: Conf): Promise<void> {
    if (conf.legRetry) clearTimeout(conf.legRetry);
    this.confs.delete(conf.bookingId);
    this.countCallers();
    // A tone still queued when the bridge goes would be lost with a warning (tones.ts).
    await this.tones.silence(conf.bridgeId);
    await this.d.rest.destroyBridge(conf.bridgeId).catch(ignoreGone);
  }

  private save(p: PhoneParticipant): void {
    const saving = this.d.uow
      .transaction(async (r) => {
        await r.audio.saveParticipant(p);
        await r.audio.notify([p.bookingId]);
      })
      .catch((err: unknown) => this.d.logger.warn({ err, bookingId: p.bookingId }, 'audio: could not list the caller for the host'));
    this.saves.set(p.channelId, saving);
  }

  private async forget(channelIds: string[], bookingId: string): Promise<void> {
    await this.d.uow.transaction(async (r) => {
      for (const id of channelIds) await r.audio.removeParticipant(id);
      await r.audio.notify([bookingId]);
    });
  }

  private countCallers(): void {
    let n = 0;
    for (const c of this.confs.values()) n += c.members.size;
    this.d.observeCallers?.(n);
  }
}

export function ignoreGone(e: unknown): void {
  if (!isGone(e)) throw e;
}
