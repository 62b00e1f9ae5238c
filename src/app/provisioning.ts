// Provisioning use-cases: turn each booking into a ready virtual room on its conferencing service at
// start - lead time, follow its moves, end and release it at end + grace, retry with exponential
// backoff and jitter, park it as `failed` (the dead letter admins see and retry), fall back to
// another provider on a permanent failure, and reconcile the services' meetings with the bookings.
//
// Time: every decision uses the portal's Clock (tests move it); `due_at` stores the next moment to
// act, and a periodic tick (jobs/provisioning.ts) acts on what is due. Concurrency: a booking is
// worked on by one instance at a time under a lease in the database; a change that arrives
// meanwhile marks the row dirty and the holder runs again.
import { isAdmin } from '../domain/access.ts';
import { AppError, forbidden, notFound } from '../domain/errors.ts';
import type { CallContext, Clock } from '../ports.ts';
import { hasOutsideMeetingLister, ProviderError, type AttendanceReport, type OutsideMeeting, type ConferenceProvider, type GuestPolicy, type MeetingLister, type MeetingRef, type MeetingSpec, type ParticipantCounter } from '../providers/port.ts';
import type { ProviderRegistry, RegisteredProvider } from '../providers/registry.ts';
import type { ProvisioningPolicy } from '../providers/settings.ts';
import type { BookerNotice, BookingFacts, NoShowHandler, PreparedFacts, ProvisioningRow, ProvisioningStore, RoomProviderSettings, RowPatch } from './provisioning-store.ts';

const MINUTE = 60_000;
const TICK_BATCH = 50;
const TICK_PARALLEL = 8;

/** Records the meetings one service lists that the portal did not make. */
export type OutsideRecorder = (provider: string, meetings: OutsideMeeting[]) => Promise<void>;

/** The dial-in of a booking's audio conference, or null (MeetingSpec.audio). */
export type AudioOf = (bookingId: string) => Promise<MeetingSpec['audio']>;

export class ProvisioningService {
  private readonly store: ProvisioningStore;
  private readonly registry: ProviderRegistry;
  private readonly clock: Clock;
  readonly policy: ProvisioningPolicy;
  private readonly onNoShow: NoShowHandler | undefined;
  private readonly notice: BookerNotice | undefined;
  private readonly random: () => number;
  private readonly audio: AudioOf;
  private readonly outside: OutsideRecorder | undefined;

  constructor(deps: {
    store: ProvisioningStore;
    registry: ProviderRegistry;
    clock: Clock;
    policy: ProvisioningPolicy;
    onNoShow?: NoShowHandler;
    notice?: BookerNotice;
    random?: () => number;
    /** The booking's audio conference, for rooms that dial in to it (set by the telephony module). */
    audio?: AudioOf;
    /** Told, at each reconcile, of the meetings each service lists that the portal did not make (issue #17). */
    outside?: OutsideRecorder;
  }) {
    this.store = deps.store;
    this.registry = deps.registry;
    this.clock = deps.clock;
    this.policy = deps.policy;
    this.onNoShow = deps.onNoShow;
    this.notice = deps.notice;
    this.random = deps.random ?? Math.random;
    this.audio = deps.audio ?? (async () => null);
    this.outside = deps.outside;
  }

  /** Brings one booking's room to where the booking and the clock say it should be. */
  async sync(bookingId: string): Promise<void> {
    const facts = await this.store.facts(bookingId);
    if (!facts) return;
    await this.store.ensure(bookingId, this.registry.nameForRoom(facts.roomProvider), this.clock.now());
    for (let round = 0; round < 5; round++) {
      const row = await this.store.claim(bookingId, this.policy.leaseSeconds);
      if (!row) {
        // Another instance holds it: it will see the flag and run again with the fresh booking.
        await this.store.markDirty(bookingId);
        return;
      }
      let patch: RowPatch;
      try {
        patch = await this.step(row);
      } catch (e) {
        await this.store.finish(bookingId, { dueAt: new Date(this.clock.now().getTime() + this.policy.retryBaseSeconds * 1000) });
        throw e;
      }
      const dirty = await this.store.finish(bookingId, patch);
      // A switch to the fallback provider is tried at once.
      const switched = patch.provider !== undefined && patch.provider !== row.provider;
      if (!dirty && !switched) return;
    }
  }

