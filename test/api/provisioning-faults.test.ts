// Faults of the conferencing service, in fake time: refused connections for two minutes while 100
// bookings need preparing, the dead letter and "retry now", fallback to another provider, and
// reconcile repairing both ways.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestPortal, type Caller, type TestPortal } from '../support/portal.ts';
import { BigBlueButtonDouble } from '../doubles/bigbluebutton.ts';
import { bookingsStatesCount, queuedMails, roomState, settled, waitFor, meetingNameOf } from './provisioning-support.ts';

let t: TestPortal;
let bbb: BigBlueButtonDouble;
let alice: Caller;
const T0 = Date.parse('2026-03-20T09:00:00Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

beforeAll(async () => {
  bbb = new BigBlueButtonDouble();
  await bbb.http.start();
  t = await startTestPortal({
    now: at(0),
    seedRooms: false,
    env: {
      BBB_URL: bbb.apiUrl,
      BBB_SECRET: bbb.secret,
      PROVIDER_FALLBACK: 'jitsi',
      PROVIDER_TIMEOUT_MS: '2000',
      PROVISIONING_TICK_SECONDS: '0',
      PROVISIONING_RECONCILE_MINUTES: '0',
      PROVISIONING_MAX_ATTEMPTS: '8',
      SEAT_POOL: '1000',
    },
  });
  alice = await t.user('member', (await t.institution()).id, 'Alice Booker');
});
afterAll(async () => {
  await t.close();
  await bbb.http.stop();
});

async function rooms(n: number, prefix: string) {
  const made = [];
  for (let i = 0; i < n; i++) made.push(await t.portal.services.uow.repos.rooms.create({ name: `${prefix} ${i}`, capacity: 4, timeZone: 'Europe/Rome', provider: null, active: true }));
  return made;
}

async function bookAll(roomIds: string[], start: string, end: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < roomIds.length; i += 10) {
    const batch = await Promise.all(
      roomIds.slice(i, i + 10).map((roomId) => t.api('POST', '/api/v1/bookings', { as: alice, body: { title: 'Esame', roomId, start, end, seats: 2 } })),
    );
    for (const r of batch) {
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      ids.push(r.body.id);
    }
  }
  return ids;
}

