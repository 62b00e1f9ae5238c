// Attendance reports (issue #15): who was in a meeting, from when to when, for how long. Training
// courses use them as proof of attendance, so only the booker, their institution's managers and
// admins see them (the same rule as managing the booking). Three sources fill them: the join pages
// (who entered through the portal, when), the service's list of the people in the meeting where it
// has one (AttendeeLister, asked once a minute by the usage sampler), and the phone conference.
import { canManageBooking } from '../domain/access.ts';
import { bookingNotFound } from '../domain/errors.ts';
import { isUuid } from '../domain/ids.ts';
import type { CallContext } from '../ports.ts';
import type { AttendeeLister, ConferenceProvider, MeetingAttendee, Participant } from '../providers/port.ts';
import type { ProviderRegistry } from '../providers/registry.ts';
import type { BookingFacts, ProvisioningStore } from './provisioning-store.ts';
import { GroupCommit } from './group-commit.ts';

/** `web`: a signed-in person; `guest`: anyone without an account; `phone`: a caller (number masked). */
export type AttendeeKind = 'web' | 'guest' | 'phone';
export type Attendee = { key: string; kind: AttendeeKind; display: string; userId: string | null };
export type AttendanceRow = { key: string; kind: AttendeeKind; display: string; userId: string | null; firstSeen: Date; lastSeen: Date; totalSeconds: number };

export type Entry = { bookingId: string; who: Attendee; at: Date };

export interface AttendanceStore {
  /** People who entered through the join pages, in one statement. */
  entered(entries: readonly Entry[]): Promise<void>;
  seen(bookingId: string, at: Date, people: Attendee[]): Promise<void>;
  seenOnPhone(bookingIds: string[], at: Date): Promise<void>;
  report(bookingId: string): Promise<AttendanceRow[]>;
}

export type AttendanceReport = {
  bookingId: string;
  title: string;
  start: Date;
  end: Date;
  timeZone: string;
  /**
   * False when the room's service cannot list its participants (Jitsi's public servers): then web
   * rows show only when each person entered through the portal, not how long they stayed.
   */
  presenceTracked: boolean;
  people: AttendanceRow[];
};

/** Services asked at once in a minute's sample. */
const PARALLEL = 8;

/** Who a join-page participant is in the report: `Participant.id` is the account id or `guest-…`. */
export function attendeeOfParticipant(p: Participant): Attendee {
  const display = p.name.trim().slice(0, 200) || p.id;
  return p.guest ? { key: `guest:${p.id}`, kind: 'guest', display, userId: null } : { key: `user:${p.id}`, kind: 'web', display, userId: p.id };
}

/**
 * Who someone the service lists is: the id the portal gave at join when the service echoes it
 * (an account id, or `guest-…`), else someone who came in another way (a guest the host let in on
 * the service itself), kept by the service's id.
 */
export function attendeeOfListed(a: MeetingAttendee): Attendee {
  const display = a.name.trim().slice(0, 200) || a.id;
  if (isUuid(a.id)) return { key: `user:${a.id.toLowerCase()}`, kind: 'web', display, userId: a.id.toLowerCase() };
  if (a.id.startsWith('guest-')) return { key: `guest:${a.id}`, kind: 'guest', display, userId: null };
  return { key: `web:${a.id.slice(0, 290)}`, kind: 'guest', display, userId: null };
}

/** Joins remembered per instance to skip repeated writes (bounded: cleared when full). */
const RECENT_ENTRIES = 10_000;

export class AttendanceService {
  private readonly recentEntries = new Map<string, number>();
  private readonly store: AttendanceStore;
  private readonly rooms: ProvisioningStore;
  private readonly registry: ProviderRegistry;
  private readonly warn: (err: unknown, bookingId: string) => void;

  constructor(d: { store: AttendanceStore; rooms: ProvisioningStore; registry: ProviderRegistry; warn?: (err: unknown, bookingId: string) => void }) {
    this.store = d.store;
    this.rooms = d.rooms;
    this.registry = d.registry;
    this.warn = d.warn ?? (() => {});
  }

