// Rooms, institutions and users: admin use-cases. Each change writes an audit record in the same
// transaction as the change itself.
import { DateTime } from 'luxon';
import type { Actor, Role } from '../domain/access.ts';
import { AppError, adminOnly, forbidden, notFound } from '../domain/errors.ts';
import { isValidTimeZone } from '../domain/time.ts';
import type { AuditFilter, AuditRecord, CallContext, Clock, Institution, InstitutionInput, ListedUser, Locale, Repositories, Room, RoomInput, UnitOfWork, User, UserFilter } from '../ports.ts';

const requireAdmin = (actor: Actor) => {
  if (actor.role !== 'admin') throw adminOnly();
};

const checkZone = (zone: string | undefined) => {
  if (zone !== undefined && !isValidTimeZone(zone)) {
    throw new AppError('invalid', 'INVALID_TIME_ZONE', `${zone} is not an IANA time zone (for example Europe/Rome).`, {}, { it: `${zone} non è un fuso orario IANA (per esempio Europe/Rome).` });
  }
};

const checkSubscription = (i: Partial<InstitutionInput>) => {
  if (i.subscriptionStart && i.subscriptionEnd && i.subscriptionEnd < i.subscriptionStart) {
    throw new AppError('invalid', 'END_BEFORE_START', 'subscriptionEnd must not be before subscriptionStart.', {}, { it: 'La fine dell’abbonamento (subscriptionEnd) non può precedere l’inizio (subscriptionStart).' });
  }
};

export class AdministrationService {
  private readonly uow: UnitOfWork;
  private readonly defaultTimeZone: string;
  private readonly clock: Clock;
  constructor(deps: { uow: UnitOfWork; defaultTimeZone: string; clock: Clock }) {
    this.uow = deps.uow;
    this.clock = deps.clock;
    this.defaultTimeZone = deps.defaultTimeZone;
  }

  // Rooms
  listRooms(_ctx: CallContext, includeInactive: boolean): Promise<Room[]> {
    return this.uow.repos.rooms.list({ includeInactive });
  }

  async getRoom(_ctx: CallContext, id: string): Promise<Room> {
    return (await this.uow.repos.rooms.findById(id)) ?? roomNotFound();
  }

  async createRoom(ctx: CallContext, input: Omit<RoomInput, 'timeZone' | 'provider' | 'active'> & Partial<RoomInput>): Promise<Room> {
    requireAdmin(ctx.actor);
    checkZone(input.timeZone);
    return this.audited(ctx, 'room.created', 'room', async (r) => {
      const room = await r.rooms.create({
        name: input.name,
        capacity: input.capacity,
        timeZone: input.timeZone ?? this.defaultTimeZone,
        provider: input.provider ?? null,
        active: input.active ?? true,
        onApproval: input.onApproval ?? false,
      });
      return { before: null, after: room };
    });
  }

  async updateRoom(ctx: CallContext, id: string, change: Partial<RoomInput>): Promise<Room> {
    requireAdmin(ctx.actor);
    checkZone(change.timeZone);
    return this.audited(ctx, 'room.updated', 'room', async (r) => {
      const before = (await r.rooms.findById(id)) ?? roomNotFound();
      if (change.capacity !== undefined && change.capacity < before.capacity) {
        // Shrinking a room must not leave upcoming meetings with more participants than it holds.
        const largest = await r.bookings.largestUpcomingSeats(id, this.clock.now());
        if (largest > change.capacity) {
          throw new AppError(
            'conflict',
            'CAPACITY_BELOW_BOOKINGS',
            `An upcoming booking in ${before.name} needs ${largest} seats; move it or lower its seats before setting the capacity to ${change.capacity}.`,
            { largestUpcomingSeats: largest },
            { it: `Una prenotazione futura in ${before.name} richiede ${largest} posti; spostala o riducine i posti prima di portare la capienza a ${change.capacity}.` },
          );
        }
      }
      const after = (await r.rooms.update(id, change)) ?? roomNotFound();
      return { before, after };
    });
  }

  // Institutions
  async listInstitutions(ctx: CallContext): Promise<Institution[]> {
    const all = await this.uow.repos.institutions.list();
    return ctx.actor.role === 'admin' ? all : all.filter((i) => i.id === ctx.actor.institutionId);
  }

  async getInstitution(ctx: CallContext, id: string): Promise<Institution> {
    if (ctx.actor.role !== 'admin' && ctx.actor.institutionId !== id) institutionNotFound();
    return (await this.uow.repos.institutions.findById(id)) ?? institutionNotFound();
  }

  /** Booked hours per calendar month (in the default zone), oldest first, beside the quota. */
  async institutionUsage(ctx: CallContext, id: string, months: number): Promise<{ month: string; bookedHours: number; quotaHours: number | null }[]> {
    // Usage is for those who answer for the quota: administrators and the institution's managers.
    if (ctx.actor.role === 'member') throw forbidden('MANAGER_ONLY', 'Only administrators and the institution’s managers may see its usage.', { it: 'Solo gli amministratori e i referenti dell’ente possono vederne l’utilizzo.' });
    const institution = await this.getInstitution(ctx, id);
    let cursor = DateTime.fromJSDate(this.clock.now(), { zone: this.defaultTimeZone }).startOf('month').minus({ months: months - 1 });
    const slots = Array.from({ length: months }, () => {
      const slot = { label: cursor.toFormat('yyyy-MM'), start: cursor.toJSDate(), end: cursor.plus({ months: 1 }).toJSDate() };
      cursor = cursor.plus({ months: 1 });
      return slot;
    });
    const hours = await this.uow.repos.bookings.institutionHoursPerMonth(id, slots);
    return slots.map((s, i) => ({ month: s.label, bookedHours: Math.round((hours[i] ?? 0) * 100) / 100, quotaHours: institution.monthlyQuotaHours }));
  }

