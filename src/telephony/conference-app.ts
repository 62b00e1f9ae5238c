// The Stasis application `webmeetings` (issue #7): answers callers, asks for the PIN, and hands
// admitted callers to their booking's conference (conferences.ts). It runs on the one portal
// instance that holds the ARI events socket (holder.ts); its memory is a cache of Asterisk's state,
// rebuilt by `adopt()` from GET /applications, /bridges and /channels after every (re)connect, so a
// restart drops nobody.
//
// Event facts it relies on (shared/reference/asterisk-ari/README.md): StasisStart is a call's first
// event and carries the Stasis() args; StasisEnd ends an inbound call (no ChannelDestroyed follows);
// an originate that fails ends with ChannelDestroyed and no StasisStart; nothing is replayed after
// a reconnect.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { admit, maskCaller, type Admission, type Conference } from '../domain/dial-in.ts';
import type { Clock, UnitOfWork } from '../ports.ts';
import { isGone, type AriRest } from './ari/client.ts';
import type { AriChannel, AriEvent } from './ari/types.ts';
import { bookingOfLeg, Conferences, ignoreGone, isRoomLeg, type RoomLegPlan } from './conferences.ts';
import { Playbacks, PROMPT_LIMIT_MS } from './playbacks.ts';
import { PROMPTS, REFUSAL_PROMPT } from './prompts.ts';


export type ConferenceAppDeps = {
  rest: AriRest;
  uow: UnitOfWork;
  clock: Clock;
  logger: Logger;
  settings: { pinAttempts: number; digitTimeoutMs: number; pinDigits: number; roomLegRetryMs: number };
  /** How the booking's virtual room takes phone audio (its provider's AudioLeg), or null. */
  roomAudio(bookingId: string): Promise<RoomLegPlan | null>;
  /** People in the virtual room on the web (the provider's head count; 0 when unknown). */
  webCount(bookingId: string): Promise<number>;
  /** A phone caller entered: the meeting is not a no-show. */
  onJoined(bookingId: string): Promise<void>;
  /** Seconds from the PIN being complete to the caller being in the bridge. */
  observeAdmission?: (seconds: number) => void;
  /** Phone callers in all conferences now (rooms' legs not counted), after each change. */
  observeCallers?: (callers: number) => void;
};

type Refusal = Exclude<Admission, { ok: true }>['reason'];

/** A caller not yet in a bridge: answering, typing the PIN, being checked, or hearing why not. */
type Call = {
  id: string;
  caller: string;
  /** A virtual room calling in with the PIN (Adobe Connect Universal Voice): joins as the room. */
  roomLeg: boolean;
  phase: 'pin' | 'checking' | 'leaving';
  digits: string;
  attempts: number;
  timer: NodeJS.Timeout | null;
  prompt: string | null;
  submittedAt: number;
};

export class ConferenceApp {
  private readonly d: ConferenceAppDeps;
  private readonly calls = new Map<string, Call>();
  private readonly playbacks: Playbacks;
  private readonly conferences: Conferences;
  private stopped = false;
  /** Events that arrive while an adoption reads Asterisk's state wait for it, then apply in order. */
  private held: AriEvent[] | null = null;
  /** Admission times (ms) of the last calls, for the benchmark and tests. */
  readonly admissions: number[] = [];

  constructor(deps: ConferenceAppDeps) {
    this.d = deps;
    this.playbacks = new Playbacks(deps.rest);
    this.conferences = new Conferences({ ...deps, playbacks: this.playbacks, roomLegRetryMs: deps.settings.roomLegRetryMs });
  }

  /** Phone callers in each conference this instance knows of. */
  snapshot(): { bookingId: string; members: string[]; legs: string[] }[] {
    return this.conferences.snapshot();
  }

  sweep(): Promise<void> {
    return this.conferences.sweep();
  }

  handle(e: AriEvent): void {
    if (this.stopped) return;
    if (this.held) this.held.push(e);
    else this.dispatch(e);
  }

