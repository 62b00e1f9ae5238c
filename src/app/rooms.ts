// The portal's own meeting room (issue #14): the room page trades the ticket of its join URL for what
// its browser needs to enter (the room's number and PIN, a participant number), and the host's
// controls (participants, mute, remove, the lobby) act through here, since only the portal holds the
// room's secret. The ticket says who the join pages let in; the booking is checked again on every
// call, so a cancelled or ended booking lets nobody in whatever ticket they hold. Guests of a
// booking whose guest policy is "lobby" wait until the host lets them in; a guest the host removed
// stays out with the same ticket.
import { createHash } from 'node:crypto';
import { AppError, bookingNotFound } from '../domain/errors.ts';
import type { Clock } from '../ports.ts';
import { hasBrowserRoom, ProviderError, type BrowserRoom, type MeetingRef, type RoomEntry, type RoomParticipant, type RoomTicket } from '../providers/port.ts';
import type { ProviderRegistry } from '../providers/registry.ts';
import type { BookingFacts, ProvisioningStore } from './provisioning-store.ts';

const MINUTE = 60_000;

export type RoomVisit = {
  bookingId: string;
  title: string;
  start: Date;
  end: Date;
  timeZone: string;
  role: RoomTicket['role'];
  name: string;
  janus: RoomEntry;
};

type Held = { room: BrowserRoom; ref: MeetingRef; who: RoomTicket; facts: BookingFacts };

/** A guest at the lobby door, keyed by a hash of their ticket. */
export type Admission = { key: string; name: string; state: 'waiting' | 'admitted' | 'refused'; participantId: number | null; askedAt: Date };

/** The lobby's storage (db/room-admission-repository.ts). */
export interface RoomAdmissions {
  /** The guest's row, made (waiting) if new; null when the lobby already holds `maxWaiting` guests. */
  ask(bookingId: string, key: string, name: string, at: Date, maxWaiting: number): Promise<Admission | null>;
  waiting(bookingId: string, limit: number): Promise<Admission[]>;
  /** False when there is no such guest. */
  decide(bookingId: string, key: string, admit: boolean, at: Date): Promise<boolean>;
  entered(bookingId: string, key: string, participantId: number): Promise<void>;
  refuseParticipant(bookingId: string, participantId: number, at: Date): Promise<void>;
}

export type RoomEntryOutcome = ({ status: 'entered' } & RoomVisit) | { status: 'waiting'; bookingId: string; title: string };

/** Guests waiting in one lobby at most; the host's list shows this many. */
export const LOBBY_MAX = 200;
const ticketKey = (ticket: string) => createHash('sha256').update(ticket).digest('hex');

export class RoomService {
  private readonly store: ProvisioningStore;
  private readonly registry: ProviderRegistry;
  private readonly clock: Clock;
  private readonly opensMinutes: number;
  private readonly admissions: RoomAdmissions;

  constructor(deps: { store: ProvisioningStore; registry: ProviderRegistry; clock: Clock; joinOpensMinutes: number; admissions: RoomAdmissions }) {
    this.admissions = deps.admissions;
    this.store = deps.store;
    this.registry = deps.registry;
    this.clock = deps.clock;
    this.opensMinutes = deps.joinOpensMinutes;
  }

  private async hold(bookingId: string, ticket: string): Promise<Held> {
    const [facts, row] = await Promise.all([this.store.facts(bookingId), this.store.get(bookingId)]);
    if (!facts) throw bookingNotFound();
    const provider = row ? this.registry.get(row.provider).provider : null;
    const room = provider && hasBrowserRoom(provider) ? provider : null;
    const who = room?.admit(ticket) ?? null;
    if (!room || !who || who.bookingId !== bookingId) {
      throw new AppError('unauthenticated', 'ROOM_TICKET_INVALID', 'This room link is not valid (any more). Open the meeting again from your invitation or the booking’s join link.', {}, {
        it: 'Questo link della stanza non è (più) valido. Riapri la riunione dal tuo invito o dal link per partecipare della prenotazione.',
      });
    }
    const now = this.clock.now();
    if (facts.status === 'cancelled') throw new AppError('conflict', 'MEETING_CANCELLED', 'This booking was cancelled: its room is closed.', {}, { it: 'Questa prenotazione è stata annullata: la stanza è chiusa.' });
    if (now >= facts.end) throw new AppError('conflict', 'MEETING_ENDED', 'This meeting has ended: its room is closed.', {}, { it: 'Questa riunione è terminata: la stanza è chiusa.' });
    const opensAt = new Date(facts.start.getTime() - this.opensMinutes * MINUTE);
    if (now < opensAt) throw new AppError('forbidden', 'MEETING_NOT_OPEN', `The room opens at ${opensAt.toISOString()}.`, { opensAt: opensAt.toISOString() }, { it: `La stanza si apre alle ${opensAt.toISOString()}.` });
    if (!row?.meetingRef || row.state !== 'ready') throw new AppError('unavailable', 'ROOM_NOT_READY', 'The room is being prepared; try again in a few seconds.', {}, { it: 'La stanza è in preparazione; riprova tra qualche secondo.' });
    return { room, ref: row.meetingRef, who, facts };
  }

