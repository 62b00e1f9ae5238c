// A year of a realistic service in an empty database, so the statistics page and the calendar can
// be seen at once: the reference deployment's shape (8 rooms, a 500-seat licence, a few hundred
// meetings, peaks near 170 people at once), with weekly series, people who book the same day or
// months ahead, cancellations, no-shows and callers on the phone; and the coming weeks as booked so
// far, so the calendar opens on meetings (one series runs on into them). Deterministic: the same
// seed and day give the same year. Rows go in with SQL directly (the booking rules refuse the past).
import { sql } from 'kysely';
import { DateTime } from 'luxon';
import type { Db } from './database.ts';
import { seededRandom } from '../domain/seeded-random.ts';

export type DemoSummary = { institutions: number; people: number; meetings: number; series: number; cancelled: number; upcoming: number; samples: number };

/** How far past the demo's day its bookings reach: what people have booked so far of the coming weeks. */
export const DEMO_DAYS_AHEAD = 28;

export class DemoRefused extends Error {}

const INSTITUTIONS = [
  ['Università di Padova', 'unipd'],
  ['Università di Bologna', 'unibo'],
  ['Politecnico di Milano', 'polimi'],
  ['Università di Pisa', 'unipi'],
  ['Sapienza Università di Roma', 'uniroma1'],
  ['Università di Napoli Federico II', 'unina'],
] as const;
const FIRST = ['Giulia', 'Marco', 'Francesca', 'Luca', 'Chiara', 'Alessandro', 'Sara', 'Matteo', 'Elena', 'Davide', 'Martina', 'Paolo'];
const LAST = ['Rossi', 'Bianchi', 'Ferrari', 'Esposito', 'Romano', 'Colombo', 'Ricci', 'Marino', 'Greco', 'Bruno', 'Gallo', 'Conti'];
const TITLES = ['Consiglio di dipartimento', 'Seminario di ricerca', 'Riunione di progetto', 'Esame di laurea', 'Commissione didattica', 'Webinar per studenti', 'Collegio dei docenti', 'Workshop internazionale'];
/** Slots of a working day (local time): a room holds at most one meeting in each, never two at once. */
const SLOTS: [number, number, number, number][] = [
  [9, 0, 11, 0],
  [11, 30, 13, 0],
  [14, 0, 16, 0],
  [16, 30, 18, 0],
];

type Room = { id: string; name: string; capacity: number };
type Meeting = { room: Room; start: DateTime; end: DateTime; seats: number; booker: number; title: string; created: DateTime; cancelledAt: DateTime | null; seriesIndex: number | null; people: number; phone: number; noShow: boolean };

