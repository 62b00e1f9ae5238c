// Use-cases of a booking's audio conference (issue #7): its PINs follow the booking (listener), the
// booker sees the dial-in details and the phone participants, mutes, removes and locks. The calls
// themselves are run by the telephony application (src/telephony/), reached through `PhoneControl`.
import { randomInt } from 'node:crypto';
import { canManageBooking } from '../domain/access.ts';
import { dialWindow, drawPin, sipUri, telLink, type DialWindow } from '../domain/dial-in.ts';
import { bookingNotFound, notFound, unprocessable } from '../domain/errors.ts';
import type { AudioConference, Booking, BookingBatchListener, CallContext, PhoneParticipant, Repositories, UnitOfWork } from '../ports.ts';

/** What the portal asks of the PBX for the host's controls (any instance may ask; ARI REST is shared). */
export interface PhoneControl {
  /** Mutes (or unmutes) what the caller says. False when the call is gone. */
  mute(channelId: string, muted: boolean): Promise<boolean>;
  /** Hangs the caller up. False when the call is gone. */
  hangup(channelId: string): Promise<boolean>;
  /** Tells everyone in the booking's conference that it was locked or unlocked (best effort). */
  announceLock(bookingId: string, locked: boolean): Promise<void>;
}

export type AudioSettings = {
  numbers: { number: string; country: string | null }[];
  sipDomain: string | null;
  pinDigits: number;
  hostPin: boolean;
  /** The PIN opens the conference this long before the start (with the virtual room)... */
  opensMinutes: number;
  /** ...and keeps it open this long after the end. */
  graceMinutes: number;
};

export type AudioView = {
  bookingId: string;
  /** The portal has telephony (Asterisk) at all; `enabled` says whether this booking uses it. */
  available: boolean;
  enabled: boolean;
  pin: string | null;
  hostPin: string | null;
  numbers: { number: string; country: string | null; tel: string }[];
  sipUri: string | null;
  locked: boolean;
  opensAt: Date;
  closesAt: Date;
  canManage: boolean;
  participants: { id: string; caller: string; role: PhoneParticipant['role']; muted: boolean; joinedAt: Date }[];
  phoneSeats: number;
  seats: number;
};

/** The dial-in details mails, calendars and join pages show. */
export type DialInDetails = { numbers: { number: string; country: string | null; tel: string }[]; pin: string; sipUri: string | null; opensAt: Date; closesAt: Date };

const participantNotFound = () => notFound('PARTICIPANT_NOT_FOUND', 'This caller is no longer in the conference.', { it: 'Questa persona non è più collegata alla conferenza.' });
const audioOff = () =>
  notFound('AUDIO_NOT_CONFIGURED', 'This portal has no telephone dial-in: an administrator must configure Asterisk (ARI_URL) first.', {
    it: 'Questo portale non ha l’accesso telefonico: prima un amministratore deve configurare Asterisk (ARI_URL).',
  });

export class AudioService {
  private readonly uow: UnitOfWork;
  private readonly settings: AudioSettings | null;
  private readonly control: PhoneControl | null;
  private readonly random: (max: number) => number;
  private readonly changeHooks: ((repos: Repositories, bookingId: string) => Promise<void>)[] = [];
  private readonly dialIns = new WeakMap<AudioConference, DialInDetails | null>();

  constructor(deps: { uow: UnitOfWork; settings: AudioSettings | null; control: PhoneControl | null; random?: (max: number) => number }) {
    this.uow = deps.uow;
    this.settings = deps.settings;
    this.control = deps.control;
    this.random = deps.random ?? ((max) => randomInt(max));
  }

  /** Runs inside the transaction that turns a conference on or off (provisioning re-syncs the room). */
  onConferenceChange(hook: (repos: Repositories, bookingId: string) => Promise<void>): void {
    this.changeHooks.push(hook);
  }

  get configured(): boolean {
    return this.settings !== null;
  }

