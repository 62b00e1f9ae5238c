// Joining use-cases: who enters a booking's meeting as what, and when. The booker, their
// institution's managers and admins enter as host through single sign-on; the booking's invitees
// (by their account's e-mail) as attendees; everyone else, signed in or not, only as a guest through
// the booking's guest link (an unguessable token) with a display name and, when the booker set
// one, a PIN: a booking id is no secret (it reaches every member through the event stream). Before the room opens, after it ended, or when the
// booking was cancelled, no provider URL is given out.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { canManageBooking, type Actor } from '../domain/access.ts';
import { AppError, bookingNotFound, unprocessable } from '../domain/errors.ts';
import { addressGroup, type PinWait } from '../domain/guest-pin.ts';
import type { AudioConference, CallContext, Clock } from '../ports.ts';
import type { ProviderRegistry } from '../providers/registry.ts';
import type { MeetingSpec, Participant } from '../providers/port.ts';
import type { ProvisioningService } from './provisioning.ts';
import type { BookingFacts, GuestLink, GuestPolicy, JoinView, ProvisioningStore } from './provisioning-store.ts';
import type { JoinCache } from './join-cache.ts';

export type MeetingSummary = { bookingId: string; title: string; start: Date; end: Date; timeZone: string; opensAt: Date };

export type JoinOutcome =
  | { kind: 'redirect'; url: string; role: 'host' | 'attendee' }
  | { kind: 'waiting'; meeting: MeetingSummary }
  | { kind: 'preparing'; meeting: MeetingSummary }
  | { kind: 'failed'; meeting: MeetingSummary }
  | { kind: 'ended'; meeting: MeetingSummary }
  | { kind: 'cancelled'; meeting: MeetingSummary }
  // Signed in, but neither the booker, one who manages the booking, nor an invitee: the guest link
  // (and its PIN) is their way in. Nothing of the meeting is shown to them.
  | { kind: 'not-participant' };

/**
 * A member's join may also lead on: an occurrence of a series that is over or cancelled, while a
 * later one is ahead. The series' invitation carries one join link for every date (its first
 * occurrence's), so that link leads to the date that is next.
 */
export type MemberJoin = JoinOutcome | { kind: 'next-occurrence'; bookingId: string };

export type GuestPage =
  | { kind: 'invalid' }
  // `wait`: with error 'limited', how long until a PIN is checked again; with error 'pin', the wait
  // this failure started (the page says so), if any.
  | { kind: 'form'; meeting: MeetingSummary; needsPin: boolean; error?: 'name' | 'pin' | 'limited' | undefined; wait?: PinWait | null | undefined }
  // `needsPin` here too: the page shows the phone PIN only when the link alone lets guests in.
  | (Exclude<JoinOutcome, { kind: 'redirect' | 'not-participant' }> & { needsPin: boolean });

const MINUTE = 60_000;

export type PinAttemptOutcome = { kind: 'ok' } | { kind: 'wrong'; waitAfter: PinWait | null } | { kind: 'wait'; wait: PinWait };

/** Counts wrong guest PINs per link and per address (db/guest-pin-repository.ts). */
export interface GuestPinAttempts {
  /**
   * Refuses while the link or the address must wait; otherwise `check` judges the link's current PIN,
   * and a wrong one is judged again and recorded in one transaction under the locks of both.
   */
  attempt(linkId: string, address: string, now: Date, check: (pin: string | null) => boolean): Promise<PinAttemptOutcome>;
}

export class JoiningService {
  private readonly store: ProvisioningStore;
  private readonly registry: ProviderRegistry;
  private readonly provisioning: ProvisioningService;
  private readonly clock: Clock;
  private readonly publicUrl: string;
  private readonly pinAttempts: GuestPinAttempts;
  /** The joins' reads (app/join-cache.ts): a join in the common case sends no query. */
  readonly cache: JoinCache;
  private readonly onEnter: ((bookingId: string, who: Participant, at: Date) => Promise<void>) | undefined;

  /** `onEnter`: told of each person let in (the attendance report); its failure does not keep them out. */
  constructor(deps: {
    store: ProvisioningStore;
    cache: JoinCache;
    registry: ProviderRegistry;
    provisioning: ProvisioningService;
    clock: Clock;
    publicUrl: string;
    pinAttempts: GuestPinAttempts;
    onEnter?: (bookingId: string, who: Participant, at: Date) => Promise<void>;
  }) {
    this.store = deps.store;
    this.cache = deps.cache;
    this.onEnter = deps.onEnter;
    this.pinAttempts = deps.pinAttempts;
    this.registry = deps.registry;
    this.provisioning = deps.provisioning;
    this.clock = deps.clock;
    this.publicUrl = deps.publicUrl.replace(/\/+$/, '');
  }

