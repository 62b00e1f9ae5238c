// Bookings coming in from the old channels (issue #17): lines read from a CSV or iCalendar file are
// judged by the same rules as a booking made in the portal (BookingService.requestRefusals and
// reserveMany), each as its owner, inside one transaction. A dry run rolls the transaction back; a
// real import keeps it only when every line was accepted (or, with skipRefused, imports the
// accepted lines in a second transaction), so nothing is ever half-imported.
import type { BookingPolicy, Slot } from '../domain/booking-rules.ts';
import { AppError, unprocessable } from '../domain/errors.ts';
import { expandRecurrence, formatRecurrence, MAX_OCCURRENCES, parseRecurrence, remainder } from '../domain/recurrence.ts';
import { latestStart } from '../domain/booking-rules.ts';
import { MINUTE, parseTime } from '../domain/time.ts';
import type { CallContext, Clock, Repositories, Room, UnitOfWork, User } from '../ports.ts';
import type { BookingService } from './bookings.ts';

/** Lines one import may hold, and meetings it may make in all (a series counts its dates). */
export const MAX_IMPORT_LINES = 1000;
export const MAX_IMPORT_MEETINGS = 5000;
/** Dates of one series the import looks at, those already over included (they are left out). */
const MAX_SERIES_DATES = 1000;

/** One booking or series to import, as read from the file. Times: ISO 8601, local to the room unless they carry an offset. */
export type ImportLine = {
  /** Where it came from, for the report: "row 3", "event 2 (UID …)". */
  label: string;
  room: string;
  owner: string;
  title: string;
  description: string;
  seats?: number | undefined;
  start: string;
  end: string;
  rrule?: string | undefined;
  exdates: string[];
};

export type Refusal = { code: string; reason: string };
export type DateOutcome = { start: Date; end: Date; refusal: Refusal | null };
export type LineOutcome = {
  line: ImportLine;
  /** The room's zone, for printing local times (the default zone when the room is unknown). */
  zone: string;
  /** The reason the whole line is refused (unknown owner or room, a rule it breaks), or null. */
  refusal: Refusal | null;
  /** The meetings it makes (one, or a series' dates from now on), each with its own outcome. */
  dates: DateOutcome[];
  /** Dates of a series that are already over: history, left out. */
  pastDates: number;
};

export const lineRefused = (o: LineOutcome) => o.refusal !== null || o.dates.some((d) => d.refusal !== null);

class Rollback extends Error {
  readonly outcomes: LineOutcome[];
  constructor(outcomes: LineOutcome[]) {
    super('rolled back');
    this.outcomes = outcomes;
  }
}

const asRefusal = (e: unknown): Refusal => {
  if (e instanceof AppError) return { code: e.code, reason: e.message };
  throw e;
};

export class BookingImport {
  private readonly uow: UnitOfWork;
  private readonly clock: Clock;
  private readonly policy: BookingPolicy;
  private readonly bookings: BookingService;

  constructor(deps: { uow: UnitOfWork; clock: Clock; policy: BookingPolicy; bookings: BookingService }) {
    this.uow = deps.uow;
    this.clock = deps.clock;
    this.policy = deps.policy;
    this.bookings = deps.bookings;
  }

  /**
   * Judges every line; with `commit`, keeps what was booked. `written` says whether anything was:
   * never when a line was refused, unless `skipRefused`, when the accepted lines are imported alone.
   */
  async run(lines: readonly ImportLine[], opts: { source: string; commit: boolean; skipRefused?: boolean }): Promise<{ outcomes: LineOutcome[]; written: boolean }> {
    if (lines.length > MAX_IMPORT_LINES) throw unprocessable('IMPORT_TOO_LARGE', `The file has ${lines.length} bookings; import at most ${MAX_IMPORT_LINES} at a time.`, {
        it: `Il file contiene ${lines.length} prenotazioni; importane al massimo ${MAX_IMPORT_LINES} alla volta.`,
      });
    const first = await this.attempt(lines, opts.source, opts.commit);
    if (!opts.commit || first.written || !opts.skipRefused) return first;
    const accepted = lines.filter((_, i) => !lineRefused(first.outcomes[i]!));
    if (accepted.length === 0) return first;
    // The accepted lines alone, judged again: one that lost its room meanwhile stops them all.
    const second = await this.attempt(accepted, opts.source, true);
    const again = new Map(accepted.map((l, i) => [l, second.outcomes[i]!]));
    return { outcomes: lines.map((l, i) => again.get(l) ?? first.outcomes[i]!), written: second.written };
  }

