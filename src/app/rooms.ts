// The portal's own meeting room (issue #14): the room page trades the ticket of its join URL for what
// its browser needs to enter (the room's number and PIN, a participant number), and the host's
// controls (participants, mute, remove) act through here, since only the portal holds the room's
// secret. The ticket says who the join pages let in; the booking is checked again on every call, so
// a cancelled or ended booking lets nobody in whatever ticket they hold.
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

export class RoomService {
  private readonly store: ProvisioningStore;
  private readonly registry: ProviderRegistry;
  private readonly clock: Clock;
  private readonly opensMinutes: number;

  constructor(deps: { store: ProvisioningStore; registry: ProviderRegistry; clock: Clock; joinOpensMinutes: number }) {
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
      throw new AppError('unauthenticated', 'ROOM_TICKET_INVALID', 'This room link is not valid (any more). Open the meeting again from your invitation or the booking’s join link.');
    }
    const now = this.clock.now();
    if (facts.status === 'cancelled') throw new AppError('conflict', 'MEETING_CANCELLED', 'This booking was cancelled: its room is closed.');
    if (now >= facts.end) throw new AppError('conflict', 'MEETING_ENDED', 'This meeting has ended: its room is closed.');
    const opensAt = new Date(facts.start.getTime() - this.opensMinutes * MINUTE);
    if (now < opensAt) throw new AppError('forbidden', 'MEETING_NOT_OPEN', `The room opens at ${opensAt.toISOString()}.`, { opensAt: opensAt.toISOString() });
    if (!row?.meetingRef || row.state !== 'ready') throw new AppError('unavailable', 'ROOM_NOT_READY', 'The room is being prepared; try again in a few seconds.');
    return { room, ref: row.meetingRef, who, facts };
  }

  private hostOnly(h: Held): void {
    if (h.who.role !== 'host') throw new AppError('forbidden', 'ROOM_HOST_ONLY', 'Only the host of the meeting can do this.');
  }

  async enter(bookingId: string, ticket: string): Promise<RoomVisit> {
    const h = await this.hold(bookingId, ticket);
    const janus = await provided(() => h.room.enter(h.ref, h.who));
    const f = h.facts;
    return { bookingId, title: f.title, start: f.start, end: f.end, timeZone: f.timeZone, role: h.who.role, name: h.who.name, janus };
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
    await provided(() => h.room.remove(h.ref, participantId));
  }
}

/** The service's failures as the API's errors: not there (404), or unavailable for now (503). */
async function provided<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (!(e instanceof ProviderError)) throw e;
    if (e.code === 'PARTICIPANT_NOT_FOUND') throw new AppError('not-found', 'PARTICIPANT_NOT_FOUND', 'This participant is no longer in the room.');
    if (e.code === 'MEETING_NOT_FOUND') throw new AppError('unavailable', 'ROOM_NOT_READY', 'The room is being prepared again; try again in a few seconds.');
    throw new AppError('unavailable', 'ROOM_UNAVAILABLE', `The meeting server cannot be used right now (${e.message}).`);
  }
}
