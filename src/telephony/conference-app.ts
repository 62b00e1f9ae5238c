// The Stasis application `webmeetings` (issue #7): answers callers, asks for the PIN, puts them into
// their booking's mixing bridge, connects the virtual room's audio leg, and ends the conference
// when the booking does. It runs on the one portal instance that holds the ARI events socket
// (holder.ts); its memory is a cache of Asterisk's state, rebuilt by `adopt()` from GET
// /applications, /bridges and /channels after every (re)connect, so a restart drops nobody.
//
// Event facts it relies on (shared/reference/asterisk-ari/README.md): StasisStart is a call's first
// event and carries the Stasis() args; Entered/LeftBridge may come before or after the REST answer,
// so membership is changed on the REST answer, not on the event; StasisEnd ends an inbound call (no
// ChannelDestroyed follows); an originate that fails ends with ChannelDestroyed and no StasisStart.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { admit, maskCaller, type Admission, type Conference } from '../domain/dial-in.ts';
import type { Clock, PhoneParticipant, UnitOfWork } from '../ports.ts';
import type { RoomAudio } from '../providers/port.ts';
import { isGone, type AriRest } from './ari/client.ts';
import type { AriChannel, AriEvent } from './ari/types.ts';
import { PROMPTS, REFUSAL_PROMPT } from './prompts.ts';

export const bridgeIdOf = (bookingId: string) => `wm-conf-${bookingId}`;
const BRIDGE_ID = /^wm-conf-([0-9a-f-]{36})$/;
const LEG_ID = /^wm-leg-([0-9a-f-]{36})(?:-|$)/;
const bookingOfBridge = (id: string) => BRIDGE_ID.exec(id)?.[1] ?? null;
const bookingOfLeg = (id: string) => LEG_ID.exec(id)?.[1] ?? null;
// Longest prompt sequence we wait for before going on regardless.
const PROMPT_LIMIT_MS = 15_000;

export type ConferenceAppDeps = {
  rest: AriRest;
  uow: UnitOfWork;
  clock: Clock;
  logger: Logger;
  settings: { pinAttempts: number; digitTimeoutMs: number; pinDigits: number; roomLegRetryMs: number };
  /** How the booking's virtual room takes phone audio (its provider's AudioLeg), or null. */
  roomAudio(bookingId: string): Promise<RoomAudio | null>;
  /** People in the virtual room on the web (the provider's head count; 0 when unknown). */
  webCount(bookingId: string): Promise<number>;
  /** A phone caller entered: the meeting is not a no-show. */
  onJoined(bookingId: string): Promise<void>;
  /** Seconds from the PIN being complete to the caller being in the bridge. */
  observeAdmission?: (seconds: number) => void;
  /** Phone callers in all conferences now (rooms' legs not counted), after each change. */
  observeCallers?: (callers: number) => void;
};

type Role = PhoneParticipant['role'];

type Call = {
  id: string;
  caller: string;
  /** A virtual room calling in with the PIN (Adobe Connect Universal Voice), or a leg we originated. */
  roomLeg: boolean;
  phase: 'pin' | 'checking' | 'in-conference' | 'leaving';
  digits: string;
  attempts: number;
  timer: NodeJS.Timeout | null;
  prompt: string | null;
  bookingId: string | null;
  role: Role | null;
  submittedAt: number;
  /** The host's list is written after the caller is in the bridge, outside the booking's lane. */
  saved: Promise<void>;
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
};

export class ConferenceApp {
  private readonly d: ConferenceAppDeps;
  private readonly calls = new Map<string, Call>();
  private readonly confs = new Map<string, Conf>();
  private readonly lanes = new Map<string, Promise<unknown>>();
  private readonly waiters = new Map<string, () => void>();
  private legSeq = 0;
  private stopped = false;
  /** Admission times (ms) of the last calls, for the benchmark and tests. */
  readonly admissions: number[] = [];

  constructor(deps: ConferenceAppDeps) {
    this.d = deps;
  }

  /** Phone callers in each conference this instance knows of. */
  snapshot(): { bookingId: string; members: string[]; legs: string[] }[] {
    return [...this.confs.values()].map((c) => ({ bookingId: c.bookingId, members: [...c.members], legs: [...c.legs] }));
  }

  handle(e: AriEvent): void {
    if (this.stopped) return;
    const ch = e.channel;
    switch (e.type) {
      case 'StasisStart':
        if (ch) this.onStart(ch, e.args ?? []);
        return;
      case 'ChannelDtmfReceived':
        if (ch && e.digit) this.onDigit(ch.id, e.digit);
        return;
      case 'StasisEnd':
        if (ch) this.onEnd(ch.id);
        return;
      case 'ChannelDestroyed':
        if (ch) this.onDestroyed(ch.id);
        return;
      case 'PlaybackFinished':
        if (e.playback) this.onPlaybackFinished(e.playback.id);
        return;
    }
  }