  private async attempt(lines: readonly ImportLine[], source: string, commit: boolean): Promise<{ outcomes: LineOutcome[]; written: boolean }> {
    try {
      const outcomes = await this.uow.transaction(async (r) => {
        const outcomes = await this.judge(r, lines, source);
        if (!commit || outcomes.some(lineRefused)) throw new Rollback(outcomes);
        const made = outcomes.reduce((n, o) => n + o.dates.length, 0);
        await r.audit.record({ actorId: null, action: 'bookings.imported', entity: 'import', entityId: source, before: null, after: { lines: lines.length, bookings: made }, requestId: requestIdOf(source) });
        return outcomes;
      });
      return { outcomes, written: true };
    } catch (e) {
      if (e instanceof Rollback) return { outcomes: e.outcomes, written: false };
      throw e;
    }
  }

  private async judge(r: Repositories, lines: readonly ImportLine[], source: string): Promise<LineOutcome[]> {
    const rooms = new Map((await r.rooms.list({ includeInactive: true })).map((room) => [room.name.toLowerCase(), room]));
    const owners = new Map<string, User | null>();
    const outcomes: LineOutcome[] = [];
    let meetings = 0;
    for (const line of lines) {
      const room = rooms.get(line.room.trim().toLowerCase()) ?? null;
      const outcome: LineOutcome = { line, zone: room?.timeZone ?? this.policy.defaultTimeZone, refusal: null, dates: [], pastDates: 0 };
      outcomes.push(outcome);
      try {
        const key = line.owner.trim().toLowerCase();
        if (!owners.has(key)) owners.set(key, await r.users.findByEmail(key));
        const owner = owners.get(key)!;
        if (!owner) {
          throw unprocessable('OWNER_NOT_FOUND', `No account has the e-mail ${line.owner}: create the person first (or correct the address), then import again.`, {
            it: `Nessun account ha l’indirizzo e-mail ${line.owner}: prima crea la persona (o correggi l’indirizzo), poi importa di nuovo.`,
          });
        }
        if (owner.disabledAt) {
          throw unprocessable('OWNER_DISABLED', `The account of ${owner.email} is disabled: enable it or give another owner.`, {
            it: `L’account di ${owner.email} è disattivato: riattivalo o indica un altro titolare.`,
          });
        }
        if (!room) {
          throw unprocessable('ROOM_NOT_FOUND', `No room is named "${line.room}": use a room's name as the portal shows it (import-rooms creates rooms).`, {
            it: `Nessuna aula si chiama "${line.room}": usa il nome dell’aula come lo mostra il portale (import-rooms crea le aule).`,
          });
        }
        const ctx: CallContext = { actor: { userId: owner.id, role: owner.role, institutionId: owner.institutionId }, requestId: requestIdOf(source) };
        const { seats } = await this.bookings.chooseRooms(r, { roomId: room.id, seats: line.seats });
        const first = this.bookings.parseSlot(line.start, line.end, room.timeZone);
        if (first.end <= first.start) throw unprocessable('INVALID_RANGE', 'The end is not after the start.', { it: 'La fine non è dopo l’inizio.' });
        const plan = line.rrule ? this.series(line, first, room) : { slots: [first], past: 0, seriesRule: null };
        outcome.pastDates = plan.past;
        meetings += plan.slots.length;
        if (meetings > MAX_IMPORT_MEETINGS) {
          throw unprocessable('IMPORT_TOO_LARGE', `The file makes more than ${MAX_IMPORT_MEETINGS} meetings; split it into smaller files.`, {
            it: `Il file crea più di ${MAX_IMPORT_MEETINGS} riunioni; dividilo in file più piccoli.`,
          });
        }
        if (plan.slots.length === 0) {
          throw unprocessable('SERIES_OVER', 'Every date of this series is already over: there is nothing left to book.', { it: 'Tutte le date di questa serie sono già passate: non resta nulla da prenotare.' });
        }
        const seriesId = plan.seriesRule
          ? await r.bookings.series.insert({
              roomId: room.id,
              title: line.title,
              description: line.description,
              seats,
              bookerId: owner.id,
              institutionId: owner.institutionId,
              timeZone: room.timeZone,
              rrule: plan.seriesRule,
              firstStart: plan.slots[0]!.start,
              durationMinutes: Math.round((first.end.getTime() - first.start.getTime()) / MINUTE),
              sharedAccess: true,
              splitFrom: null,
              exdates: plan.exdates,
            })
          : undefined;
        const early = await this.bookings.requestRefusals(r, ctx, plan.slots, room.timeZone);
        const open = plan.slots.filter((_, i) => !early[i]);
        const results = await this.bookings.reserveMany(
          r,
          ctx,
          open.map((slot) => ({ candidates: [room], slot, seats, zone: room.timeZone, title: line.title, description: line.description, seriesId, recurrenceId: seriesId ? slot.start : undefined })),
        );
        const judged = new Map(open.map((slot, k) => [slot, results[k]!]));
        outcome.dates = plan.slots.map((slot, i) => {
          const result = early[i] ?? judged.get(slot)!;
          return { ...slot, refusal: result instanceof AppError ? { code: result.code, reason: result.message } : null };
        });
      } catch (e) {
        outcome.refusal = asRefusal(e);
      }
    }
    return outcomes;
  }

