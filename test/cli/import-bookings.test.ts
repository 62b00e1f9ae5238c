// Bookings coming in from the old channels (issue #17): a CSV and an iCalendar file with a series and
// with conflicts, judged by the booking rules as their owners, dry run first, then all or nothing.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BookingImport, lineRefused, type LineOutcome } from '../../src/app/booking-import.ts';
import { describe as describeLine, readBookingFile } from '../../src/cli/import-bookings.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';
import { runCli, tempDir } from './support.ts';

let t: TestPortal;
let importer: BookingImport;
let ada: string;
let bea: string;
let adaId: string;
let dir: string;

beforeAll(async () => {
  t = await startTestPortal({ now: '2026-03-20T09:00:00Z', env: { MAX_DAYS_AHEAD: '365' } });
  const uni = await t.institution({ name: 'Università di Pisa' });
  const a = await t.user('member', uni.id, 'Ada');
  const b = await t.user('member', uni.id, 'Bea');
  adaId = a.userId;
  ada = (await t.portal.services.uow.repos.users.findById(a.userId))!.email;
  bea = (await t.portal.services.uow.repos.users.findById(b.userId))!.email;
  const s = t.portal.services;
  importer = new BookingImport({ uow: s.uow, clock: t.clock, policy: s.policy, bookings: s.bookings });
  dir = tempDir('import-bookings');
});
afterAll(() => t.close());