  /** Forgets everything without touching the calls (leadership lost: another instance adopts them). */
  reset(): void {
    for (const call of this.calls.values()) if (call.timer) clearTimeout(call.timer);
    for (const conf of this.confs.values()) if (conf.legRetry) clearTimeout(conf.legRetry);
    for (const done of this.waiters.values()) done();
    this.calls.clear();
    this.confs.clear();
    this.waiters.clear();
  }

  stop(): void {
    this.stopped = true;
    this.reset();
  }

  start(): void {
    this.stopped = false;
  }

  // ---- arriving, PIN entry ----

  private onStart(ch: AriChannel, args: string[]): void {
    if (this.calls.has(ch.id)) return;
    const legOf = bookingOfLeg(ch.id);
    if (legOf) {
      void this.inBooking(legOf, () => this.legArrived(ch, legOf));
      return;
    }
    const pin = args.find((a) => a.startsWith('pin='))?.slice(4).replace(/[^0-9]/g, '') ?? '';
    const call = this.newCall(ch, args.includes('room-leg'));
    this.calls.set(ch.id, call);
    void this.guard(call, async () => {
      await this.d.rest.answer(ch.id);
      if (pin) await this.submit(call, pin);
      else await this.prompt(call);
    });
  }

  private newCall(ch: AriChannel, roomLeg: boolean): Call {
    return { id: ch.id, caller: maskCaller(ch.caller?.number), roomLeg, phase: 'pin', digits: '', attempts: 0, timer: null, prompt: null, bookingId: null, role: null, submittedAt: 0, saved: Promise.resolve() };
  }

  private async prompt(call: Call): Promise<void> {
    call.phase = 'pin';
    call.digits = '';
    const id = `wm-pin-${call.id}-${randomUUID().slice(0, 8)}`;
    call.prompt = id;
    // The digit timeout starts when the prompt ends; this one covers a prompt that never ends.
    this.arm(call, this.d.settings.digitTimeoutMs + PROMPT_LIMIT_MS);
    await this.d.rest.play({ channel: call.id }, [PROMPTS.enterPin], id);
  }

  private onDigit(channelId: string, digit: string): void {
    const call = this.calls.get(channelId);
    if (!call || call.phase !== 'pin') return;
    if (call.prompt) {
      // Typing over the prompt stops it; a channel operation would otherwise wait for its end.
      const id = call.prompt;
      call.prompt = null;
      this.d.rest.stopPlayback(id).catch(() => undefined);
    }
    if (digit === '#') return this.complete(call);
    if (digit === '*') call.digits = '';
    else if (/^[0-9]$/.test(digit)) call.digits += digit;
    if (call.digits.length >= this.d.settings.pinDigits) return this.complete(call);
    this.arm(call, this.d.settings.digitTimeoutMs);
  }

  private complete(call: Call): void {
    if (call.timer) clearTimeout(call.timer);
    call.timer = null;
    const pin = call.digits;
    void this.guard(call, () => this.submit(call, pin));
  }

  private arm(call: Call, ms: number): void {
    if (call.timer) clearTimeout(call.timer);
    call.timer = setTimeout(() => {
      call.timer = null;
      if (call.phase === 'pin' && this.calls.get(call.id) === call) this.complete(call);
    }, ms);
    call.timer.unref();
  }

  private async submit(call: Call, pin: string): Promise<void> {
    call.phase = 'checking';
    call.submittedAt = performance.now();
    const found = pin ? await this.d.uow.repos.audio.resolve(pin, this.d.clock.now()) : null;
    if (!found) return this.refuse(call, 'unknown');
    await this.inBooking(found.bookingId, async () => {
      if (this.calls.get(call.id) !== call) return; // hung up meanwhile
      const adm = await this.admission(call, found);
      if (!adm.ok) return this.refuse(call, adm.reason);
      await this.join(call, adm.bookingId, call.roomLeg ? 'room' : adm.role);
    });
  }

  /** Inside the booking's lane, so two callers cannot both take the last seat. */
  private async admission(call: Call, found: Conference): Promise<Admission> {
    const now = this.d.clock.now();
    // A room calling in is the meeting itself: no seat, and a lock does not keep it out.
    if (call.roomLeg) return admit({ ...found, role: 'host' }, now, 0);
    const conf = this.confs.get(found.bookingId);
    const phone = conf?.members.size ?? 0;
    const web = found.role === 'host' || found.locked ? 0 : await this.d.webCount(found.bookingId).catch(() => 0);
    return admit(found, now, phone + web);
  }