  // The guests of a lecture that starts enter at once, each a new person: one statement per entry
  // was the cost of a guest's join (a 303 at a seventh of the bare redirect's rate on PGlite). The
  // entries that arrive while one is being written, or with it in one turn of the event loop, go
  // together in one statement (the group commit of the bookings, app/group-commit.ts): alone when the
  // portal is quiet, in bulk under a burst.
  private readonly entries = new GroupCommit<Entry, void>({
    together: async (items) => {
      await this.store.entered(items);
      return items.map(() => undefined);
    },
    alone: (item) => this.store.entered([item]),
    maxBatch: 500,
    lanes: 1,
    gather: true,
  });

  /** The join pages let someone in (JoiningService). */
  async entered(bookingId: string, who: Participant, at: Date): Promise<void> {
    const attendee = attendeeOfParticipant(who);
    // Everyone of a lecture clicks the link at once, some twice: one write per person and minute
    // is enough for the report (its resolution is the minute), so a repeated join writes nothing.
    const key = `${bookingId}/${attendee.key}`;
    const minute = Math.floor(at.getTime() / 60_000);
    if (this.recentEntries.get(key) === minute) return;
    if (this.recentEntries.size >= RECENT_ENTRIES) this.recentEntries.clear();
    this.recentEntries.set(key, minute);
    await this.entries.submit({ bookingId, who: attendee, at });
  }

  /** One minute's sighting of the running meetings (called by the usage sampler). */
  async sample(minute: Date, bookingIds: string[]): Promise<void> {
    for (let i = 0; i < bookingIds.length; i += PARALLEL) {
      await Promise.all(
        bookingIds.slice(i, i + PARALLEL).map(async (bookingId) => {
          try {
            const row = await this.rooms.get(bookingId);
            if (!row?.meetingRef || row.state !== 'ready') return;
            const entry = this.registry.get(row.provider);
            if (!entry.attendees) return;
            const listed = await (entry.provider as ConferenceProvider & AttendeeLister).attendees(row.meetingRef);
            await this.store.seen(bookingId, minute, listed.map(attendeeOfListed));
          } catch (err) {
            // A missed minute: the next sighting within two minutes still counts the time between.
            this.warn(err, bookingId);
          }
        }),
      );
    }
    await this.store.seenOnPhone(bookingIds, minute);
  }

  async report(ctx: CallContext, bookingId: string): Promise<AttendanceReport> {
    const f = await this.managed(ctx, bookingId);
    const row = await this.rooms.get(bookingId);
    const provider = row?.provider ?? this.registry.nameForRoom(f.roomProvider);
    let presenceTracked = false;
    try {
      presenceTracked = this.registry.get(provider).attendees;
    } catch {
      // The room's service is no longer configured: the rows recorded before still show.
    }
    return { bookingId, title: f.title, start: f.start, end: f.end, timeZone: f.timeZone, presenceTracked, people: await this.store.report(bookingId) };
  }

  private async managed(ctx: CallContext, bookingId: string): Promise<BookingFacts> {
    const f = await this.rooms.facts(bookingId);
    if (!f || !canManageBooking(ctx.actor, { bookerId: f.bookerId, institutionId: f.institutionId })) throw bookingNotFound();
    return f;
  }
}

const csvCell = (v: string) => (/[",\r\n]/.test(v) || /^[=+\-@]/.test(v) ? `"${(/^[=+\-@]/.test(v) ? `'${v}` : v).replace(/"/g, '""')}"` : v);

/** RFC 4180 CSV, one row per person; cells a spreadsheet would run as a formula are quoted and defused. */
export function attendanceCsv(r: AttendanceReport): string {
  const lines = [['name', 'kind', 'first_seen', 'last_seen', 'total_minutes'].join(',')];
  for (const p of r.people) {
    lines.push([csvCell(p.display), p.kind, p.firstSeen.toISOString(), p.lastSeen.toISOString(), String(Math.round(p.totalSeconds / 60))].join(','));
  }
  return lines.join('\r\n') + '\r\n';
}