  private hostOnly(h: Held): void {
    if (h.who.role !== 'host') throw new AppError('forbidden', 'ROOM_HOST_ONLY', 'Only the host of the meeting can do this.', {}, { it: 'Solo chi conduce la riunione può farlo.' });
  }

  async enter(bookingId: string, ticket: string): Promise<RoomEntryOutcome> {
    const h = await this.hold(bookingId, ticket);
    const f = h.facts;
    const key = ticketKey(ticket);
    if (h.who.lobby) {
      const a = await this.admissions.ask(bookingId, key, h.who.name, this.clock.now(), LOBBY_MAX);
      if (!a) throw new AppError('rate-limited', 'LOBBY_FULL', 'Too many guests are waiting to enter; try again in a few minutes.', {}, { it: 'Troppi ospiti sono in attesa di entrare; riprova tra qualche minuto.' });
      if (a.state === 'refused') throw new AppError('forbidden', 'LOBBY_REFUSED', 'The host did not let you into this meeting.', {}, { it: 'Chi modera non ti ha fatto entrare in questa riunione.' });
      if (a.state === 'waiting') return { status: 'waiting', bookingId, title: f.title };
    }
    const janus = await provided(() => h.room.enter(h.ref, h.who));
    if (h.who.lobby) await this.admissions.entered(bookingId, key, janus.participantId);
    return { status: 'entered', bookingId, title: f.title, start: f.start, end: f.end, timeZone: f.timeZone, role: h.who.role, name: h.who.name, janus };
  }

  async lobby(bookingId: string, ticket: string): Promise<Admission[]> {
    this.hostOnly(await this.hold(bookingId, ticket));
    return this.admissions.waiting(bookingId, LOBBY_MAX);
  }

  async admit(bookingId: string, ticket: string, key: string, admit: boolean): Promise<void> {
    this.hostOnly(await this.hold(bookingId, ticket));
    if (!(await this.admissions.decide(bookingId, key, admit, this.clock.now()))) throw new AppError('not-found', 'GUEST_NOT_WAITING', 'Nobody with this key is at the door of this meeting.', {}, { it: 'Nessuno con questa chiave è alla porta di questa riunione.' });
  }

  async participants(bookingId: string, ticket: string): Promise<RoomParticipant[]> {
    const h = await this.hold(bookingId, ticket);
    this.hostOnly(h);
    return provided(() => h.room.participants(h.ref));
  }

  async mute(bookingId: string, ticket: string, participantId: number, muted: boolean): Promise<void> {
    const h = await this.hold(bookingId, ticket);
    this.hostOnly(h);
    await provided(() => h.room.mute(h.ref, participantId, muted));
  }

  async remove(bookingId: string, ticket: string, participantId: number): Promise<void> {
    const h = await this.hold(bookingId, ticket);
    this.hostOnly(h);
    // A guest who came through the lobby stays out: the same ticket is refused from now on.
    await this.admissions.refuseParticipant(bookingId, participantId, this.clock.now());
    await provided(() => h.room.remove(h.ref, participantId));
  }
}

/** The service's failures as the API's errors: not there (404), or unavailable for now (503). */
async function provided<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (!(e instanceof ProviderError)) throw e;
    if (e.code === 'PARTICIPANT_NOT_FOUND') throw new AppError('not-found', 'PARTICIPANT_NOT_FOUND', 'This participant is no longer in the room.', {}, { it: 'Questa persona non è più nella stanza.' });
    if (e.code === 'MEETING_NOT_FOUND') throw new AppError('unavailable', 'ROOM_NOT_READY', 'The room is being prepared again; try again in a few seconds.', {}, { it: 'La stanza viene preparata di nuovo; riprova tra qualche secondo.' });
    throw new AppError('unavailable', 'ROOM_UNAVAILABLE', `The meeting server cannot be used right now (${e.message}).`, {}, { it: `Il server delle riunioni ora non è utilizzabile (${e.message}).` });
  }
}