describe('a service that refuses connections for two minutes', () => {
  it('ends with all 100 bookings ready, none prepared twice', async () => {
    const hundred = await rooms(100, 'Aula');
    await bbb.http.stop();
    const ids = await bookAll(hundred.map((r) => r.id), '2026-03-20T10:20', '2026-03-20T11:00'); // start in 20 minutes
    for (const id of ids) await settled(t, id);
    expect(await bookingsStatesCount(t)).toEqual({ pending: 100 });

    let restarted = false;
    for (let elapsed = 10_000; elapsed <= 15 * 60_000; elapsed += 10_000) {
      t.clock.set(at(elapsed));
      if (!restarted && elapsed >= 120_000) {
        await bbb.http.start(); // the same port again
        restarted = true;
      }
      await t.portal.provisioning.service.tick();
      if ((await bookingsStatesCount(t)).ready === 100) break;
    }
    expect(await bookingsStatesCount(t)).toEqual({ ready: 100 });
    for (const id of ids) {
      expect(bbb.createCount(id)).toBe(1);
      expect(bbb.meetingCount(id)).toBe(1);
    }
    // The refused attempts were recorded, with backoff: far fewer than one per booking per tick.
    const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM provisioning_attempts WHERE NOT ok AND error_code = 'PROVIDER_UNREACHABLE'`.execute(t.db.database.db);
    expect(Number(rows[0]!.n)).toBeGreaterThanOrEqual(100 * 3);
    expect(Number(rows[0]!.n)).toBeLessThan(100 * 12);
  });

  it('spaces retries exponentially with jitter', () => {
    const s = t.portal.provisioning.service;
    const base = s.policy.retryBaseSeconds * 1000;
    for (let n = 1; n <= 5; n++) {
      const d = s.backoffMs(n);
      expect(d).toBeGreaterThanOrEqual((base * 2 ** (n - 1)) / 2);
      expect(d).toBeLessThanOrEqual(base * 2 ** (n - 1));
    }
    expect(new Set(Array.from({ length: 20 }, () => s.backoffMs(3))).size).toBeGreaterThan(1);
    expect(s.backoffMs(50)).toBeLessThanOrEqual(s.policy.retryMaxSeconds * 1000);
  });
});

describe('the dead letter', () => {
  it('parks a booking as failed after the last attempt, shows it to admins, and "retry now" revives it', async () => {
    t.clock.set(at(0));
    const [room] = await rooms(1, 'Dead letter');
    bbb.http.failures = { status: 503, left: 10_000 };
    const [id] = await bookAll([room!.id], '2026-03-20T11:00', '2026-03-20T11:30');
    await settled(t, id!);
    for (let m = 1; m <= 120 && (await roomState(t, id!)) !== 'failed'; m++) {
      t.clock.set(at(m * 60_000 * 0.5));
      await t.portal.provisioning.service.tick();
    }
    expect(await roomState(t, id!)).toBe('failed');
    const room1 = await t.api('GET', `/api/v1/bookings/${id}/room`, { as: alice });
    expect(room1.body).toMatchObject({ state: 'failed', lastError: expect.stringContaining('HTTP 503') });

    t.clock.set(at(50 * 60_000)); // the room would be open: the page says it is not available
    const page = await fetch(`${t.baseUrl}/join/${id}?lang=en`, { redirect: 'manual', headers: { authorization: `Bearer ${alice.token}` } });
    expect(page.status).toBe(503);
    expect(await page.text()).toContain('The room is not available');

    const jobs = await t.api('GET', '/api/v1/admin/provisioning/jobs?failed=true', { as: t.admin });
    expect(jobs.status).toBe(200);
    expect(jobs.body.deadLetter.map((d: { bookingId: string }) => d.bookingId)).toContain(id);
    expect(jobs.body.attempts.every((a: { ok: boolean }) => !a.ok)).toBe(true);
    expect((await t.api('GET', '/api/v1/admin/provisioning/jobs', { as: alice })).status).toBe(403);

    // Nothing happens by itself any more…
    t.clock.set(at(90 * 60_000 * 0.5 + 3_600_000));
    await t.portal.provisioning.service.tick();
    expect(await roomState(t, id!)).toBe('failed');
    t.clock.set(at(50 * 60_000));
    bbb.http.failures = { status: 503, left: 0 };
    expect((await t.api('POST', `/api/v1/admin/provisioning/${id}/retry`, { as: alice })).status).toBe(403);
    const retried = await t.api('POST', `/api/v1/admin/provisioning/${id}/retry`, { as: t.admin });
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ state: 'ready', attempts: 0 });
    expect(bbb.meetingCount(id!)).toBe(1);
  });

  it('names each failed room’s meeting for the administrators, the coming ones soonest first and the ended ones after', async () => {
    t.clock.set(at(0));
    const [room] = await rooms(1, 'Failed list');
    bbb.http.failures = { status: 503, left: 0 };
    const book = async (title: string, start: string, end: string) => {
      const r = await t.api('POST', '/api/v1/bookings', { as: alice, body: { title, roomId: room!.id, start, end, seats: 2 } });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      await settled(t, r.body.id);
      return r.body.id as string;
    };
    const nextWeek = await book('Consiglio di corso', '2026-03-27T10:00', '2026-03-27T11:00');
    const tomorrow = await book('Esame di analisi', '2026-03-21T09:00', '2026-03-21T12:00');
    const thisMorning = await book('Ricevimento', '2026-03-20T10:30', '2026-03-20T11:00');
    const ids = [nextWeek, tomorrow, thisMorning];
    // Parked as the pipeline parks them after their last attempt (the test above drives it there).
    await sql`UPDATE provider_meetings SET state = 'failed', attempts = 8, last_error = 'HTTP 503 from the service', due_at = NULL WHERE booking_id = ANY(${ids}::uuid[])`.execute(t.portal.database.db);
    await sql`INSERT INTO provisioning_attempts (booking_id, provider, action, ok, error_code, error, duration_ms)
              VALUES (${tomorrow}::uuid, 'bigbluebutton', 'create', false, 'PROVIDER_UNAVAILABLE', 'HTTP 503 from the service', 40)`.execute(t.portal.database.db);
    t.clock.set(at(3 * 3_600_000)); // 12:00 UTC: "Ricevimento" is over
    const jobs = await t.api('GET', '/api/v1/admin/provisioning/jobs', { as: t.admin });
    expect(jobs.status).toBe(200);
    const listed = (jobs.body.deadLetter as Array<{ bookingId: string; booking: Record<string, unknown> }>).filter((d) => ids.includes(d.bookingId));
    // Was ordered by the row's last change, with nothing but the booking's id to go by.
    expect(listed.map((d) => d.booking.title)).toEqual(['Esame di analisi', 'Consiglio di corso', 'Ricevimento']);
    expect(listed[0]!.booking).toEqual({
      title: 'Esame di analisi',
      start: '2026-03-21T08:00:00.000Z',
      end: '2026-03-21T11:00:00.000Z',
      cancelled: false,
      roomName: 'Failed list 0',
      timeZone: 'Europe/Rome',
      bookerName: 'Alice Booker',
    });
    const call = (jobs.body.attempts as Array<{ bookingId: string; bookingTitle: string | null }>).find((a) => a.bookingId === tomorrow);
    expect(call?.bookingTitle).toBe('Esame di analisi');
    await sql`UPDATE provider_meetings SET state = 'ready', attempts = 0, last_error = NULL WHERE booking_id = ANY(${ids}::uuid[])`.execute(t.portal.database.db);
  });
});

describe('fallback', () => {
  it('moves a booking to the fallback provider when its own fails permanently', async () => {
    t.clock.set(at(0));
    const room = await t.portal.services.uow.repos.rooms.create({ name: 'Sala Connect', capacity: 4, timeZone: 'Europe/Rome', provider: 'adobe-connect', active: true });
    const [id] = await bookAll([room.id], '2026-03-20T10:10', '2026-03-20T10:40');
    await settled(t, id!);
    await waitFor('the fallback', async () => (await roomState(t, id!)) === 'ready');
    const info = await t.api('GET', `/api/v1/bookings/${id}/room`, { as: alice });
    expect(info.body).toMatchObject({ state: 'ready', provider: 'jitsi', usedFallback: true, lastError: expect.stringContaining('adobe-connect') });
    const go = await fetch(`${t.baseUrl}/join/${id}`, { redirect: 'manual', headers: { authorization: `Bearer ${alice.token}` } });
    expect(go.status).toBe(302);
    // On the public meet.jit.si the room is named after the booking's secret key, not its id (issue #11).
    expect(go.headers.get('location')).toMatch(new RegExp(`^https://meet\\.jit\\.si/${await meetingNameOf(t, id!)}#`));
    expect(go.headers.get('location')).not.toContain(id!);
    // The booker is told by e-mail, in Italian and English.
    // (Its invitation carries the join link too, and mail is now fast enough to be queued already.)
    const mails = (await queuedMails(t, alice.userId)).filter((m) => m.text.includes(`/join/${id}`) && m.subject.startsWith('WebMeetings:'));
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toContain('è stata preparata su jitsi');
    expect(mails[0]!.text).toContain('it was prepared on jitsi instead');
  });
});

