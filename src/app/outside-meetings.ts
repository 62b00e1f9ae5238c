// Meetings on a conferencing service that were not made through the portal (issue #17). Each
// reconcile records those its services list (ProvisioningService.reconcile calls `record`), so
// nothing is booked around the portal unseen; administrators adopt one as a booking (made by the
// booking rules, as its owner) or remove it on the service (the adapter's own end + release).
import { isAdmin } from '../domain/access.ts';
import { AppError, forbidden, notFound, unprocessable } from '../domain/errors.ts';
import type { CallContext, Clock, Booking, UnitOfWork } from '../ports.ts';
import type { MeetingRef, MeetingSpec, OutsideMeeting } from '../providers/port.ts';
import { ProviderError } from '../providers/port.ts';
import type { ProviderRegistry } from '../providers/registry.ts';
import type { BookingService } from './bookings.ts';

export type OutsideStatus = 'open' | 'gone' | 'adopted' | 'removed';
export type OutsideMeetingRow = {
  id: string;
  provider: string;
  providerMeetingId: string;
  name: string;
  ref: MeetingRef;
  url: string | null;
  roomId: string | null;
  start: Date | null;
  end: Date | null;
  firstSeenAt: Date;
  lastSeenAt: Date;
  status: OutsideStatus;
  bookingId: string | null;
};

export interface OutsideMeetingStore {
  /** The meetings one provider lists now: new ones open, known ones seen again; open or adopted ones not listed are gone. */
  record(provider: string, meetings: readonly OutsideMeeting[], at: Date): Promise<void>;
  list(f: { statuses: readonly OutsideStatus[]; limit: number }): Promise<OutsideMeetingRow[]>;
  get(id: string): Promise<OutsideMeetingRow | null>;
  /** Moves a row from one status to another; false when it was not in `from` (someone else acted first). */
  move(id: string, from: OutsideStatus, to: OutsideStatus, bookingId?: string | null): Promise<boolean>;
}

export type AdoptInput = { roomId: string; ownerId: string; start: string; end: string; title?: string | undefined; seats?: number | undefined };

const MEETING_NOT_FOUND = () =>
  notFound('OUTSIDE_MEETING_NOT_FOUND', 'No meeting made outside the portal has this id.', { it: 'Non esiste una riunione fatta fuori dal portale con questo id.' });
const notOpen = (row: OutsideMeetingRow) =>
  new AppError('conflict', 'OUTSIDE_MEETING_SETTLED', `This meeting is already ${row.status === 'gone' ? 'gone from the service' : row.status}; reload the list.`, {}, {
    it: `Questa riunione è già ${({ gone: 'sparita dal servizio', adopted: 'adottata', removed: 'rimossa', open: 'aperta' } as const)[row.status]}; ricarica l’elenco.`,
  });

export class OutsideMeetingService {
  private readonly store: OutsideMeetingStore;
  private readonly registry: ProviderRegistry;
  private readonly uow: UnitOfWork;
  private readonly bookings: BookingService;
  private readonly clock: Clock;

  constructor(deps: { store: OutsideMeetingStore; registry: ProviderRegistry; uow: UnitOfWork; bookings: BookingService; clock: Clock }) {
    this.store = deps.store;
    this.registry = deps.registry;
    this.uow = deps.uow;
    this.bookings = deps.bookings;
    this.clock = deps.clock;
  }

  /** For reconcile: what one provider lists now. */
  record(provider: string, meetings: readonly OutsideMeeting[]): Promise<void> {
    return this.store.record(provider, meetings, this.clock.now());
  }

  async list(ctx: CallContext, limit: number): Promise<OutsideMeetingRow[]> {
    this.requireAdmin(ctx);
    // Adopted ones stay until they leave the service: their old meeting may still need removing.
    return this.store.list({ statuses: ['open', 'adopted'], limit });
  }