  /**
   * A series' dates from now on. The dates already over are history (left out, and counted off
   * COUNT, so the series in the portal ends where the old one did); EXDATEs are kept.
   */
  private series(line: ImportLine, first: Slot, room: Room) {
    const rule = parseRecurrence(line.rrule!);
    const zone = room.timeZone;
    const now = this.clock.now();
    const length = first.end.getTime() - first.start.getTime();
    const exdates = line.exdates.map((d, i) => parseTime(d, zone, `exdate ${i + 1}`));
    const excluded = new Set(exdates.map((d) => d.getTime()));
    const starts = expandRecurrence({ rule, start: first.start, zone, notAfter: latestStart(now, this.policy), max: MAX_SERIES_DATES });
    const past = starts.filter((s) => s.getTime() + length <= now.getTime());
    const ahead = starts.slice(past.length).filter((s) => !excluded.has(s.getTime()));
    if (ahead.length > MAX_OCCURRENCES) {
      throw unprocessable(
        'TOO_MANY_OCCURRENCES',
        `A repeating booking has at most ${MAX_OCCURRENCES} meetings; this one has ${ahead.length} still to come. Split it into two series.`,
        { it: `Una prenotazione ricorrente ha al massimo ${MAX_OCCURRENCES} riunioni; questa ne ha ancora ${ahead.length} da svolgere. Dividila in due serie.` },
        { maxOccurrences: MAX_OCCURRENCES },
      );
    }
    const slots = ahead.map((start) => ({ start, end: new Date(start.getTime() + length) }));
    // COUNT counts every date of the rule, EXDATEs included (RFC 5545, 3.8.5.1): those before the new first start are used up.
    const used = slots.length ? starts.findIndex((s) => s.getTime() === slots[0]!.start.getTime()) : 0;
    const seriesRule = slots.length ? formatRecurrence(remainder(rule, used), slots[0]!.start, zone) : null;
    return { slots, past: past.filter((s) => !excluded.has(s.getTime())).length, seriesRule, exdates: exdates.filter((d) => slots.length > 0 && d > slots[0]!.start) };
  }
}

/** What the audit log's request id says of a change the import made: where it came from. */
export const requestIdOf = (source: string) => `import:${source}`.slice(0, 200);