  /** Acts on every booking whose time has come (or that changed while leased). */
  async tick(): Promise<number> {
    let done = 0;
    for (;;) {
      const ids = await this.store.due(this.clock.now(), TICK_BATCH);
      if (ids.length === 0) return done;
      const queue = [...ids];
      await Promise.all(
        Array.from({ length: Math.min(TICK_PARALLEL, queue.length) }, async () => {
          for (let id = queue.shift(); id; id = queue.shift()) await this.sync(id).catch(() => undefined);
        }),
      );
      done += ids.length;
      if (ids.length < TICK_BATCH) return done;
    }
  }

  private spec(f: BookingFacts, guestPolicy: GuestPolicy, audio: MeetingSpec['audio'] = null): MeetingSpec {
    return {
      bookingId: f.bookingId,
      meetingKey: f.meetingKey,
      title: f.title,
      start: f.start,
      end: f.end,
      seats: f.seats,
      timeZone: f.timeZone,
      host: { userId: f.bookerId, email: f.bookerEmail, name: f.bookerName },
      guestPolicy,
      settings: f.roomSettings,
      audio,
    };
  }

  private async step(row: ProvisioningRow): Promise<RowPatch> {
    const facts = await this.store.facts(row.bookingId);
    const now = this.clock.now();
    if (!facts) return { state: 'ended', dueAt: null };
    const link = await this.store.peekGuestLink(row.bookingId);
    const spec = this.spec(facts, link?.policy ?? 'open', await this.audio(row.bookingId));
    const over = facts.status === 'cancelled' || now.getTime() >= facts.end.getTime() + this.policy.graceMinutes * MINUTE;

    if (over) {
      if (!row.meetingRef) return { state: 'ended', dueAt: null, attempts: 0 };
      return this.attempt(row, 'end+release', async (p) => {
        await p.end(row.meetingRef!);
        await p.release(row.meetingRef!, spec);
        return { state: 'ended', meetingRef: null, prepared: null, dueAt: null, attempts: 0, lastError: null, lastErrorCode: null };
      });
    }

    const prepareAt = this.preparesAt(facts.start);
    const wanted: PreparedFacts = { title: spec.title, start: spec.start.toISOString(), end: spec.end.toISOString(), seats: spec.seats, guestPolicy: spec.guestPolicy, audioPin: spec.audio?.pin ?? null };
    // Field by field: jsonb does not keep key order, so the stored object cannot be compared as text.
    const same = row.prepared !== null && (Object.keys(wanted) as (keyof PreparedFacts)[]).every((k) => row.prepared![k] === wanted[k]);
    if (row.state === 'failed' && row.dueAt === null) return {}; // dead letter: only "retry now" revives it
    if (now < prepareAt && !row.meetingRef) return { state: 'pending', dueAt: prepareAt, attempts: 0 };
    if (row.meetingRef && same) return this.afterReady(row, facts, now);

    const action = row.meetingRef ? 'update' : 'prepare';
    const patch = await this.attempt(row, action, async (p) => {
      const ref = row.meetingRef ? await p.update(row.meetingRef, spec) : await p.prepare(spec);
      // After a fallback the first provider's error stays visible: it tells the booker why.
      return { state: 'ready', meetingRef: ref, prepared: wanted, attempts: 0, ...(!row.usedFallback && { lastError: null, lastErrorCode: null }) };
    });
    if (patch.usedFallback && !row.usedFallback && patch.provider && this.notice) {
      // A lost notice must not undo the fallback: it is told, not retried.
      await this.notice(facts, { kind: 'fallback', from: row.provider, to: patch.provider, reason: patch.lastError ?? '' }).catch(() => undefined);
    }
    if (patch.state !== 'ready') return patch;
    return { ...patch, ...(await this.afterReady({ ...row, ...patch } as ProvisioningRow, facts, now)), state: 'ready' };
  }

  /** The next moment a ready room needs attention: the no-show check, then the end. */
  private async afterReady(row: ProvisioningRow, facts: BookingFacts, now: Date): Promise<RowPatch> {
    const endAt = new Date(facts.end.getTime() + this.policy.graceMinutes * MINUTE);
    const noShowAt = new Date(facts.start.getTime() + this.policy.noShowMinutes * MINUTE);
    if (facts.roomSettings.noShowRelease === true && !row.noShowChecked && noShowAt < facts.end) {
      if (now < noShowAt) return { state: 'ready', dueAt: noShowAt };
      const nobody = row.firstJoinedAt === null && (await this.participants(row)) === 0;
      if (nobody && this.onNoShow) await this.onNoShow(facts);
      return { state: 'ready', noShowChecked: true, dueAt: nobody ? now : endAt };
    }
    return { state: 'ready', dueAt: endAt };
  }