  // One summary per facts object: the join cache replaces facts that change and never alters them,
  // so a page kept for a summary (the guest form, http/routes/join.ts) is kept exactly as long.
  private readonly summaries = new WeakMap<BookingFacts, MeetingSummary>();

  private summary(f: BookingFacts): MeetingSummary {
    let m = this.summaries.get(f);
    if (!m) {
      const opensAt = new Date(f.start.getTime() - this.provisioning.policy.joinOpensMinutes * MINUTE);
      m = { bookingId: f.bookingId, title: f.title, start: f.start, end: f.end, timeZone: f.timeZone, opensAt };
      this.summaries.set(f, m);
    }
    return m;
  }

  /** Cancelled, ended, not yet open, or null when the door is open. */
  private gate(f: BookingFacts): Exclude<JoinOutcome, { kind: 'redirect' | 'preparing' | 'failed' | 'not-participant' }> | null {
    const meeting = this.summary(f);
    const now = this.clock.now();
    if (f.status === 'cancelled') return { kind: 'cancelled', meeting };
    if (now >= f.end) return { kind: 'ended', meeting };
    if (now < meeting.opensAt) return { kind: 'waiting', meeting };
    return null;
  }

  /** The booking's audio conference for its join and guest pages, from this instance's memory. */
  conference(bookingId: string): Promise<AudioConference | null> {
    return this.cache.conference(bookingId);
  }

  /** Whether a signed-in person hosts the booking's meeting (the host PIN is theirs), from memory. */
  async hosts(ctx: CallContext, bookingId: string): Promise<boolean> {
    const view = await this.cache.view(bookingId);
    if (view === null) return false;
    return this.roleOf(ctx.actor, view.facts) === 'host' || (ctx.actor.userId !== view.facts.bookerId && (await this.cache.viewer(bookingId, ctx.actor.userId))?.cohost === true);
  }

  /** The role of a signed-in person in a booking's meeting. */
  roleOf(actor: Actor, f: BookingFacts): 'host' | 'attendee' {
    return canManageBooking(actor, { bookerId: f.bookerId, institutionId: f.institutionId }) ? 'host' : 'attendee';
  }

  async join(ctx: CallContext, bookingId: string): Promise<MemberJoin> {
    const view = await this.cache.view(bookingId);
    if (!view) throw bookingNotFound();
    // The booker is known from the booking's own facts; anyone else is looked up (and remembered).
    const viewer = ctx.actor.userId === view.facts.bookerId ? { name: view.facts.bookerName, email: view.facts.bookerEmail, invited: false, cohost: false } : await this.cache.viewer(bookingId, ctx.actor.userId);
    // Those who manage the booking host its meeting, and so do the co-hosts the booker invited.
    const role = this.roleOf(ctx.actor, view.facts) === 'host' || viewer?.cohost ? 'host' : 'attendee';
    if (role !== 'host' && !viewer?.invited) return { kind: 'not-participant' };
    const closed = this.gate(view.facts);
    if (closed && closed.kind !== 'waiting' && view.facts.seriesId !== null) {
      const next = await this.store.currentOccurrence(bookingId, this.clock.now());
      // Only where they are let in: someone invited to this date alone keeps its own page.
      const welcome = next !== null && next !== bookingId && (role === 'host' || (await this.cache.viewer(next, ctx.actor.userId))?.invited === true);
      if (welcome) return { kind: 'next-occurrence', bookingId: next };
    }
    if (closed) return closed;
    return this.enter(view, role, { id: ctx.actor.userId, email: viewer?.email, name: viewer?.name ?? 'Participant' });
  }

  private async enter(view: JoinView, role: 'host' | 'attendee', who: Participant): Promise<Exclude<JoinOutcome, { kind: 'not-participant' }>> {
    const f = view.facts;
    if (!view.meetingRef) {
      // Opened before the pipeline got to it (or while it retries): try once now. Its outcome
      // reached the cache as a notice (db/provisioning-repository.ts finish()).
      await this.provisioning.sync(f.bookingId).catch(() => undefined);
      this.cache.forgetBooking(f.bookingId);
      view = (await this.cache.view(f.bookingId)) ?? view;
    }
    if (view.state === 'failed') return { kind: 'failed', meeting: this.summary(f) };
    if (!view.meetingRef || view.state !== 'ready' || !view.provider) return { kind: 'preparing', meeting: this.summary(f) };
    const entry = this.registry.get(view.provider);
    const spec = this.spec(f, view.guestPolicy);
    const url = role === 'host' ? await entry.provider.hostJoinUrl(view.meetingRef, who, spec) : await entry.provider.attendeeJoinUrl(view.meetingRef, who, spec);
    if (!view.firstJoinedAt) {
      const at = this.clock.now();
      await this.store.markJoined(f.bookingId, at);
      this.cache.joined(f.bookingId, at);
    }
    // The attendance record does not hold the person back: the redirect goes out without it.
    void this.onEnter?.(f.bookingId, who, this.clock.now()).catch(() => undefined);
    return { kind: 'redirect', url, role };
  }