  get dialInNumbers(): { number: string; country: string | null }[] {
    return this.settings?.numbers ?? [];
  }

  /**
   * Runs inside each transaction of booking changes: the PINs exist exactly when the bookings do.
   * All the changes at once, so the occurrences of a series get their PINs in a few statements.
   */
  readonly listener: BookingBatchListener = async (repos, events) => {
    const s = this.settings;
    if (!s) return;
    const created = events.filter((e) => e.action === 'created');
    if (created.length > 0) {
      await repos.audio.assignMany(
        created.map(({ after: b, withoutAudio }) => ({ bookingId: b.id, seriesId: b.seriesId, window: this.window(b), enabled: !withoutAudio })),
        this.draw,
        s.hostPin,
      );
    }
    for (const { action, before, after: b } of events) {
      if (action === 'cancelled') await repos.audio.retire(b.id);
      else if (action === 'updated' && before && (before.start.getTime() !== b.start.getTime() || before.end.getTime() !== b.end.getTime())) {
        await repos.audio.reschedule(b.id, this.window(b), this.draw);
      }
    }
  };

  async view(ctx: CallContext, bookingId: string): Promise<AudioView> {
    const booking = await this.manageable(this.uow.repos, ctx, bookingId);
    const [conference, participants] = await Promise.all([this.uow.repos.audio.get(bookingId), this.uow.repos.audio.participants(bookingId)]);
    return this.toView(booking, conference, participants);
  }

  async setEnabled(ctx: CallContext, bookingId: string, enabled: boolean): Promise<AudioView> {
    if (!this.settings) throw audioOff();
    await this.uow.transaction(async (r) => {
      const booking = await this.manageable(r, ctx, bookingId);
      if (booking.status === 'cancelled') throw unprocessable('BOOKING_CANCELLED', 'This booking was cancelled; its audio conference cannot be turned on.', { it: 'Questa prenotazione è stata annullata; la sua audioconferenza non si può attivare.' });
      const changed = await r.audio.setEnabled(bookingId, enabled, this.draw);
      // A booking made before telephony was configured gets its conference now.
      if (!changed) await r.audio.assign({ bookingId, seriesId: booking.seriesId, window: this.window(booking), draw: this.draw, hostPin: this.settings!.hostPin, enabled });
      for (const hook of this.changeHooks) await hook(r, bookingId);
      await r.audio.notify([bookingId], { switched: true });
    });
    // Turning audio off ends the calls in progress: the telephony application's sweep hangs them up.
    return this.view(ctx, bookingId);
  }

  async setLocked(ctx: CallContext, bookingId: string, locked: boolean): Promise<AudioView> {
    if (!this.settings) throw audioOff();
    await this.uow.transaction(async (r) => {
      await this.manageable(r, ctx, bookingId);
      if (!(await r.audio.setLocked(bookingId, locked))) throw audioOff();
      await r.audio.notify([bookingId]);
    });
    await this.control?.announceLock(bookingId, locked).catch(() => undefined);
    return this.view(ctx, bookingId);
  }

  async mute(ctx: CallContext, bookingId: string, channelId: string, muted: boolean): Promise<void> {
    const p = await this.participantOf(ctx, bookingId, channelId);
    if (!(await this.control!.mute(p.channelId, muted))) {
      await this.forget(p.channelId, bookingId);
      throw participantNotFound();
    }
    await this.uow.transaction(async (r) => {
      await r.audio.setMuted(p.channelId, muted);
      await r.audio.notify([bookingId]);
    });
  }

  async remove(ctx: CallContext, bookingId: string, channelId: string): Promise<void> {
    const p = await this.participantOf(ctx, bookingId, channelId);
    const wasThere = await this.control!.hangup(p.channelId);
    // The telephony application also hears the hangup; removing here shows it at once.
    await this.forget(p.channelId, bookingId);
    if (!wasThere) throw participantNotFound();
  }