  /**
   * The prepared meeting of a booking with its provider and spec (the telephony module connects the
   * room's audio with them); null until the meeting is ready.
   */
  async meetingOf(bookingId: string): Promise<{ provider: RegisteredProvider; ref: MeetingRef; spec: MeetingSpec } | null> {
    const row = await this.store.get(bookingId);
    if (!row?.meetingRef || row.state !== 'ready') return null;
    const facts = await this.store.facts(bookingId);
    if (!facts) return null;
    return { provider: this.registry.get(row.provider), ref: row.meetingRef, spec: this.spec(facts, 'open', await this.audio(bookingId)) };
  }

  /** Someone entered the meeting (by phone): it is not a no-show. */
  async markJoined(bookingId: string, at: Date): Promise<void> {
    await this.store.markJoined(bookingId, at);
  }

  /** People in the meeting on the web now, where the service can tell (0 otherwise). */
  async webParticipants(bookingId: string): Promise<number> {
    return (await this.webHeadCount(bookingId)) ?? 0;
  }

  /** People in the meeting on the web now; null when its service cannot count them (Jitsi's public servers). */
  async webHeadCount(bookingId: string): Promise<number | null> {
    const row = await this.store.get(bookingId);
    if (!row?.meetingRef || row.state !== 'ready') return 0;
    const entry = this.registry.get(row.provider);
    return entry.counts ? (entry.provider as ConferenceProvider & ParticipantCounter).participantCount(row.meetingRef) : null;
  }

  /** Who is in the meeting now, plus who came and left where the service reports attendance. */
  private async participants(row: ProvisioningRow): Promise<number> {
    const entry = this.registry.get(row.provider);
    const ref = row.meetingRef;
    if (!ref) return 0;
    // When the service cannot tell, count someone in: a wrong release is worse than a kept slot.
    const now = entry.counts ? await (entry.provider as ConferenceProvider & ParticipantCounter).participantCount(ref).catch(() => 1) : 0;
    const came = entry.attendance ? await (entry.provider as ConferenceProvider & AttendanceReport).attendanceCount(ref).catch(() => 1) : 0;
    return now + came;
  }

  /** One call to the service, recorded; failures become retries, the dead letter, or a fallback. */
  private async attempt(row: ProvisioningRow, action: string, work: (p: ConferenceProvider) => Promise<RowPatch>): Promise<RowPatch> {
    const started = Date.now();
    try {
      const patch = await work(this.registry.get(row.provider).provider);
      await this.store.recordAttempt({ bookingId: row.bookingId, provider: row.provider, action, ok: true, errorCode: null, error: null, durationMs: Date.now() - started });
      return patch;
    } catch (e) {
      const err = e instanceof ProviderError ? e : new ProviderError('PROVIDER_ERROR', `Unexpected error: ${(e as Error).message}`, true);
      await this.store.recordAttempt({ bookingId: row.bookingId, provider: row.provider, action, ok: false, errorCode: err.code, error: err.message, durationMs: Date.now() - started });
      const attempts = row.attempts + 1;
      const now = this.clock.now().getTime();
      const fallback = this.registry.fallbackName;
      if (!err.retryable && action === 'prepare' && fallback && fallback !== row.provider && !row.usedFallback) {
        // The booker sees the switch in the room state (usedFallback, lastError) of the booking.
        return { provider: fallback, usedFallback: true, attempts: 0, dueAt: new Date(now), state: 'pending', lastError: err.message, lastErrorCode: err.code };
      }
      if (!err.retryable || attempts >= this.policy.maxAttempts) {
        // Parked (also a meeting that could not be ended): admins see it and can retry it.
        return { state: 'failed', attempts, dueAt: null, lastError: err.message, lastErrorCode: err.code };
      }
      return { attempts, dueAt: new Date(now + this.backoffMs(attempts)), lastError: err.message, lastErrorCode: err.code };
    }
  }