  private spec(f: BookingFacts, guestPolicy: GuestPolicy): MeetingSpec {
    return { bookingId: f.bookingId, meetingKey: f.meetingKey, title: f.title, start: f.start, end: f.end, seats: f.seats, timeZone: f.timeZone, host: { userId: f.bookerId, email: f.bookerEmail, name: f.bookerName }, guestPolicy, settings: f.roomSettings };
  }

  // Guests

  private async guestContext(token: string): Promise<{ link: GuestLink; facts: BookingFacts } | null> {
    if (!/^[A-Za-z0-9_-]{22,64}$/.test(token)) return null;
    return this.cache.guest(token);
  }

  async guestPage(token: string): Promise<GuestPage> {
    const c = await this.guestContext(token);
    if (!c) return { kind: 'invalid' };
    const needsPin = c.link.policy === 'pin' && c.link.pin !== null;
    const closed = this.gate(c.facts);
    return closed ? { ...closed, needsPin } : { kind: 'form', meeting: this.summary(c.facts), needsPin };
  }

  /** `address`: the client's address, for the per-address count of wrong PINs. */
  async guestJoin(token: string, input: { name: string; pin?: string | undefined; address: string }): Promise<GuestPage | Exclude<JoinOutcome, { kind: 'not-participant' }>> {
    const c = await this.guestContext(token);
    if (!c) return { kind: 'invalid' };
    const needsPin = c.link.policy === 'pin' && c.link.pin !== null;
    const closed = this.gate(c.facts);
    if (closed) return { ...closed, needsPin };
    const name = input.name.replace(/\s+/g, ' ').trim();
    const form = { kind: 'form' as const, meeting: this.summary(c.facts), needsPin };
    if (name.length < 1 || name.length > 80) return { ...form, error: 'name' };
    if (needsPin) {
      // The link's PIN is read with its count of failures (a wrong one again under the lock of both).
      const given = input.pin ?? '';
      const r = await this.pinAttempts.attempt(c.link.bookingId, addressGroup(input.address), this.clock.now(), (pin) => pin === null || samePin(given, pin));
      if (r.kind === 'wait') return { ...form, error: 'limited', wait: r.wait };
      if (r.kind === 'wrong') return { ...form, error: 'pin', wait: r.waitAfter };
    }
    const view = await this.cache.view(c.facts.bookingId);
    if (!view) return { kind: 'invalid' };
    return this.enter(view, 'attendee', { id: `guest-${guestId()}`, name, guest: true });
  }

  // The booker's controls of the guest link

  private async managed(ctx: CallContext, bookingId: string): Promise<BookingFacts> {
    const f = await this.store.facts(bookingId);
    if (!f || !canManageBooking(ctx.actor, { bookerId: f.bookerId, institutionId: f.institutionId })) throw bookingNotFound();
    return f;
  }

  guestUrl(link: GuestLink): string {
    return guestUrlOf(this.publicUrl, link);
  }

  async guestLink(ctx: CallContext, bookingId: string): Promise<GuestLink> {
    await this.managed(ctx, bookingId);
    return this.store.guestLink(bookingId);
  }

  async regenerateGuestLink(ctx: CallContext, bookingId: string): Promise<GuestLink> {
    await this.managed(ctx, bookingId);
    // The token is no history: who made a new one, and when, is.
    return this.store.rotateGuestLink(bookingId, { actorId: ctx.actor.userId, action: 'booking.guest-link', entity: 'booking', entityId: bookingId, before: null, after: null, requestId: ctx.requestId });
  }