  /** The dial-in details of a booking for mails and calendars, read from the database; null without audio. */
  async dialIn(bookingId: string): Promise<DialInDetails | null> {
    return this.dialInOf(this.settings && (await this.uow.repos.audio.get(bookingId)));
  }

  /** The dial-in of a conference read elsewhere (the join pages take it from the join cache); null without audio. */
  dialInOf(c: AudioConference | null): DialInDetails | null {
    if (!this.settings || !c) return null;
    // One answer per conference object (the join cache replaces a conference that changes): the
    // guest form kept for it (http/routes/join.ts) lives exactly as long.
    let d = this.dialIns.get(c);
    if (d === undefined) this.dialIns.set(c, (d = this.details(c)));
    return d;
  }

  /**
   * The join page's dial-in for a signed-in person, from the booking's conference `c` as the page
   * read it; the host PIN only for its hosts: the owner and who manages the owner's bookings, not
   * the person who booked it for the owner (issue #17), who may change it but joins as a participant.
   */
  dialInFor(c: AudioConference | null, host: boolean): (DialInDetails & { hostPin: string | null }) | null {
    const details = this.dialInOf(c);
    return c && details ? { ...details, hostPin: host ? c.hostPin : null } : null;
  }

  window(b: Pick<Booking, 'start' | 'end'>): DialWindow {
    const s = this.settings!;
    return dialWindow(b.start, b.end, s.opensMinutes, s.graceMinutes);
  }

  private readonly draw = () => drawPin(this.settings!.pinDigits, this.random);

  /** How callers reach a PIN's conference: the numbers with one-tap links, and the SIP URI. */
  private reach(pin: string) {
    const s = this.settings!;
    return { numbers: s.numbers.map((n) => ({ ...n, tel: telLink(n.number, pin) })), sipUri: s.sipDomain ? sipUri(pin, s.sipDomain) : null };
  }

  /** Null while the conference is off, and for a cancelled booking (its PINs are retired). */
  private details(c: AudioConference): DialInDetails | null {
    if (!c.enabled || c.cancelled || !c.pin) return null;
    return { ...this.reach(c.pin), pin: c.pin, opensAt: c.window.opens, closesAt: c.window.closes };
  }

  private async manageable(r: Repositories, ctx: CallContext, bookingId: string): Promise<Booking> {
    const booking = await r.bookings.findById(bookingId);
    if (!booking || !canManageBooking(ctx.actor, booking)) throw bookingNotFound();
    return booking;
  }

  private async participantOf(ctx: CallContext, bookingId: string, channelId: string): Promise<PhoneParticipant> {
    if (!this.settings || !this.control) throw audioOff();
    await this.manageable(this.uow.repos, ctx, bookingId);
    const p = await this.uow.repos.audio.participant(channelId);
    if (!p || p.bookingId !== bookingId) throw participantNotFound();
    return p;
  }

  private async forget(channelId: string, bookingId: string) {
    await this.uow.transaction(async (r) => {
      await r.audio.removeParticipant(channelId);
      await r.audio.notify([bookingId]);
    });
  }

  private toView(booking: Booking, c: AudioConference | null, participants: PhoneParticipant[]): AudioView {
    const on = this.settings && c ? this.details(c) : null;
    const window = c?.window ?? (this.settings ? this.window(booking) : { opens: booking.start, closes: booking.end });
    return {
      bookingId: booking.id,
      available: this.settings !== null,
      enabled: on !== null,
      pin: on?.pin ?? null,
      hostPin: on ? c!.hostPin : null,
      numbers: on?.numbers ?? [],
      sipUri: on?.sipUri ?? null,
      locked: c?.locked ?? false,
      opensAt: window.opens,
      closesAt: window.closes,
      canManage: true,
      participants: participants.map((p) => ({ id: p.channelId, caller: p.caller, role: p.role, muted: p.muted, joinedAt: p.joinedAt })),
      phoneSeats: participants.filter((p) => p.role !== 'room').length,
      seats: booking.seats,
    };
  }
}