  private async refuse(call: Call, reason: Exclude<Admission, { ok: true }>['reason']): Promise<void> {
    if (reason === 'unknown' && ++call.attempts < this.d.settings.pinAttempts) {
      await this.playAndWait({ channel: call.id }, [PROMPTS.invalidPin]);
      if (this.calls.get(call.id) === call) await this.prompt(call);
      return;
    }
    call.phase = 'leaving';
    await this.playAndWait({ channel: call.id }, [REFUSAL_PROMPT[reason], PROMPTS.goodbye]);
    await this.d.rest.hangup(call.id).catch(ignoreGone);
  }

  // ---- in the conference ----

  private async join(call: Call, bookingId: string, role: Role): Promise<void> {
    const conf = await this.ensureConf(bookingId);
    const alone = conf.members.size === 0;
    await this.d.rest.addChannel(conf.bridgeId, call.id);
    (role === 'room' ? conf.legs : conf.members).add(call.id);
    this.countCallers();
    call.phase = 'in-conference';
    call.bookingId = bookingId;
    call.role = role;
    const ms = performance.now() - call.submittedAt;
    this.admissions.push(ms);
    if (this.admissions.length > 10_000) this.admissions.shift();
    this.d.observeAdmission?.(ms / 1000);
    // Not awaited: the next caller of this booking need not wait for the database (a leave awaits it).
    call.saved = this.save({ channelId: call.id, bookingId, role, caller: role === 'room' ? '' : call.caller, muted: false, joinedAt: this.d.clock.now() }).catch((err: unknown) =>
      this.d.logger.warn({ err, bookingId }, 'audio: could not list the caller for the host'),
    );
    if (role === 'room') return;
    const tone = alone ? this.d.rest.play({ channel: call.id }, [PROMPTS.onlyPerson], `wm-alone-${call.id}`) : this.d.rest.play({ bridge: conf.bridgeId }, [PROMPTS.joinTone], `wm-tone-${randomUUID()}`);
    tone.catch(() => undefined);
    this.d.onJoined(bookingId).catch((err: unknown) => this.d.logger.warn({ err, bookingId }, 'audio: could not mark the meeting as joined'));
    if (alone) void this.inBooking(bookingId, () => this.connectRoom(bookingId));
  }