  async setGuestPolicy(ctx: CallContext, bookingId: string, policy: GuestPolicy, pin: string | null | undefined): Promise<GuestLink> {
    const f = await this.managed(ctx, bookingId);
    if (policy === 'pin' && !pin) throw new AppError('invalid', 'PIN_REQUIRED', 'Choose a PIN of 4 to 10 digits for the "pin" guest policy.', {}, { it: 'Scegli un PIN da 4 a 10 cifre per l’accesso degli ospiti con PIN ("pin").' });
    if (pin && !/^\d{4,10}$/.test(pin)) throw new AppError('invalid', 'PIN_INVALID', 'The PIN must be 4 to 10 digits.', {}, { it: 'Il PIN deve avere da 4 a 10 cifre.' });
    if (policy === 'lobby' && !this.lobbyOffered(f, (await this.store.get(bookingId))?.provider ?? null)) {
      throw unprocessable(
        'GUEST_LOBBY_UNAVAILABLE',
        'This room’s conferencing service has no lobby: guests would enter at once. Ask guests for a PIN instead.',
        { it: 'Il servizio di videoconferenza di questa aula non ha una sala d’attesa: gli ospiti entrerebbero subito. Chiedi loro un PIN.' },
      );
    }
    // The history says how guests enter from then on, never the PIN (audit entries outlive it).
    const audit = { actorId: ctx.actor.userId, action: `booking.guests-${policy}`, entity: 'booking', entityId: bookingId, before: null, after: { policy }, requestId: ctx.requestId };
    const link = await this.store.setGuestPolicy(bookingId, policy, policy === 'pin' ? pin! : null, audit);
    // The service learns the new policy (lobby / public access) on the next sync: this booking's
    // meeting and, for a link the whole series shares, the date whose meeting may be prepared now.
    const current = f.seriesId && (await this.store.sharesSeriesLink(bookingId)) ? await this.store.currentOccurrence(bookingId, this.clock.now()) : null;
    for (const id of new Set([bookingId, ...(current ? [current] : [])])) await this.provisioning.sync(id).catch(() => undefined);
    return link;
  }

  /** Whether the service a booking's meeting is (or will be) on holds guests at a door (providers/port.ts GuestLobby). */
  private lobbyOffered(f: BookingFacts, provider: string | null): boolean {
    try {
      return this.registry.get(provider ?? this.registry.nameForRoom(f.roomProvider)).lobby;
    } catch {
      // A provider no longer configured: the room cannot be prepared anyway, and no door is promised.
      return false;
    }
  }

  /** For the booking API: the room's state, the links, and when the room opens. */
  async roomInfo(ctx: CallContext, bookingId: string) {
    const f = await this.store.facts(bookingId);
    if (!f) throw bookingNotFound();
    const manages = canManageBooking(ctx.actor, { bookerId: f.bookerId, institutionId: f.institutionId });
    if (!manages) throw bookingNotFound();
    const row = await this.store.get(bookingId);
    const link = await this.store.guestLink(bookingId);
    // Over when the join page's gate says so: a reset that has not run yet, or a meeting never
    // prepared, must not read as a room still being made ready for a past hour.
    const closed = this.gate(f)?.kind;
    const made = closed === 'cancelled' || closed === 'ended' ? 'ended' : (row?.state ?? 'pending');
    // A room is made ready shortly before its meeting (the tick at `dueAt`, start − lead): until
    // then it is scheduled, not "being prepared", which it would otherwise read for days.
    const due = row?.dueAt ?? this.provisioning.preparesAt(f.start);
    const state = made === 'pending' && this.clock.now() < due ? ('scheduled' as const) : made;
    return {
      bookingId,
      state,
      provider: row?.provider ?? this.registry.nameForRoom(f.roomProvider),
      usedFallback: row?.usedFallback ?? false,
      lastError: row?.state === 'failed' || row?.usedFallback ? row.lastError : null,
      opensAt: this.summary(f).opensAt,
      joinUrl: `${this.publicUrl}/join/${bookingId}`,
      guestUrl: this.guestUrl(link),
      guestPolicy: link.policy,
      hasPin: link.pin !== null,
      // Those who manage the booking give the PIN to their guests: theirs to read.
      guestPin: link.pin,
      lobbyAvailable: this.lobbyOffered(f, row?.provider ?? null),
      // One link for every date of a series (the booker's choice): a new one, or a new way in, is the series'.
      guestLinkForSeries: f.seriesId !== null && (await this.store.sharesSeriesLink(bookingId)),
    };
  }
}

/** The address a guest link is shared as. */
export function guestUrlOf(publicUrl: string, link: GuestLink): string {
  return `${publicUrl.replace(/\/+$/, '')}/g/${link.token}`;
}

// A guest's id (their attendance row, their name on the service) from a pool of random bytes: one
// call to the system's generator per 512 guests, not one per guest (6 % of a guest join's CPU).
let idBytes = Buffer.alloc(0);
let idAt = 0;
function guestId(): string {
  if (idAt + 6 > idBytes.length) [idBytes, idAt] = [randomBytes(3072), 0];
  return idBytes.toString('hex', idAt, (idAt += 6));
}

function samePin(given: string, pin: string): boolean {
  const a = Buffer.from(given.padEnd(16, '\0').slice(0, 16));
  const b = Buffer.from(pin.padEnd(16, '\0').slice(0, 16));
  return timingSafeEqual(a, b) && given.length === pin.length;
}