  /** Exponential backoff with "equal jitter": half fixed, half random, capped. */
  backoffMs(attempts: number): number {
    const cap = this.policy.retryMaxSeconds * 1000;
    const exp = Math.min(cap, this.policy.retryBaseSeconds * 1000 * 2 ** (attempts - 1));
    return Math.round(exp / 2 + (this.random() * exp) / 2);
  }

  /**
   * Compares each service's meetings with the bookings and repairs both ways: a meeting no live
   * booking owns is released; a ready booking whose meeting vanished is prepared again.
   */
  async reconcile(): Promise<{ released: number; recreated: number; adopted: number }> {
    const now = this.clock.now();
    let released = 0;
    let recreated = 0;
    const adopted = await this.adoptMissing();

    for (const entry of this.registry.all()) {
      // A service that cannot list them now leaves the record as it was; the next reconcile tries again.
      const record = this.outside;
      if (record && hasOutsideMeetingLister(entry.provider)) await entry.provider.listOutsideMeetings().then((listed) => record(entry.name, listed)).catch(() => undefined);
      if (!entry.lists) continue;
      const lister = entry.provider as unknown as MeetingLister;
      const listed = await lister.listMeetings();
      const seen = new Set<string>();
      for (const l of listed) {
        // A name with a meeting key no booking has any more is an orphan (the nil id owns nothing).
        const bookingId = 'bookingId' in l ? l.bookingId : ((await this.store.bookingIdByMeetingKey(l.meetingKey)) ?? NO_BOOKING);
        const m = { ref: l.ref, bookingId };
        seen.add(m.bookingId);
        const row = await this.store.get(m.bookingId);
        if (row && row.provider === entry.name && row.meetingRef?.id === m.ref.id && row.state !== 'ended') continue;
        if (row && (await this.store.isLeased(m.bookingId))) continue; // being prepared right now
        const facts = await this.store.facts(m.bookingId);
        if (facts && this.wantsMeeting(facts, now) && this.registry.nameForRoom(facts.roomProvider) === entry.name && (!row || row.provider === entry.name)) {
          // The booking should have this meeting (a crash came between creating it and saving its
          // handle): adopt it; prepare finds it by its key instead of making a second one.
          await this.sync(m.bookingId).catch(() => undefined);
          continue;
        }
        const started = Date.now();
        const spec = facts ? this.spec(facts, 'open') : orphanSpec(m.bookingId);
        try {
          await entry.provider.end(m.ref);
          await entry.provider.release(m.ref, spec);
          released++;
          await this.store.recordAttempt({ bookingId: facts ? m.bookingId : null, provider: entry.name, action: 'reconcile-release', ok: true, errorCode: null, error: null, durationMs: Date.now() - started });
        } catch (e) {
          await this.store.recordAttempt({ bookingId: facts ? m.bookingId : null, provider: entry.name, action: 'reconcile-release', ok: false, errorCode: (e as ProviderError).code ?? 'ERROR', error: (e as Error).message, durationMs: Date.now() - started });
        }
      }
      for (const row of await this.store.withMeeting(entry.name)) {
        if (seen.has(row.bookingId) || row.state !== 'ready') continue;
        const claimed = await this.store.claim(row.bookingId, this.policy.leaseSeconds);
        if (!claimed) continue;
        await this.store.recordAttempt({ bookingId: row.bookingId, provider: entry.name, action: 'reconcile-missing', ok: false, errorCode: 'MEETING_MISSING', error: 'The meeting was gone from the service; preparing it again.', durationMs: 0 });
        await this.store.finish(row.bookingId, { state: 'pending', meetingRef: null, prepared: null, dueAt: now });
        await this.sync(row.bookingId).catch(() => undefined);
        recreated++;
      }
    }
    return { released, recreated, adopted };
  }

  /**
   * Bookings in the provisioning window that the pipeline has no row for: their job was lost (a
   * process killed between taking the job and recording it) or they predate the pipeline.
   */
  async adoptMissing(): Promise<number> {
    const now = this.clock.now();
    const windowStart = new Date(now.getTime() - this.policy.graceMinutes * MINUTE);
    const windowEnd = new Date(now.getTime() + this.policy.leadMinutes * MINUTE);
    const missing = await this.store.bookingsWithoutState(windowStart, windowEnd);
    for (const id of missing) await this.sync(id).catch(() => undefined);
    return missing.length;
  }