describe('reconcile', () => {
  it('releases an orphan meeting and recreates a deleted one', async () => {
    t.clock.set(at(0));
    const [room] = await rooms(1, 'Reconcile');
    const [id] = await bookAll([room!.id], '2026-03-20T10:15', '2026-03-20T10:45');
    await settled(t, id!);
    expect(await roomState(t, id!)).toBe('ready');
    const orphan = randomUUID();
    bbb.plantOrphan(orphan);
    bbb.deleteMeeting(id!);
    expect(bbb.meetingCount(orphan)).toBe(1);
    expect(bbb.meetingCount(id!)).toBe(0);
    const r = await t.portal.provisioning.service.reconcile();
    expect(r).toMatchObject({ released: 1, recreated: 1 });
    expect(bbb.meetingCount(orphan)).toBe(0);
    expect(bbb.meetingCount(id!)).toBe(1);
    expect(await roomState(t, id!)).toBe('ready');
    // A second run finds nothing to repair.
    expect(await t.portal.provisioning.service.reconcile()).toMatchObject({ released: 0, recreated: 0 });
  });

  it('keeps a meeting prepared before meeting keys under its old name, and releases one whose key no booking has', async () => {
    t.clock.set(at(0));
    const [room] = await rooms(1, 'Legacy');
    const [id] = await bookAll([room!.id], '2026-03-20T10:15', '2026-03-20T10:45');
    await settled(t, id!);
    // As a portal before migration 007 left it: the meeting is wm-<booking id>, and so is its handle.
    const name = await meetingNameOf(t, id!);
    const meeting = bbb.meetings.get(name)!;
    bbb.meetings.delete(name);
    bbb.meetings.set(`wm-${id}`, { ...meeting, meetingID: `wm-${id}` });
    await sql`UPDATE provider_meetings SET meeting_ref = jsonb_set(meeting_ref, '{id}', to_jsonb(${`wm-${id}`}::text)) WHERE booking_id = ${id}`.execute(t.db.database.db);
    const stranger = randomUUID(); // its name carries a meeting key no booking has
    bbb.plantOrphan(stranger);
    expect(await t.portal.provisioning.service.reconcile()).toMatchObject({ released: 1, recreated: 0 });
    expect(bbb.meetingCount(stranger)).toBe(0);
    expect(bbb.meetings.get(`wm-${id}`)!.ended).toBe(false);
    const go = await fetch(`${t.baseUrl}/join/${id}`, { redirect: 'manual', headers: { authorization: `Bearer ${alice.token}` } });
    expect(go.status).toBe(302);
    expect(await bbb.follow(go.headers.get('location')!)).toMatchObject({ ok: true, role: 'host' });
  });
});