  private async ensureConf(bookingId: string): Promise<Conf> {
    let conf = this.confs.get(bookingId);
    if (conf) return conf;
    const bridgeId = bridgeIdOf(bookingId);
    try {
      await this.d.rest.createBridge(bridgeId, bridgeId);
    } catch (e) {
      // 409: the bridge is there already (made before a restart): use it.
      if (!isGone(e)) throw e;
    }
    conf = { bookingId, bridgeId, members: new Set(), legs: new Set(), dialing: null, legRetry: null, ending: false };
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
        await this.d.rest.externalMedia({ channelId, host: audio.host, format: audio.format });
      }
    } catch (err) {
      this.d.logger.warn({ err, bookingId }, 'audio: the room leg could not be called');
      conf.dialing = null;
      this.retryRoom(conf);
    }
  }

  private retryRoom(conf: Conf): void {
    if (conf.legRetry || conf.ending) return;
    conf.legRetry = setTimeout(() => {
      conf.legRetry = null;
      void this.inBooking(conf.bookingId, () => this.connectRoom(conf.bookingId));
    }, this.d.settings.roomLegRetryMs);
    conf.legRetry.unref();
  }

  private async legArrived(ch: AriChannel, bookingId: string): Promise<void> {
    const conf = this.confs.get(bookingId);
    if (conf?.dialing === ch.id) conf.dialing = null;
    if (!conf || conf.ending || conf.members.size === 0) {
      await this.d.rest.hangup(ch.id).catch(ignoreGone);
      return;
    }
    await this.d.rest.addChannel(conf.bridgeId, ch.id);
    conf.legs.add(ch.id);
    this.calls.set(ch.id, { ...this.newCall(ch, true), phase: 'in-conference', bookingId, role: 'room' });
    await this.save({ channelId: ch.id, bookingId, role: 'room', caller: '', muted: false, joinedAt: this.d.clock.now() });
  }

  private onDestroyed(channelId: string): void {
    // An originated leg that never answered (busy, no answer): ChannelDestroyed without StasisStart.
    const bookingId = bookingOfLeg(channelId);
    if (!bookingId || this.calls.has(channelId)) return;
    const conf = this.confs.get(bookingId);
    if (conf?.dialing !== channelId) return;
    conf.dialing = null;
    this.d.logger.warn({ bookingId }, 'audio: the virtual room did not answer its leg; retrying later');
    this.retryRoom(conf);
  }

  private onEnd(channelId: string): void {
    const call = this.calls.get(channelId);
    if (!call) return;
    this.calls.delete(channelId);
    if (call.timer) clearTimeout(call.timer);
    if (!call.bookingId) return;
    const bookingId = call.bookingId;
    void this.inBooking(bookingId, async () => {
      await call.saved;
      await this.forget([channelId], bookingId);
      const conf = this.confs.get(bookingId);
      if (!conf || conf.ending) return;
      const wasMember = conf.members.delete(channelId);
      const wasLeg = conf.legs.delete(channelId);
      this.countCallers();
      if (conf.members.size === 0) {
        // The room leg leaves after the last caller (a room that dials in by itself stays: it would not call again).
        for (const leg of conf.legs) if (bookingOfLeg(leg)) await this.d.rest.hangup(leg).catch(ignoreGone);
        if ([...conf.legs].every((leg) => bookingOfLeg(leg))) await this.close(conf);
        return;
      }
      if (wasMember) this.d.rest.play({ bridge: conf.bridgeId }, [PROMPTS.leaveTone], `wm-tone-${randomUUID()}`).catch(() => undefined);
      if (wasLeg) this.retryRoom(conf);
    });
  }

  // ---- ending ----

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

  private async end(bookingId: string): Promise<void> {
    const conf = this.confs.get(bookingId);
    if (!conf || conf.ending) return;
    conf.ending = true;
    if (conf.legRetry) clearTimeout(conf.legRetry);
    const everyone = [...conf.members, ...conf.legs];
    if (conf.members.size > 0) await this.playAndWait({ bridge: conf.bridgeId }, [PROMPTS.goodbye]);
    const saved = everyone.map((id) => this.calls.get(id)?.saved);
    await Promise.all(everyone.map((id) => this.d.rest.hangup(id).catch(ignoreGone)));
    await this.close(conf);
    await Promise.all(saved);
    await this.forget(everyone, bookingId);
  }

  private async close(conf: Conf): Promise<void> {
    if (conf.legRetry) clearTimeout(conf.legRetry);
    this.confs.delete(conf.bookingId);
    this.countCallers();
    await this.d.rest.destroyBridge(conf.bridgeId).catch(ignoreGone);
  }

  // ---- adopting Asterisk's state after a (re)connect or a restart ----

  async adopt(): Promise<void> {
    const { rest } = this.d;
    // PlaybackFinished events of the gap are lost for good (nothing is replayed): stop waiting for them.
    for (const done of this.waiters.values()) done();
    this.waiters.clear();
    const [app, bridges, channels] = await Promise.all([rest.application(), rest.bridges(), rest.channels()]);
    const live = new Map(channels.map((c) => [c.id, c]));
    const inApp = new Set(app.channel_ids);
    const stored = new Map<string, PhoneParticipant>();
    const ours = bridges.filter((b) => bookingOfBridge(b.id));
    for (const b of ours) for (const p of await this.d.uow.repos.audio.participants(bookingOfBridge(b.id)!)) stored.set(p.channelId, p);

    // Calls that ended while no socket was connected.
    for (const [id, call] of this.calls) {
      if (live.has(id) && inApp.has(id)) continue;
      if (call.timer) clearTimeout(call.timer);
      this.calls.delete(id);
    }
    for (const [bookingId, conf] of this.confs) if (!ours.some((b) => b.id === conf.bridgeId)) this.confs.delete(bookingId);

    const bridged = new Set<string>();
    const present: PhoneParticipant[] = [];
    for (const b of ours) {
      const bookingId = bookingOfBridge(b.id)!;
      const conf = this.confs.get(bookingId) ?? { bookingId, bridgeId: b.id, members: new Set<string>(), legs: new Set<string>(), dialing: null, legRetry: null, ending: false };
      conf.members.clear();
      conf.legs.clear();
      conf.dialing = null;
      this.confs.set(bookingId, conf);
      for (const id of b.channels) {
        const ch = live.get(id);
        if (!ch) continue;
        bridged.add(id);
        const row = stored.get(id);
        const role: Role = bookingOfLeg(id) ? 'room' : (row?.role ?? 'participant');
        (role === 'room' ? conf.legs : conf.members).add(id);
        const call = this.calls.get(id) ?? this.newCall(ch, role === 'room');
        Object.assign(call, { phase: 'in-conference', bookingId, role });
        this.calls.set(id, call);
        present.push({ channelId: id, bookingId, role, caller: row?.caller ?? (role === 'room' ? '' : call.caller), muted: row?.muted ?? false, joinedAt: row?.joinedAt ?? this.d.clock.now() });
      }
    }
    const changed = await this.d.uow.transaction(async (r) => {
      const ids = await r.audio.replaceParticipants(present);
      await r.audio.notify(ids);
      return ids;
    });
    this.d.logger.info({ conferences: ours.length, inConference: present.length, changedBookings: changed.length }, 'audio: adopted the calls in progress on Asterisk');
    this.countCallers();

    // Callers who were entering their PIN lost their digits with the socket: ask again.
    for (const id of inApp) {
      const ch = live.get(id);
      if (!ch || bridged.has(id)) continue;
      const legOf = bookingOfLeg(id);
      if (legOf) {
        void this.inBooking(legOf, () => this.legArrived(ch, legOf));
        continue;
      }
      const call = this.calls.get(id) ?? this.newCall(ch, false);
      this.calls.set(id, call);
      if (call.phase === 'checking') continue;
      void this.guard(call, async () => {
        if (call.phase === 'leaving') return void (await this.d.rest.hangup(id).catch(ignoreGone));
        if (ch.state !== 'Up') await this.d.rest.answer(id);
        await this.prompt(call);
      });
    }
    for (const conf of this.confs.values()) {
      if (conf.members.size === 0 && [...conf.legs].every((l) => bookingOfLeg(l))) void this.inBooking(conf.bookingId, () => this.close(conf));
      else if (conf.legs.size === 0) void this.inBooking(conf.bookingId, () => this.connectRoom(conf.bookingId));
    }
    await this.sweep();
  }

  // ---- plumbing ----

  private countCallers(): void {
    let n = 0;
    for (const c of this.confs.values()) n += c.members.size;
    this.d.observeCallers?.(n);
  }

  private async save(p: PhoneParticipant): Promise<void> {
    await this.d.uow.transaction(async (r) => {
      await r.audio.saveParticipant(p);
      await r.audio.notify([p.bookingId]);
    });
  }

  private async forget(channelIds: string[], bookingId: string): Promise<void> {
    await this.d.uow.transaction(async (r) => {
      for (const id of channelIds) await r.audio.removeParticipant(id);
      await r.audio.notify([bookingId]);
    });
  }

  /** Plays and waits for PlaybackFinished (or a limit: a missing sound may never finish, recording c). */
  private async playAndWait(target: { channel: string } | { bridge: string }, media: string[]): Promise<void> {
    const id = `wm-say-${randomUUID()}`;
    const finished = new Promise<void>((resolve) => this.waiters.set(id, resolve));
    try {
      await this.d.rest.play(target, media, id);
    } catch (e) {
      this.waiters.delete(id);
      if (isGone(e)) return;
      throw e;
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([finished, new Promise<void>((resolve) => (timer = setTimeout(resolve, PROMPT_LIMIT_MS * media.length)))]);
    clearTimeout(timer);
    this.waiters.delete(id);
  }

  private onPlaybackFinished(playbackId: string): void {
    this.waiters.get(playbackId)?.();
    for (const call of this.calls.values()) {
      if (call.prompt !== playbackId) continue;
      call.prompt = null;
      if (call.phase === 'pin') this.arm(call, this.d.settings.digitTimeoutMs);
    }
  }

  /** Work on one booking's conference runs in order (bridge creation, seats, legs). */
  private inBooking(bookingId: string, work: () => Promise<void>): Promise<void> {
    const next = (this.lanes.get(bookingId) ?? Promise.resolve()).then(work).catch((err: unknown) => {
      if (!isGone(err)) this.d.logger.error({ err, bookingId }, 'audio: conference step failed');
    });
    this.lanes.set(bookingId, next);
    void next.then(() => {
      if (this.lanes.get(bookingId) === next) this.lanes.delete(bookingId);
    });
    return next;
  }

  /** A caller's step; a caller who hung up meanwhile (404/409/422 from ARI) is not an error. */
  private async guard(call: Call, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      if (isGone(err) || !this.calls.has(call.id)) return;
      this.d.logger.error({ err, channelId: call.id }, 'audio: call step failed; hanging up');
      await this.d.rest.hangup(call.id).catch(() => undefined);
    }
  }
}

function ignoreGone(e: unknown): void {
  if (!isGone(e)) throw e;
}