const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const count = async (table: 'bookings' | 'booking_series', title: string) =>
  Number((await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(table)} WHERE title = ${title}`.execute(t.db.database.db)).rows[0]!.n);
const report = (outcomes: LineOutcome[], written: boolean) => outcomes.flatMap((o) => describeLine(o, written && !lineRefused(o)));

describe('a CSV file', () => {
  const csv = () =>
    file(
      'bookings.csv',
      [
        'room,start,end,owner,title,seats,rrule',
        `Sala Volta,2026-03-30T10:00,2026-03-30T11:00,${ada},CSV Riunione,20,`,
        `sala fermi,2026-03-31T14:00,2026-03-31T15:30,${bea.toUpperCase()},"CSV Seminario, aperto",,`,
        `Sala Hack,2026-04-01T09:00,2026-04-01T10:00,${ada},CSV Lezione,10,FREQ=WEEKLY;COUNT=3`,
      ].join('\n'),
    );

  it('in a dry run says what each row would do and writes nothing', async () => {
    const lines = readBookingFile(csv());
    expect(lines.map((l) => l.label)).toEqual(['row 1', 'row 2', 'row 3']);
    const { outcomes, written } = await importer.run(lines, { source: 'bookings.csv', commit: false });
    expect(written).toBe(false);
    expect(report(outcomes, written)).toEqual([
      `row 1: "CSV Riunione", Sala Volta, ${ada}, 2026-03-30 10:00–11:00 Europe/Rome: would book`,
      `row 2: "CSV Seminario, aperto", sala fermi, ${bea.toUpperCase()}, 2026-03-31 14:00–15:30 Europe/Rome: would book`,
      `row 3: "CSV Lezione", Sala Hack, ${ada}, series of 3 meetings from 2026-04-01 09:00–10:00 Europe/Rome: would book`,
    ]);
    expect(await count('bookings', 'CSV Riunione')).toBe(0);
    expect(await count('booking_series', 'CSV Lezione')).toBe(0);
  });

  it('with commit books each as its owner, in the owner’s institution, and the audit says it came from the import', async () => {
    const { outcomes, written } = await importer.run(readBookingFile(csv()), { source: 'bookings.csv', commit: true });
    expect(written).toBe(true);
    expect(outcomes.every((o) => !lineRefused(o))).toBe(true);
    const rows = await t.db.database.db.selectFrom('bookings').select(['id', 'booker_id', 'institution_id', 'seats']).where('title', '=', 'CSV Riunione').execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.booker_id).toBe(adaId);
    expect(rows[0]!.institution_id).not.toBeNull();
    expect(rows[0]!.seats).toBe(20);
    expect(await count('bookings', 'CSV Lezione')).toBe(3);
    expect(await count('booking_series', 'CSV Lezione')).toBe(1);
    const audit = await t.db.database.db.selectFrom('audit_log').select(['actor_id', 'request_id']).where('entity_id', '=', rows[0]!.id).execute();
    expect(audit).toEqual([{ actor_id: adaId, request_id: 'import:bookings.csv' }]);
    const summary = await t.db.database.db.selectFrom('audit_log').select(['action', 'after']).where('entity', '=', 'import').execute();
    expect(summary).toEqual([{ action: 'bookings.imported', after: { lines: 3, bookings: 5 } }]);
  });

  it('imported twice, every row is refused because the room is taken, and nothing is added', async () => {
    const { outcomes, written } = await importer.run(readBookingFile(csv()), { source: 'bookings.csv', commit: true });
    expect(written).toBe(false);
    expect(outcomes.every(lineRefused)).toBe(true);
    expect(report(outcomes, written)[0]).toMatch(/^row 1: .*: refused: ROOM_TAKEN: /);
    expect(await count('bookings', 'CSV Riunione')).toBe(1);
    expect(await count('booking_series', 'CSV Lezione')).toBe(1);
  });

  it('refuses an unknown owner and room with a sentence, and names mistakes in the file before touching the database', async () => {
    const lines = readBookingFile(
      file('wrong.csv', ['room,start,end,owner,title', `Sala Marte,2026-04-02T10:00,2026-04-02T11:00,${ada},X`, 'Sala Volta,2026-04-02T10:00,2026-04-02T11:00,nobody@example.org,Y'].join('\n')),
    );
    const { outcomes } = await importer.run(lines, { source: 'wrong.csv', commit: false });
    expect(outcomes.map((o) => o.refusal?.code)).toEqual(['ROOM_NOT_FOUND', 'OWNER_NOT_FOUND']);
    expect(outcomes[1]!.refusal!.reason).toContain('nobody@example.org');
    expect(() => readBookingFile(file('bad.csv', 'room,start,end,owner,title,colour\nSala Volta,2026-04-02T10:00,2026-04-02T11:00,a@b.c,X,red\n'))).toThrow(/row 1: .*colour/);
  });
});

describe('an iCalendar file with a series and conflicts', () => {
  // A weekly Tuesday series in Sala Agnesi, one date taken (by Bea's booking made in the portal), one
  // date removed (EXDATE), one date changed (RECURRENCE-ID), plus a single meeting in a room that
  // is taken at that hour.
  const ics = () =>
    file(
      'calendar.ics',
      [
        'BEGIN:VCALENDAR',
        'VERSION:2.0',
        'PRODID:-//Old booking desk//EN',
        'BEGIN:VEVENT',
        'UID:series-1@old',
        'DTSTART;TZID=Europe/Rome:20260407T100000',
        'DTEND;TZID=Europe/Rome:20260407T120000',
        'RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=5',
        'EXDATE;TZID=Europe/Rome:20260421T100000',
        `ORGANIZER;CN=Ada:mailto:${ada}`,
        'SUMMARY:ICS Corso',
        'LOCATION:Sala Agnesi',
        'X-WM-SEATS:30',
        'END:VEVENT',
        'BEGIN:VEVENT',
        'UID:series-1@old',
        'RECURRENCE-ID;TZID=Europe/Rome:20260428T100000',
        'DTSTART;TZID=Europe/Rome:20260429T100000',
        'DTEND;TZID=Europe/Rome:20260429T120000',
        `ORGANIZER:mailto:${ada}`,
        'SUMMARY:ICS Corso',
        'LOCATION:Sala Agnesi',
        'END:VEVENT',
        'BEGIN:VEVENT',
        'UID:single-1@old',
        'DTSTART:20260408T070000Z',
        'DURATION:PT1H',
        `X-WM-OWNER:${bea}`,
        'SUMMARY:ICS Colloquio',
        'LOCATION:Sala Volta',
        'END:VEVENT',
        'END:VCALENDAR',
        '',
      ].join('\r\n'),
    );

  beforeAll(async () => {
    const agnesi = t.rooms.find((r) => r.name === 'Sala Agnesi')!.id;
    const volta = t.rooms.find((r) => r.name === 'Sala Volta')!.id;
    const bea1 = await t.api('POST', '/api/v1/bookings', { as: t.admin, body: { title: 'Taken', roomId: agnesi, seats: 5, start: '2026-04-14T11:00', end: '2026-04-14T12:00' } });
    expect(bea1.status, JSON.stringify(bea1.body)).toBe(201);
    const bea2 = await t.api('POST', '/api/v1/bookings', { as: t.admin, body: { title: 'Taken', roomId: volta, seats: 5, start: '2026-04-08T09:30', end: '2026-04-08T10:30' } });
    expect(bea2.status, JSON.stringify(bea2.body)).toBe(201);
  });

  it('reads the series with its EXDATE and changed date, and the dry run lists each refused date with its reason', async () => {
    const lines = readBookingFile(ics());
    expect(lines).toHaveLength(3);
    expect(lines[0]!.rrule).toBe('FREQ=WEEKLY;BYDAY=TU;COUNT=5');
    expect(lines[0]!.exdates).toEqual(['2026-04-21T10:00:00+02:00', '2026-04-28T10:00:00+02:00']);
    expect(lines[2]!.end).toBe('2026-04-08T08:00:00Z');
    const { outcomes, written } = await importer.run(lines, { source: 'calendar.ics', commit: false });
    expect(written).toBe(false);
    const text = report(outcomes, written);
    expect(text[0]).toBe(`event 1 (UID series-1@old): "ICS Corso", Sala Agnesi, ${ada}, series of 3 meetings from 2026-04-07 10:00–12:00 Europe/Rome: refused (1 of 3 dates):`);
    expect(text[1]).toMatch(/^ {4}2026-04-14 10:00: ROOM_TAKEN: /);
    expect(text[2]).toBe(`event 2 (UID series-1@old), a changed date of its series: "ICS Corso", Sala Agnesi, ${ada}, 2026-04-29 10:00–12:00 Europe/Rome: would book`);
    expect(text[3]).toMatch(/^event 3 \(UID single-1@old\): "ICS Colloquio", Sala Volta, .*, 2026-04-08 09:00–10:00 Europe\/Rome: refused: ROOM_TAKEN: /);
  });

  it('with commit imports nothing while any is refused', async () => {
    const { written } = await importer.run(readBookingFile(ics()), { source: 'calendar.ics', commit: true });
    expect(written).toBe(false);
    expect(await count('bookings', 'ICS Corso')).toBe(0);
    expect(await count('booking_series', 'ICS Corso')).toBe(0);
  });

  it('with skip-refused imports the accepted ones alone, in one go', async () => {
    const { outcomes, written } = await importer.run(readBookingFile(ics()), { source: 'calendar.ics', commit: true, skipRefused: true });
    expect(written).toBe(true);
    expect(outcomes.map(lineRefused)).toEqual([true, false, true]);
    expect(await count('bookings', 'ICS Corso')).toBe(1);
    expect(await count('booking_series', 'ICS Corso')).toBe(0);
    expect(await count('bookings', 'ICS Colloquio')).toBe(0);
  });

  it('leaves out the dates of a running series that are over and keeps its end', async () => {
    t.clock.set('2026-05-06T12:00:00Z');
    try {
      const path = file(
        'running.ics',
        ['BEGIN:VCALENDAR', 'VERSION:2.0', 'BEGIN:VEVENT', 'UID:run@old', 'DTSTART;TZID=Europe/Rome:20260505T160000', 'DTEND;TZID=Europe/Rome:20260505T170000', 'RRULE:FREQ=DAILY;COUNT=4', `ORGANIZER:mailto:${ada}`, 'SUMMARY:ICS Running', 'LOCATION:Sala Marconi', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n'),
      );
      const { outcomes, written } = await importer.run(readBookingFile(path), { source: 'running.ics', commit: true });
      expect(report(outcomes, written)).toEqual([`event 1 (UID run@old): "ICS Running", Sala Marconi, ${ada}, series of 3 meetings from 2026-05-06 16:00–17:00 Europe/Rome (1 earlier dates are over: left out): booked`]);
      const { rows } = await sql<{ rrule: string }>`SELECT rrule FROM booking_series WHERE title = 'ICS Running'`.execute(t.db.database.db);
      expect(rows.map((r) => r.rrule)).toEqual(['FREQ=DAILY;COUNT=3']);
    } finally {
      t.clock.set('2026-03-20T09:00:00Z');
    }
  });

  it('names an event without a room or with a whole-day date, and reads nothing', () => {
    const path = file('bad.ics', ['BEGIN:VCALENDAR', 'VERSION:2.0', 'BEGIN:VEVENT', 'UID:x', 'DTSTART;VALUE=DATE:20260410', 'DTEND;VALUE=DATE:20260411', 'SUMMARY:Day', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n'));
    expect(() => readBookingFile(path)).toThrow(/event 1 \(UID x\): DTSTART is a whole day/);
  });
});

describe('the command', () => {
  it('says in --help that it is a dry run unless --commit', async () => {
    const r = await runCli(['import-bookings', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('import-bookings <file.csv|file.ics> [--commit [--skip-refused]]');
    expect(r.stdout).toContain('a dry run that lists every refusal unless --commit');
  });

  it('refuses --skip-refused without --commit', async () => {
    const r = await runCli(['import-bookings', join(dir, 'bookings.csv'), '--skip-refused']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--skip-refused goes with --commit');
  });

  it('runs against the database: the dry run prints each row and a summary, exits 1 when a row is refused, and --commit books', async () => {
    // The portal's own database on PostgreSQL; an embedded one of its own on PGlite (the test portal's is in memory).
    const env = t.db.url ? { DATABASE_URL: t.db.url } : { DATA_DIR: join(dir, 'cli-data') };
    const owner = `cli-owner-${Date.now()}@example.org`;
    const made = await runCli(['create-admin', '--email', owner, '--name', 'Cli Owner'], { env, input: 'Correct-horse-battery-7\n' });
    expect(made.code, made.stderr).toBe(0);
    // The command uses the system clock: a date two weeks ahead is always bookable.
    const day = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
    const path = file('cli.csv', ['room,start,end,owner,title', `Sala Hack,${day}T10:00,${day}T11:00,${owner},CLI`, `Sala Hack,${day}T10:30,${day}T11:30,nobody@example.org,CLI 2`].join('\n'));
    const dry = await runCli(['import-bookings', path], { env });
    expect(dry.stderr).toBe('');
    expect(dry.stdout).toContain(`row 1: "CLI", Sala Hack, ${owner}, ${day} 10:00–11:00 Europe/Rome: would book`);
    expect(dry.stdout).toContain('row 2: "CLI 2", Sala Hack, nobody@example.org: refused: OWNER_NOT_FOUND: No account has the e-mail nobody@example.org');
    expect(dry.stdout).toContain('Dry run: 1 of 2 would be booked (1 meeting), 1 refused; nothing was written.');
    expect(dry.code).toBe(1);
    const all = await runCli(['import-bookings', path, '--commit'], { env });
    expect(all.stdout).toContain('Nothing was imported: 1 of 2 refused.');
    expect(all.code).toBe(1);
    const some = await runCli(['import-bookings', path, '--commit', '--skip-refused'], { env });
    expect(some.stdout).toContain(`row 1: "CLI", Sala Hack, ${owner}, ${day} 10:00–11:00 Europe/Rome: booked`);
    expect(some.stdout).toContain('Imported 1 of 2 (1 meeting); 1 refused were left out (--skip-refused).');
    expect(some.code).toBe(0);
  }, 120_000);
});