export async function fillDemo(db: Db, o: { now: Date; timeZone: string; seed?: number }): Promise<DemoSummary> {
  // Seeded, so the demo year is the same on every machine.
  const rnd = seededRandom(o.seed ?? 15);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const between = (lo: number, hi: number) => lo + rnd() * (hi - lo);

  return db.transaction().execute(async (trx) => {
    const held = await sql<{ n: number }>`SELECT count(*)::int AS n FROM bookings`.execute(trx);
    if (held.rows[0]!.n > 0) throw new DemoRefused(`This database holds ${held.rows[0]!.n} bookings: the demo fills only an empty one, so that it never mixes invented meetings with real ones.`);
    const rooms = (await sql<Room>`SELECT id, name, capacity FROM rooms WHERE active ORDER BY capacity DESC, name`.execute(trx)).rows;
    if (rooms.length === 0) throw new DemoRefused('This database has no rooms: start the portal once (it creates the default eight) or import rooms first.');

    const institutions: string[] = [];
    for (const [name] of INSTITUTIONS) {
      const r = await sql<{ id: string }>`INSERT INTO institutions (name, subscription_start, subscription_end, monthly_quota_hours)
        VALUES (${name}, ${DateTime.fromJSDate(o.now).minus({ years: 1 }).toISODate()}::date, ${DateTime.fromJSDate(o.now).plus({ years: 1 }).toISODate()}::date, 120)
        ON CONFLICT (lower(name)) DO UPDATE SET name = EXCLUDED.name RETURNING id`.execute(trx);
      institutions.push(r.rows[0]!.id);
    }
    const people: { id: string; institution: string }[] = [];
    for (const [i, [, domain]] of INSTITUTIONS.entries()) {
      for (let k = 0; k < 8; k++) {
        const first = FIRST[(i * 5 + k) % FIRST.length]!;
        const last = LAST[(i * 7 + k * 3) % LAST.length]!;
        const r = await sql<{ id: string }>`INSERT INTO users (email, name, role, institution_id, locale)
          VALUES (${`${first}.${last}.${k}@${domain}.demo.example`.toLowerCase()}, ${`${first} ${last}`}, ${k === 0 ? 'institution-manager' : 'member'}, ${institutions[i]!}::uuid, 'it')
          ON CONFLICT (lower(email)) DO UPDATE SET name = EXCLUDED.name RETURNING id`.execute(trx);
        people.push({ id: r.rows[0]!.id, institution: institutions[i]! });
      }
    }

    const now = DateTime.fromJSDate(o.now, { zone: o.timeZone });
    const today = now.startOf('day');
    const first = today.minus({ days: 365 });
    const last = today.plus({ days: DEMO_DAYS_AHEAD });
    const holiday = (d: DateTime) => (d.month === 8 && d.day >= 8 && d.day <= 23) || (d.month === 12 && d.day >= 23) || (d.month === 1 && d.day <= 6);
    const taken = new Set<string>();
    const meetings: Meeting[] = [];
    const attendance = (seats: number) => Math.max(2, Math.round(seats * between(0.35, 0.9)));
    const add = (m: Omit<Meeting, 'people' | 'phone' | 'noShow' | 'cancelledAt'> & { cancelledAt?: DateTime | null }, slot: number) => {
      const key = `${m.room.id}/${m.start.toISODate()}/${slot}`;
      if (taken.has(key)) return;
      taken.add(key);
      // What happened by now: a cancellation still to come is not one yet, and only a meeting that
      // has ended can have been a no-show.
      const drawn = m.cancelledAt !== undefined ? m.cancelledAt : rnd() < 0.08 ? cancelTime(m) : null;
      const cancelled = drawn && drawn < now ? drawn : null;
      const noShow = !cancelled && rnd() < 0.06 && m.end <= now;
      meetings.push({ ...m, cancelledAt: cancelled, noShow, people: attendance(m.seats), phone: rnd() < 0.3 ? Math.round(between(1, 6)) : 0 });
    };
    const cancelTime = (m: { start: DateTime; created: DateTime }) => {
      const r = rnd();
      const before = r < 0.1 ? -0.25 : r < 0.3 ? between(0.1, 1) : r < 0.6 ? between(1, 24) : between(24, 24 * 14);
      const at = m.start.minus({ hours: before });
      return at < m.created ? m.created.plus({ minutes: 30 }) : at;
    };
    const at = (d: DateTime, h: number, min: number) => d.set({ hour: h, minute: min });

    // Weekly series: a seminar, a research group's meeting (still running, into the coming weeks)
    // and a course, each in its own room and slot.
    const seriesPlan = [
      { room: rooms[2 % rooms.length]!, weekday: 2, slot: 2, from: first.plus({ days: 20 }), weeks: 30, title: 'Seminario settimanale di dottorato' },
      { room: rooms[4 % rooms.length]!, weekday: 4, slot: 0, from: today.minus({ weeks: 22 }), weeks: 30, title: 'Riunione del gruppo di ricerca' },
      { room: rooms[1 % rooms.length]!, weekday: 1, slot: 1, from: first.plus({ days: 38 }), weeks: 20, title: 'Corso di metodologia (lezione)' },
    ];
    const seriesRows: { index: number; room: Room; firstStart: DateTime; minutes: number; booker: number; title: string; seats: number }[] = [];
    seriesPlan.forEach((p, index) => {
      const booker = Math.floor(rnd() * people.length);
      let d = p.from;
      while (d.weekday !== p.weekday) d = d.plus({ days: 1 });
      const [h1, m1, h2, m2] = SLOTS[p.slot]!;
      const seats = Math.max(10, Math.round((p.room.capacity * 0.6) / 5) * 5);
      seriesRows.push({ index, room: p.room, firstStart: at(d, h1, m1), minutes: (h2 - h1) * 60 + (m2 - m1), booker, title: p.title, seats });
      const created = at(d, h1, m1).minus({ days: 14 });
      for (let w = 0; w < p.weeks; w++, d = d.plus({ weeks: 1 })) {
        if (d > last || holiday(d)) continue;
        add({ room: p.room, start: at(d, h1, m1), end: at(d, h2, m2), seats, booker, title: p.title, created, seriesIndex: index }, p.slot);
      }
    });

    // The opening lecture of the academic year and its overflow room: the year's peak.
    // Mid-October, when Italian universities open the year.
    let opening = first.plus({ days: 330 });
    while (opening.weekday !== 3) opening = opening.plus({ days: 1 });
    if (opening < today) {
      const booker = 0;
      const created = opening.minus({ days: 40 });
      const big = rooms[0]!;
      const overflow = rooms[3 % rooms.length]!;
      taken.add(`${big.id}/${opening.toISODate()}/1`);
      taken.add(`${overflow.id}/${opening.toISODate()}/1`);
      meetings.push({ room: big, start: at(opening, 11, 30), end: at(opening, 13, 0), seats: big.capacity, booker, title: 'Inaugurazione dell’anno accademico', created, cancelledAt: null, seriesIndex: null, people: Math.round(big.capacity * 0.68), phone: 6, noShow: false });
      meetings.push({ room: overflow, start: at(opening, 11, 30), end: at(opening, 13, 0), seats: Math.min(overflow.capacity, 40), booker: 1, title: 'Inaugurazione: sala collegata', created, cancelledAt: null, seriesIndex: null, people: Math.min(overflow.capacity, 40) - 8, phone: 0, noShow: false });
    }

    // Meetings booked one at a time, on working days, more in term than in summer; of the coming
    // weeks, fewer the further ahead (not everyone has booked yet), each booked before now.
    for (let d = first; d <= last; d = d.plus({ days: 1 })) {
      if (d.weekday > 5 || holiday(d)) continue;
      const ahead = d.diff(today, 'days').days;
      const busy = (d.month >= 6 && d.month <= 9 ? 0.016 : 0.026) * (ahead > 0 ? Math.max(0.3, 1 - ahead / DEMO_DAYS_AHEAD) : 1);
      for (const room of rooms) {
        SLOTS.forEach(([h1, m1, h2, m2], slot) => {
          if (rnd() >= busy) return;
          const start = at(d, h1, m1);
          const r = rnd();
          const leadHours = r < 0.2 ? between(1, 6) : r < 0.6 ? between(24, 24 * 7) : r < 0.9 ? between(24 * 8, 24 * 30) : between(24 * 31, 24 * 90);
          const seats = Math.max(5, Math.round((room.capacity * between(0.25, 0.95)) / 5) * 5);
          const booked = start.minus({ hours: leadHours });
          const created = booked < now ? booked : now.minus({ hours: leadHours % 72 });
          add({ room, start, end: at(d, h2, m2), seats, booker: Math.floor(rnd() * people.length), title: pick(TITLES), created, seriesIndex: null }, slot);
        });
      }
    }

    const seriesIds: string[] = [];
    for (const s of seriesRows) {
      // As the portal writes a series: a rule that ends (UNTIL, its last meeting; one without an end
      // is refused, and calendars repeat it for ever) and an EXDATE for each week it has no meeting
      // (a holiday) or a cancelled one.
      const held = meetings.filter((m) => m.seriesIndex === s.index);
      const lastStart = DateTime.max(...held.map((m) => m.start))!;
      const kept = new Set(held.filter((m) => !m.cancelledAt).map((m) => m.start.toMillis()));
      const exdates: Date[] = [];
      for (let d = s.firstStart; d <= lastStart; d = d.plus({ weeks: 1 })) if (!kept.has(d.toMillis())) exdates.push(d.toJSDate());
      const rrule = `FREQ=WEEKLY;BYDAY=${['MO', 'TU', 'WE', 'TH', 'FR'][s.firstStart.weekday - 1]};UNTIL=${lastStart.toUTC().toFormat("yyyyMMdd'T'HHmmss'Z'")}`;
      const r = await sql<{ id: string }>`INSERT INTO booking_series (room_id, title, seats, booker_id, institution_id, time_zone, rrule, exdates, first_start, duration_minutes, created_at)
        VALUES (${s.room.id}::uuid, ${s.title}, ${s.seats}, ${people[s.booker]!.id}::uuid, ${people[s.booker]!.institution}::uuid, ${o.timeZone},
                ${rrule}, ${exdates}::timestamptz[], ${s.firstStart.toJSDate()}, ${s.minutes}, ${s.firstStart.minus({ days: 14 }).toJSDate()})
        RETURNING id`.execute(trx);
      seriesIds.push(r.rows[0]!.id);
    }

    const ids: string[] = [];
    for (let i = 0; i < meetings.length; i += 500) {
      const chunk = meetings.slice(i, i + 500);
      const r = await sql<{ id: string }>`INSERT INTO bookings (room_id, title, during, occupied, seats, booker_id, institution_id, status, created_at, updated_at, cancelled_at, series_id, recurrence_id)
        SELECT room, title, tstzrange(s, e), tstzrange(s, e), seats, booker, inst, CASE WHEN c IS NULL THEN 'confirmed' ELSE 'cancelled' END, cr, coalesce(c, cr), c, ser, CASE WHEN ser IS NULL THEN NULL ELSE s END
          FROM unnest(${chunk.map((m) => m.room.id)}::uuid[], ${chunk.map((m) => m.title)}::text[], ${chunk.map((m) => m.start.toJSDate())}::timestamptz[],
                      ${chunk.map((m) => m.end.toJSDate())}::timestamptz[], ${chunk.map((m) => m.seats)}::int[], ${chunk.map((m) => people[m.booker]!.id)}::uuid[],
                      ${chunk.map((m) => people[m.booker]!.institution)}::uuid[], ${chunk.map((m) => m.created.toJSDate())}::timestamptz[],
                      ${chunk.map((m) => m.cancelledAt?.toJSDate() ?? null)}::timestamptz[], ${chunk.map((m) => (m.seriesIndex === null ? null : seriesIds[m.seriesIndex]!))}::uuid[])
               AS t (room, title, s, e, seats, booker, inst, cr, c, ser)
        RETURNING id`.execute(trx);
      ids.push(...r.rows.map((row) => row.id));
    }

    // Each meeting's history as the portal writes it (the booking page and the audit log read it):
    // made by its booker when it was booked, cancelled by them when it was. In time order, so the
    // log's order (by id) is the order of the events.
    const history = meetings
      .flatMap((m, i) => {
        const booker = people[m.booker]!;
        const seriesId = m.seriesIndex === null ? undefined : seriesIds[m.seriesIndex]!;
        const booked = {
          roomId: m.room.id, title: m.title, description: '', start: m.start.toJSDate().toISOString(), end: m.end.toJSDate().toISOString(), seats: m.seats,
          status: 'confirmed', bookerId: booker.id, institutionId: booker.institution, ...(seriesId && { seriesId }),
        };
        const made = { at: m.created, actor: booker.id, action: 'booking.created', id: ids[i]!, before: null as object | null, after: booked as object };
        return m.cancelledAt ? [made, { ...made, at: m.cancelledAt, action: 'booking.cancelled', before: booked, after: { ...booked, status: 'cancelled' } }] : [made];
      })
      .sort((a, b) => a.at.toMillis() - b.at.toMillis());
    for (let i = 0; i < history.length; i += 1000) {
      const chunk = history.slice(i, i + 1000);
      await sql`INSERT INTO audit_log (at, actor_id, action, entity, entity_id, before, after)
        SELECT at, actor, action, 'booking', id, before::jsonb, after::jsonb
          FROM unnest(${chunk.map((e) => e.at.toJSDate())}::timestamptz[], ${chunk.map((e) => e.actor)}::uuid[], ${chunk.map((e) => e.action)}::text[],
                      ${chunk.map((e) => e.id)}::text[], ${chunk.map((e) => (e.before ? JSON.stringify(e.before) : null))}::text[], ${chunk.map((e) => JSON.stringify(e.after))}::text[])
               WITH ORDINALITY AS t (at, actor, action, id, before, after, n)
         ORDER BY n`.execute(trx);
    }

    // One sample a minute while each meeting ran: people arrive over the first minutes, a few
    // leave early; a no-show's service counted nobody for a quarter of an hour.
    const samples: { id: string; at: Date; web: number; phone: number }[] = [];
    meetings.forEach((m, i) => {
      if (m.cancelledAt || m.start >= now) return;
      const minutes = Math.round(m.end.diff(m.start, 'minutes').minutes);
      // A meeting under way has its samples up to now.
      const elapsed = Math.min(minutes, Math.floor(now.diff(m.start, 'minutes').minutes));
      if (m.noShow) {
        for (let k = 0; k < 15; k++) samples.push({ id: ids[i]!, at: m.start.plus({ minutes: k }).toJSDate(), web: 0, phone: 0 });
        return;
      }
      for (let k = 0; k < elapsed; k++) {
        const arriving = Math.min(1, (k + 1) / 8);
        const leaving = k > minutes - 10 ? (minutes - k) / 10 : 1;
        const web = Math.max(0, Math.round(m.people * arriving * leaving * between(0.93, 1)));
        samples.push({ id: ids[i]!, at: m.start.plus({ minutes: k }).toJSDate(), web, phone: k < 3 ? 0 : m.phone });
      }
    });
    for (let i = 0; i < samples.length; i += 5000) {
      const chunk = samples.slice(i, i + 5000);
      await sql`INSERT INTO usage_samples (booking_id, at, web, phone)
        SELECT * FROM unnest(${chunk.map((s) => s.id)}::uuid[], ${chunk.map((s) => s.at)}::timestamptz[], ${chunk.map((s) => s.web)}::int[], ${chunk.map((s) => s.phone)}::int[])`.execute(trx);
    }
    return {
      institutions: institutions.length,
      people: people.length,
      meetings: meetings.filter((m) => !m.cancelledAt).length,
      series: seriesIds.length,
      cancelled: meetings.filter((m) => m.cancelledAt).length,
      upcoming: meetings.filter((m) => !m.cancelledAt && m.start >= now).length,
      samples: samples.length,
    };
  });
}