  /** When a meeting starting at `start` is due to be prepared: `PROVISIONING_LEAD_MINUTES` before it. */
  preparesAt(start: Date): Date {
    return new Date(start.getTime() - this.policy.leadMinutes * MINUTE);
  }

  private wantsMeeting(f: BookingFacts, now: Date): boolean {
    const t = now.getTime();
    return f.status === 'confirmed' && t >= this.preparesAt(f.start).getTime() && t < f.end.getTime() + this.policy.graceMinutes * MINUTE;
  }

  // Reads and admin actions

  async roomSettings(ctx: CallContext, roomId: string) {
    if (!isAdmin(ctx.actor)) throw forbidden('ADMIN_ONLY', 'Only administrators see and change a room’s provider settings.', { it: 'Solo gli amministratori vedono e cambiano le impostazioni del servizio di un’aula.' });
    const found = await this.store.roomProviderSettings(roomId);
    if (!found) throw notFound('ROOM_NOT_FOUND', 'No room with this id exists.', { it: 'Non esiste un’aula con questo id.' });
    return { provider: this.registry.nameForRoom(found.provider), settings: found.settings as RoomProviderSettings };
  }

  async setRoomSettings(ctx: CallContext, roomId: string, settings: RoomProviderSettings) {
    const current = await this.roomSettings(ctx, roomId);
    if ((settings.scoId || settings.folderId) && current.provider !== 'adobe-connect') {
      throw new AppError('unprocessable', 'SETTING_NOT_FOR_PROVIDER', `scoId and folderId are Adobe Connect settings; this room uses ${current.provider}.`, {}, {
        it: `scoId e folderId sono impostazioni di Adobe Connect; quest’aula usa ${current.provider}.`,
      });
    }
    const clean = Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
    await this.store.setRoomProviderSettings(roomId, clean);
    return this.roomSettings(ctx, roomId);
  }

  async roomStates(bookingIds: string[]): Promise<Map<string, ProvisioningRow>> {
    return this.store.getMany(bookingIds);
  }

  async recentJobs(ctx: CallContext, f: { failedOnly: boolean; limit: number }) {
    if (!isAdmin(ctx.actor)) throw forbidden('ADMIN_ONLY', 'Only administrators see the provisioning jobs.', { it: 'Solo gli amministratori vedono i lavori di preparazione delle stanze.' });
    const [attempts, deadLetter] = await Promise.all([this.store.attempts({ limit: f.limit, failedOnly: f.failedOnly }), this.store.failed(f.limit, this.clock.now())]);
    return { attempts, deadLetter };
  }

  /** "Retry now" on a dead-lettered (or any) booking: attempts start again from zero, at once. */
  async retryNow(ctx: CallContext, bookingId: string): Promise<ProvisioningRow> {
    if (!isAdmin(ctx.actor)) throw forbidden('ADMIN_ONLY', 'Only administrators may retry provisioning.', { it: 'Solo gli amministratori possono ritentare la preparazione.' });
    const row = await this.store.get(bookingId);
    if (!row) throw notFound('ROOM_STATE_NOT_FOUND', 'The pipeline has not seen this booking yet; it will within a minute.', { it: 'La preparazione non ha ancora preso in carico questa prenotazione; lo farà entro un minuto.' });
    const claimed = await this.store.claim(bookingId, this.policy.leaseSeconds);
    if (!claimed) throw new AppError('conflict', 'PROVISIONING_BUSY', 'This booking is being provisioned right now; look again in a moment.', {}, { it: 'La stanza di questa prenotazione è in preparazione proprio ora; ricontrolla tra un momento.' });
    await this.store.finish(bookingId, { state: row.state === 'failed' ? 'pending' : row.state, attempts: 0, dueAt: this.clock.now() });
    await this.sync(bookingId);
    return (await this.store.get(bookingId))!;
  }
}

const NO_BOOKING = '00000000-0000-0000-0000-000000000000';

/** A meeting no booking owns: released with what is known of it (its adapter reads the ref). */
function orphanSpec(bookingId: string): MeetingSpec {
  const epoch = new Date(0);
  return { bookingId, meetingKey: '', title: 'orphan', start: epoch, end: epoch, seats: 1, timeZone: 'UTC', host: { userId: '', email: '', name: '' }, guestPolicy: 'open', settings: {} };
}