  private dispatch(e: AriEvent): void {
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
        if (ch) this.conferences.legFailed(ch.id);
        return;
      case 'PlaybackStarted':
        if (e.playback) this.conferences.playbackStarted(e.playback.id);
        return;
      case 'PlaybackFinished':
        if (e.playback) this.onPlaybackFinished(e.playback.id);
        return;
    }
  }

  /** Forgets everything without touching the calls (leadership lost: another instance adopts them). */
  reset(): void {
    for (const call of this.calls.values()) if (call.timer) clearTimeout(call.timer);
    this.calls.clear();
    this.conferences.reset();
    this.playbacks.releaseAll();
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
    if (this.calls.has(ch.id) || this.conferences.isBridged(ch.id)) return;
    const legOf = bookingOfLeg(ch.id);
    if (legOf) {
      void this.conferences.legArrived(ch, legOf);
      return;
    }
    const pin = args.find((a) => a.startsWith('pin='))?.slice(4).replace(/[^0-9]/g, '') ?? '';
    const call = this.newCall(ch, isRoomLeg(ch, args));
    this.calls.set(ch.id, call);
    void this.guard(call, async () => {
      await this.d.rest.answer(ch.id);
      if (pin) await this.submit(call, pin);
      else await this.prompt(call);
    });
  }

  private newCall(ch: AriChannel, roomLeg: boolean): Call {
    return { id: ch.id, caller: maskCaller(ch.caller?.number), roomLeg, phase: 'pin', digits: '', attempts: 0, timer: null, prompt: null, submittedAt: 0 };
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

  /** `#` or the full PIN length submits, `*` starts again, a silent digit timeout submits what there is. */
  private onDigit(channelId: string, digit: string): void {
    const call = this.calls.get(channelId);
    if (!call) return this.conferences.keypad(channelId, digit);
    if (call.phase !== 'pin') return;
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

  private onPlaybackFinished(playbackId: string): void {
    this.playbacks.finished(playbackId);
    this.conferences.playbackFinished(playbackId);
    for (const call of this.calls.values()) {
      if (call.prompt !== playbackId) continue;
      call.prompt = null;
      if (call.phase === 'pin') this.arm(call, this.d.settings.digitTimeoutMs);
    }
  }

  // ---- admission ----

  private async submit(call: Call, pin: string): Promise<void> {
    call.phase = 'checking';
    call.submittedAt = performance.now();
    const found = pin ? await this.d.uow.repos.audio.resolve(pin, this.d.clock.now()) : null;
    if (!found) return this.refuse(call, 'unknown');
    // The lane only decides: a refusal's prompts (seconds long) play after it, so refused callers
    // never keep the next caller of the booking waiting (issue #11).
    const decided: { refused: Refusal | null } = { refused: null };
    await this.conferences.inBooking(found.bookingId, async () => {
      if (this.calls.get(call.id) !== call) return; // hung up meanwhile
      const adm = await this.admission(call, found);
      if (!adm.ok) {
        decided.refused = adm.reason;
        return;
      }
      await this.conferences.join(call.id, call.caller, adm.bookingId, call.roomLeg ? 'room' : adm.role);
      this.calls.delete(call.id);
      const ms = performance.now() - call.submittedAt;
      this.admissions.push(ms);
      if (this.admissions.length > 10_000) this.admissions.shift();
      this.d.observeAdmission?.(ms / 1000);
    });
    if (decided.refused && this.calls.get(call.id) === call) await this.refuse(call, decided.refused);
  }

  /** Inside the booking's lane, so two callers cannot both take the last seat. */
  private async admission(call: Call, found: Conference): Promise<Admission> {
    const now = this.d.clock.now();
    // A room calling in is the meeting itself: no seat, and a lock does not keep it out.
    if (call.roomLeg) return admit({ ...found, role: 'host' }, now, 0);
    const phone = this.conferences.callers(found.bookingId);
    const web = found.role === 'host' || found.locked ? 0 : await this.d.webCount(found.bookingId).catch(() => 0);
    return admit(found, now, phone + web);
  }

  /** Outside any lane: the prompts take seconds. */
  private async refuse(call: Call, reason: Refusal): Promise<void> {
    if (reason === 'unknown' && ++call.attempts < this.d.settings.pinAttempts) {
      await this.playbacks.playAndWait({ channel: call.id }, [PROMPTS.invalidPin]);
      if (this.calls.get(call.id) === call) await this.prompt(call);
      return;
    }
    call.phase = 'leaving';
    await this.playbacks.playAndWait({ channel: call.id }, [REFUSAL_PROMPT[reason], PROMPTS.goodbye]);
    await this.d.rest.hangup(call.id).catch(ignoreGone);
  }

  private onEnd(channelId: string): void {
    const call = this.calls.get(channelId);
    if (call) {
      this.calls.delete(channelId);
      if (call.timer) clearTimeout(call.timer);
    }
    this.conferences.left(channelId);
  }

  // ---- adopting Asterisk's state after a (re)connect or a restart ----

  async adopt(): Promise<void> {
    this.held ??= [];
    try {
      await this.rebuild();
    } finally {
      const held = this.held ?? [];
      this.held = null;
      for (const e of held) this.dispatch(e);
    }
    await this.conferences.sweep();
  }

  private async rebuild(): Promise<void> {
    const { rest } = this.d;
    // PlaybackFinished events of the gap are lost for good (nothing is replayed): stop waiting for them.
    this.playbacks.releaseAll();
    const mark = this.conferences.mark();
    const before = new Set(this.calls.keys());
    const [app, bridges, channels] = await Promise.all([rest.application(), rest.bridges(), rest.channels()]);
    const live = new Map(channels.map((c) => [c.id, c]));
    const inApp = new Set(app.channel_ids);
    // Calls that ended while no socket was connected (not those that arrived after the snapshot).
    for (const [id, call] of this.calls) {
      if (!before.has(id) || (live.has(id) && inApp.has(id))) continue;
      if (call.timer) clearTimeout(call.timer);
      this.calls.delete(id);
    }
    const bridged = await this.conferences.adopt(bridges, live, (ch) => maskCaller(ch.caller?.number), mark);

    // Callers who were entering their PIN lost their digits with the socket: ask again.
    for (const id of inApp) {
      const ch = live.get(id);
      if (!ch || bridged.has(id)) continue;
      const legOf = bookingOfLeg(id);
      if (legOf) {
        void this.conferences.legArrived(ch, legOf);
        continue;
      }
      // A room dialling in (Adobe Connect) stays the room's leg: its Stasis args say so (issue #11).
      const call = this.calls.get(id) ?? this.newCall(ch, isRoomLeg(ch));
      this.calls.set(id, call);
      if (call.phase === 'checking') continue;
      void this.guard(call, async () => {
        if (call.phase === 'leaving') return void (await this.d.rest.hangup(id).catch(ignoreGone));
        if (ch.state !== 'Up') await this.d.rest.answer(id);
        await this.prompt(call);
      });
    }
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