  async createInstitution(ctx: CallContext, input: InstitutionInput): Promise<Institution> {
    requireAdmin(ctx.actor);
    checkSubscription(input);
    return this.audited(ctx, 'institution.created', 'institution', async (r) => ({ before: null, after: await r.institutions.create(normaliseScopes(input)) }));
  }

  async updateInstitution(ctx: CallContext, id: string, change: Partial<InstitutionInput>): Promise<Institution> {
    requireAdmin(ctx.actor);
    return this.audited(ctx, 'institution.updated', 'institution', async (r) => {
      const before = (await r.institutions.findById(id)) ?? institutionNotFound();
      checkSubscription({ ...before, ...change });
      const after = (await r.institutions.update(id, normaliseScopes(change))) ?? institutionNotFound();
      return { before, after };
    });
  }

  // Users
  async listUsers(ctx: CallContext, f: UserFilter): Promise<ListedUser[]> {
    if (ctx.actor.role === 'member') throw forbidden('MANAGERS_ONLY', 'Only institution managers and administrators may list users.', { it: 'Solo i referenti degli enti e gli amministratori possono elencare gli utenti.' });
    if (ctx.actor.role === 'admin') return this.uow.repos.users.list(f);
    // A manager sees their own institution's people; without one, nobody (never everyone).
    if (!ctx.actor.institutionId) throw noInstitution();
    return this.uow.repos.users.list({ ...f, institutionId: ctx.actor.institutionId });
  }

  /** One person as the Users list shows them, to whoever the list would show them. */
  async getUser(ctx: CallContext, id: string): Promise<ListedUser> {
    const [user] = await this.listUsers(ctx, { id, limit: 1, offset: 0 });
    return user ?? userNotFound();
  }

  async updateUser(
    ctx: CallContext,
    id: string,
    change: { name?: string | undefined; role?: Role | undefined; institutionId?: string | null | undefined; locale?: Locale | null | undefined },
  ): Promise<User> {
    const manager = ctx.actor.role === 'institution-manager';
    if (!manager) requireAdmin(ctx.actor);
    if (manager && !ctx.actor.institutionId) throw noInstitution();
    // A manager looks after the members of their own institution (names, and removing someone from
    // it); roles and moves to another institution stay with administrators.
    if (manager && (change.role !== undefined || (change.institutionId !== undefined && change.institutionId !== null))) {
      throw forbidden('ADMIN_ONLY', 'Only administrators assign roles and institutions.', { it: 'Solo gli amministratori assegnano ruoli ed enti.' });
    }
    const updated = await this.audited(ctx, 'user.updated', 'user', async (r) => {
      const before = (await r.users.findById(id)) ?? userNotFound();
      // Members only: not themselves, nor a fellow manager (who could then be taken out of the
      // institution, and with it out of its bounds).
      if (manager && (before.institutionId !== ctx.actor.institutionId || before.role !== 'member')) userNotFound();
      if (change.institutionId && !(await r.institutions.findById(change.institutionId))) institutionNotFound();
      if (before.role === 'admin' && change.role && change.role !== 'admin' && (await r.users.countAdmins()) <= 1) {
        throw new AppError('conflict', 'LAST_ADMIN', 'This is the last administrator; make someone else an administrator first.', {}, { it: 'È l’ultimo amministratore; prima rendi amministratore qualcun altro.' });
      }
      const after = (await r.users.update(id, change)) ?? userNotFound();
      return { before, after };
    });
    return updated;
  }

  // Audit log
  listAudit(ctx: CallContext, filter: AuditFilter): Promise<AuditRecord[]> {
    requireAdmin(ctx.actor);
    return this.uow.repos.audit.list(filter);
  }

  private audited<T extends { id: string }>(
    ctx: CallContext,
    action: string,
    entity: string,
    work: (r: Repositories) => Promise<{ before: T | null; after: T }>,
  ): Promise<T> {
    return this.uow.transaction(async (r) => {
      const { before, after } = await work(r);
      await r.audit.record({ actorId: ctx.actor.userId, action, entity, entityId: after.id, before, after, requestId: ctx.requestId });
      return after;
    });
  }
}

function normaliseScopes<T extends Partial<InstitutionInput>>(i: T): T {
  return i.scopes ? { ...i, scopes: [...new Set(i.scopes.map((s) => s.trim().toLowerCase().replace(/^@/, '')))] } : i;
}

const roomNotFound = (): never => {
  throw notFound('ROOM_NOT_FOUND', 'No room with this id exists.', { it: 'Non esiste un’aula con questo id.' });
};
const institutionNotFound = (): never => {
  throw notFound('INSTITUTION_NOT_FOUND', 'No institution with this id exists.', { it: 'Non esiste un ente con questo id.' });
};
const userNotFound = (): never => {
  throw notFound('USER_NOT_FOUND', 'No user with this id exists.', { it: 'Non esiste un utente con questo id.' });
};

const noInstitution = () =>
  forbidden('NO_INSTITUTION', 'You manage no institution, so there are no people for you to see or change.', {
    it: 'Non sei referente di alcun ente, quindi non ci sono persone che tu possa vedere o modificare.',
  });