  /**
   * A booking for the meeting's time, by the booking rules, in the owner's name. The meeting on the
   * service is not linked to it (no adapter can rename a meeting to the portal's secret key): the
   * booking gets its own meeting at its time, and the old one stays until removed. `linked: false` says so.
   */
  async adopt(ctx: CallContext, id: string, input: AdoptInput): Promise<{ meeting: OutsideMeetingRow; booking: Booking; linked: boolean }> {
    this.requireAdmin(ctx);
    const row = await this.store.get(id);
    if (!row) throw MEETING_NOT_FOUND();
    if (row.status !== 'open') throw notOpen(row);
    const owner = await this.uow.repos.users.findById(input.ownerId);
    if (!owner) {
      throw notFound('OWNER_NOT_FOUND', 'No account has this id: choose the booking’s owner among the people of the portal.', {
        it: 'Nessun account ha questo id: scegli il titolare della prenotazione tra le persone del portale.',
      });
    }
    if (owner.disabledAt) {
      throw unprocessable('OWNER_DISABLED', `The account of ${owner.email} is disabled: enable it or choose another owner.`, {
        it: `L’account di ${owner.email} è disattivato: riattivalo o scegli un altro titolare.`,
      });
    }
    if (!(await this.store.move(id, 'open', 'adopted'))) throw notOpen((await this.store.get(id))!);
    const asOwner: CallContext = { actor: { userId: owner.id, role: owner.role, institutionId: owner.institutionId }, requestId: `outside-meeting:${id}` };
    let booking: Booking;
    try {
      booking = await this.bookings.create(asOwner, { title: input.title ?? row.name.slice(0, 200), roomId: input.roomId, seats: input.seats, start: input.start, end: input.end });
    } catch (e) {
      await this.store.move(id, 'adopted', 'open');
      throw e;
    }
    await this.store.move(id, 'adopted', 'adopted', booking.id);
    await this.uow.repos.audit.record({ actorId: ctx.actor.userId, action: 'outside-meeting.adopted', entity: 'outside-meeting', entityId: id, before: { provider: row.provider, name: row.name }, after: { bookingId: booking.id }, requestId: ctx.requestId });
    return { meeting: (await this.store.get(id))!, booking, linked: false };
  }

  /** Ends and deletes the meeting on its service, as reconcile releases an orphan. */
  async remove(ctx: CallContext, id: string): Promise<OutsideMeetingRow> {
    this.requireAdmin(ctx);
    const row = await this.store.get(id);
    if (!row) throw MEETING_NOT_FOUND();
    if (row.status !== 'open' && row.status !== 'adopted') throw notOpen(row);
    const entry = this.registry.get(row.provider);
    try {
      await entry.provider.end(row.ref);
      await entry.provider.release(row.ref, outsideSpec(row));
    } catch (e) {
      if (!(e instanceof ProviderError)) throw e;
      throw new AppError('unavailable', 'PROVIDER_REFUSED', `${row.provider} did not remove the meeting: ${e.message} Try again later.`, { providerCode: e.code }, {
        it: `${row.provider} non ha rimosso la riunione: ${e.message} Riprova più tardi.`,
      });
    }
    await this.store.move(id, row.status, 'removed', row.bookingId);
    await this.uow.repos.audit.record({ actorId: ctx.actor.userId, action: 'outside-meeting.removed', entity: 'outside-meeting', entityId: id, before: { provider: row.provider, name: row.name, providerMeetingId: row.providerMeetingId }, after: null, requestId: ctx.requestId });
    return (await this.store.get(id))!;
  }

  private requireAdmin(ctx: CallContext) {
    if (!isAdmin(ctx.actor)) throw forbidden('ADMIN_ONLY', 'Only administrators see and act on meetings made outside the portal.', { it: 'Solo gli amministratori vedono e gestiscono le riunioni fatte fuori dal portale.' });
  }
}

/** What release needs of a meeting no booking owns (the adapters read the ref). */
function outsideSpec(row: OutsideMeetingRow): MeetingSpec {
  const epoch = new Date(0);
  return { bookingId: '', meetingKey: '', title: row.name, start: row.start ?? epoch, end: row.end ?? epoch, seats: 1, timeZone: 'UTC', host: { userId: '', email: '', name: '' }, guestPolicy: 'open', settings: {} };
}
