// Waiting lists (issue #17) on two portal instances sharing one database, at a fixed clock: a freed
// slot is held for the first person waiting whose request fits, weighs on the room and the seat pool
// for everyone else, ends by itself (each hold once, whichever instance sweeps) and goes to the next.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { sql } from 'kysely';
import { startTestPortal, type Caller, type TestPortal } from '../support/portal.ts';
import { createPortal, type Portal } from '../../src/portal.ts';
import { openDatabase, type Database } from '../../src/db/database.ts';
import type { Room } from '../../src/ports.ts';
import { peakSeats } from '../../src/domain/seat-pool.ts';

let t: TestPortal;
let second: Portal;
let secondDb: Database | undefined;
let institutionId: string;
let small: Room;
let medium: Room;
let large: Room;

/** The same API on the second instance. */
async function api2(method: string, path: string, as: Caller, body?: unknown) {
  const res = await second.app.inject({ method: method as 'GET', url: path, headers: { authorization: `Bearer ${as.token}` }, ...(body !== undefined && { payload: body as object }) });
  return { status: res.statusCode, body: res.json() };
}

async function entries(who: Caller) {
  return (await t.api('GET', '/api/v1/waiting-list', { as: who })).body.items as { id: string; state: string; holdExpiresAt: string | null; heldRoomId: string | null; bookingId: string | null }[];
}

/** The offer job runs on either instance's worker: wait for its outcome (not for a time). */
async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = await read();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  return read();
}

/** The hold mails queued for a person (their subjects). */
async function holdMails(userId: string): Promise<string[]> {
  const { rows } = await sql<{ subject: string }>`SELECT j.data->>'subject' AS subject FROM pgboss.job j JOIN users u ON u.id = ${userId}
    WHERE j.name = 'mail-deliver' AND j.data->>'to' = u.email`.execute(t.db.database.db);
  return rows.map((r) => r.subject);
}

const sweepBoth = () => Promise.all([t.portal.services.waitingList.sweep(), second.services.waitingList.sweep(), t.portal.services.waitingList.sweep(), second.services.waitingList.sweep()]);

beforeAll(async () => {
  t = await startTestPortal({
    now: '2026-03-20T09:00:00Z',
    seedRooms: false,
    env: { SEAT_POOL: '30', WAITLIST_HOLD_MINUTES: '30', TURNAROUND_MINUTES: '10', PROVISIONING_TICK_SECONDS: '0', PROVISIONING_RECONCILE_MINUTES: '0' },
  });
  secondDb = t.db.url ? await openDatabase({ databaseUrl: t.db.url, poolSize: 10 }) : undefined;
  second = await createPortal(t.config, { clock: t.clock, database: secondDb ?? t.db.database, logger: pino({ level: 'silent' }) });
  institutionId = (await t.institution()).id;
  const rooms = t.portal.services.uow.repos.rooms;
  small = await rooms.create({ name: 'Saletta', capacity: 10, timeZone: 'Europe/Rome', provider: null, active: true });
  medium = await rooms.create({ name: 'Aula media', capacity: 25, timeZone: 'Europe/Rome', provider: null, active: true });
  large = await rooms.create({ name: 'Aula grande', capacity: 30, timeZone: 'Europe/Rome', provider: null, active: true });
});
afterAll(async () => {
  await second?.close();
  await secondDb?.close();
  await t?.close();
});

describe('waiting list', () => {
  it('holds a cancelled slot for the first person waiting, then for the next when the hold expires, on two instances', async () => {
    const [alice, bob, carol, dave] = await Promise.all([1, 2, 3, 4].map(() => t.user('member', institutionId)));
    await sql`UPDATE users SET locale = 'en' WHERE id = ${carol!.userId}`.execute(t.db.database.db);
    const slot = { roomId: small.id, start: '2026-03-23T10:00', end: '2026-03-23T11:00', seats: 6 };
    expect((await t.api('POST', '/api/v1/bookings', { as: alice!, body: { title: 'Alice', ...slot } })).status).toBe(201);
    const booked = (await t.api('GET', '/api/v1/bookings', { as: alice! })).body.items[0];

    const refused = await t.api('POST', '/api/v1/bookings', { as: bob!, body: { title: 'Bob', ...slot } });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'ROOM_TAKEN', waitable: true });

    const bobJoins = await t.api('POST', '/api/v1/waiting-list', { as: bob!, body: { title: 'Bob', ...slot } });
    expect(bobJoins.status).toBe(201);
    expect(bobJoins.body).toMatchObject({ state: 'waiting', roomId: small.id, seats: 6 });
    // Joining twice answers the same entry; Carol joins on the other instance, after Bob.
    expect((await t.api('POST', '/api/v1/waiting-list', { as: bob!, body: { title: 'Bob', ...slot } })).body.id).toBe(bobJoins.body.id);
    const carolJoins = await api2('POST', '/api/v1/waiting-list', carol!, { title: 'Carol', ...slot });
    expect(carolJoins).toMatchObject({ status: 201, body: { state: 'waiting' } });

    // The cancellation (on the second instance) enqueues the offer; one of the two workers makes it.
    expect((await api2('DELETE', `/api/v1/bookings/${booked.id}`, alice!)).status).toBe(200);
    const [bobEntry] = await until(() => entries(bob!), (e) => e[0]?.state === 'held');
    expect(bobEntry).toMatchObject({ state: 'held', heldRoomId: small.id, holdExpiresAt: '2026-03-20T09:30:00.000Z' });
    // A sweep is due when the hold ends (the per-minute schedule is only the backstop).
    const sweeps = await sql<{ at: Date }>`SELECT start_after AS at FROM pgboss.job WHERE name = 'waiting-list-sweep'`.execute(t.db.database.db);
    expect(sweeps.rows.map((s) => new Date(s.at).toISOString())).toContain('2026-03-20T09:30:00.000Z');
    expect((await entries(carol!))[0]!.state).toBe('waiting');
    // Bob's mail in the portal's default language (Italian), Carol's in hers.
    expect(await holdMails(bob!.userId)).toEqual(['Posto libero, tenuto per te: Bob']);

    // While held, the room is taken for everyone else, and the calendar shows it busy (no booking to open).
    const seen = await t.api('GET', `/api/v1/availability?from=2026-03-23T08:00:00Z&to=2026-03-23T12:00:00Z`, { as: dave! });
    expect(seen.body.rooms.find((r: { roomId: string }) => r.roomId === small.id).busy).toMatchObject([{ start: '2026-03-23T09:00:00.000Z', bookingId: null, title: null, seats: 6 }]);
    const daveTries = await api2('POST', '/api/v1/bookings', dave!, { title: 'Dave', ...slot });
    expect(daveTries.status).toBe(409);
    expect(daveTries.body.code).toBe('ROOM_TAKEN');

    // Before the end of the hold, sweeps change nothing.
    t.clock.set('2026-03-20T09:29:00Z');
    await sweepBoth();
    expect((await entries(bob!))[0]!.state).toBe('held');

    // Past it, the four sweeps of two instances end Bob's hold once and hold the slot for Carol once.
    t.clock.set('2026-03-20T09:31:00Z');
    const swept = await sweepBoth();
    expect(swept.reduce((n, s) => n + s.expiredHolds, 0)).toBe(1);
    expect((await entries(bob!))[0]!.state).toBe('expired');
    const [carolEntry] = await entries(carol!);
    expect(carolEntry).toMatchObject({ state: 'held', holdExpiresAt: '2026-03-20T10:01:00.000Z' });
    expect(await holdMails(carol!.userId)).toEqual(['A slot freed up and is held for you: Carol']);

    const late = await t.api('POST', `/api/v1/waiting-list/${bobJoins.body.id}/confirm`, { as: bob! });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('HOLD_ENDED');
    // Nobody confirms another person's hold.
    expect((await t.api('POST', `/api/v1/waiting-list/${carolEntry!.id}/confirm`, { as: dave! })).status).toBe(404);

    // Carol confirms twice at once, on both instances: one booking, the same answer twice.
    const [a, b] = await Promise.all([
      t.api('POST', `/api/v1/waiting-list/${carolEntry!.id}/confirm`, { as: carol! }),
      api2('POST', `/api/v1/waiting-list/${carolEntry!.id}/confirm`, carol!),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    expect(a.body.id).toBe(b.body.id);
    expect(a.body).toMatchObject({ roomId: small.id, title: 'Carol', seats: 6, status: 'confirmed' });
    const { rows } = await sql<{ booker_id: string }>`SELECT booker_id FROM bookings WHERE room_id = ${small.id} AND status = 'confirmed'`.execute(t.db.database.db);
    expect(rows).toEqual([{ booker_id: carol!.userId }]);
    expect((await entries(carol!))[0]).toMatchObject({ state: 'booked', bookingId: a.body.id });
  });

  it('holds the seats a shortened meeting frees, which weigh on the pool for every booking but their confirmation', async () => {
    t.clock.set('2026-03-20T09:00:00Z');
    const [alice, bob, erin] = await Promise.all([1, 2, 3].map(() => t.user('member', institutionId)));
    const long = await t.api('POST', '/api/v1/bookings', { as: alice!, body: { title: 'Long', roomId: medium.id, start: '2026-03-24T14:00', end: '2026-03-24T16:00', seats: 25 } });
    expect(long.status).toBe(201);
    const want = { title: 'Bob', seats: 20, start: '2026-03-24T15:00', end: '2026-03-24T16:00' };
    const full = await t.api('POST', '/api/v1/bookings', { as: bob!, body: want });
    expect(full.status).toBe(409);
    expect(full.body).toMatchObject({ code: 'SEAT_POOL_FULL', waitable: true });
    const joined = await t.api('POST', '/api/v1/waiting-list', { as: bob!, body: want });
    expect(joined.body).toMatchObject({ state: 'waiting', roomId: null });

    expect((await t.api('PATCH', `/api/v1/bookings/${long.body.id}`, { as: alice!, body: { end: '2026-03-24T15:00' } })).status).toBe(200);
    const [held] = await until(() => entries(bob!), (e) => e[0]?.state === 'held');
    // Any room that fits, smallest first: 10 seats are too few, the 25-seat room is in its turnaround.
    expect(held).toMatchObject({ state: 'held', heldRoomId: large.id });

    // 20 held + 11 > 30: refused to Erin; 20 + 10 fits.
    const erinTries = await t.api('POST', '/api/v1/bookings', { as: erin!, body: { title: 'Erin', seats: 11, start: '2026-03-24T15:00', end: '2026-03-24T16:00' } });
    expect(erinTries.status).toBe(409);
    expect(erinTries.body.code).toBe('SEAT_POOL_FULL');
    expect((await t.api('POST', '/api/v1/bookings', { as: erin!, body: { title: 'Erin', seats: 10, roomId: small.id, start: '2026-03-24T15:00', end: '2026-03-24T16:00' } })).status).toBe(201);
    // A booking moved into the held room's time (turnaround included) is refused too.
    const later = await t.api('POST', '/api/v1/bookings', { as: erin!, body: { title: 'Erin later', seats: 1, roomId: large.id, start: '2026-03-24T17:00', end: '2026-03-24T17:30' } });
    expect(later.status).toBe(201);
    const moved = await t.api('PATCH', `/api/v1/bookings/${later.body.id}`, { as: erin!, body: { start: '2026-03-24T16:05', end: '2026-03-24T16:35' } });
    expect(moved.status).toBe(409);
    expect(moved.body.code).toBe('ROOM_TAKEN');

    const confirmed = await t.api('POST', `/api/v1/waiting-list/${held!.id}/confirm`, { as: bob! });
    expect(confirmed.status).toBe(201);
    expect(confirmed.body).toMatchObject({ roomId: large.id, seats: 20, start: '2026-03-24T14:00:00.000Z' });
  });

  it('offers a let-go hold to the next person at once, and expires entries whose slot began', async () => {
    t.clock.set('2026-03-20T09:00:00Z');
    const [alice, bob, carol, dan] = await Promise.all([1, 2, 3, 4].map(() => t.user('member', institutionId)));
    const slot = { roomId: small.id, start: '2026-03-25T10:00', end: '2026-03-25T11:00', seats: 4 };
    const mine = await t.api('POST', '/api/v1/bookings', { as: alice!, body: { title: 'Alice', ...slot } });
    const bobEntry = (await t.api('POST', '/api/v1/waiting-list', { as: bob!, body: { title: 'Bob', ...slot } })).body;
    const carolEntry = (await t.api('POST', '/api/v1/waiting-list', { as: carol!, body: { title: 'Carol', ...slot } })).body;
    await t.api('DELETE', `/api/v1/bookings/${mine.body.id}`, { as: alice! });
    await until(() => entries(bob!), (e) => e[0]?.state === 'held');

    const letGo = await t.api('DELETE', `/api/v1/waiting-list/${bobEntry.id}`, { as: bob! });
    expect(letGo.body.state).toBe('withdrawn');
    expect((await entries(carol!))[0]).toMatchObject({ id: carolEntry.id, state: 'held' });

    // Dan waits for a slot today that never frees; once it began, his entry expires.
    const busy = { roomId: large.id, start: '2026-03-20T12:00', end: '2026-03-20T13:00', seats: 5 };
    expect((await t.api('POST', '/api/v1/bookings', { as: alice!, body: { title: 'Today', ...busy } })).status).toBe(201);
    const danEntry = (await t.api('POST', '/api/v1/waiting-list', { as: dan!, body: { title: 'Dan', ...busy } })).body;
    expect(danEntry.state).toBe('waiting');
    t.clock.set('2026-03-20T11:05:00Z');
    const swept = await sweepBoth();
    expect(swept.reduce((n, s) => n + s.expiredWaiting, 0)).toBe(1);
    // The entry's slot has not ended: it is still listed, as expired.
    expect((await entries(dan!))[0]).toMatchObject({ id: danEntry.id, state: 'expired' });
  });
  it('keeps exactly 20 open entries of 25 joined at once on two instances, refuses the rest in words, and takes one more after leaving', async () => {
    t.clock.set('2026-03-20T09:00:00Z');
    const [owner, eva] = await Promise.all([1, 2].map(() => t.user('member', institutionId)));
    // The room taken from 08:00 to 16:45 on 6 April: every half hour in it is one to wait for.
    for (const [start, end] of [['08:00', '10:00'], ['10:15', '12:15'], ['12:30', '14:30'], ['14:45', '16:45']]) {
      const r = await t.api('POST', '/api/v1/bookings', { as: owner!, body: { title: 'Esami', roomId: small.id, start: `2026-04-06T${start}`, end: `2026-04-06T${end}`, seats: 2 } });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    const slot = (i: number) => {
      const m = 8 * 60 + 15 * i;
      const hhmm = (x: number) => `${String(Math.floor(x / 60)).padStart(2, '0')}:${String(x % 60).padStart(2, '0')}`;
      return { title: `Attesa ${i}`, roomId: small.id, start: `2026-04-06T${hhmm(m)}`, end: `2026-04-06T${hhmm(m + 30)}`, seats: 2 };
    };
    const answers = await Promise.all(
      Array.from({ length: 25 }, (_, i) => (i % 2 ? api2('POST', '/api/v1/waiting-list', eva!, slot(i)) : t.api('POST', '/api/v1/waiting-list', { as: eva!, body: slot(i) }))),
    );
    const joined = answers.filter((a) => a.status === 201);
    const refused = answers.filter((a) => a.status !== 201);
    expect(joined).toHaveLength(20);
    expect(joined.every((a) => a.body.state === 'waiting')).toBe(true);
    expect(refused.map((a) => [a.status, a.body.code])).toEqual(Array.from({ length: 5 }, () => [409, 'TOO_MANY_WAITING']));
    expect(refused[0]!.body.detail).toBe('You are already waiting for 20 slots. Leave one you no longer need (under "My bookings"), then join again.');
    expect((await entries(eva!)).filter((e) => e.state === 'waiting')).toHaveLength(20);
    // Asking again for a slot already waited for answers that entry, at the bound too.
    const first = joined[0]!.body as { id: string; title: string };
    const again = await t.api('POST', '/api/v1/waiting-list', { as: eva!, body: slot(Number(first.title.split(' ')[1])) });
    expect([again.status, again.body.id]).toEqual([201, first.id]);
    // Leaving one makes room for another.
    const free = refused.length ? answers.indexOf(refused[0]!) : -1;
    expect((await t.api('DELETE', `/api/v1/waiting-list/${first.id}`, { as: eva! })).status).toBe(200);
    expect((await t.api('POST', '/api/v1/waiting-list', { as: eva!, body: slot(free) })).status).toBe(201);
    expect((await t.api('POST', '/api/v1/waiting-list', { as: eva!, body: slot(Number(first.title.split(' ')[1])) })).status).toBe(409);
  });

  it('is no way around the self-service rules: no room on approval, and no hold its holder’s quota could not confirm', async () => {
    t.clock.set('2026-03-20T09:00:00Z');
    const approval = await t.portal.services.uow.repos.rooms.create({ name: 'Sala su approvazione', capacity: 10, timeZone: 'Europe/Rome', provider: null, active: true, onApproval: true });
    const member = await t.user('member', institutionId);
    const asked = await t.api('POST', '/api/v1/waiting-list', { as: member, body: { title: 'Approval', roomId: approval.id, start: '2026-03-30T10:00', end: '2026-03-30T11:00', seats: 2 } });
    expect(asked.status, JSON.stringify(asked.body)).toBe(422);
    expect(asked.body.code).toBe('ROOM_ON_APPROVAL');
    await t.portal.services.uow.repos.rooms.update(approval.id, { active: false });

    // Alice's institution has 9 hours a month left; she waits for 10, Bea (no quota) for one of them.
    const counted = await t.institution({ name: 'Nine hours', monthlyQuotaHours: 9 });
    const [alice, bob, bea] = [await t.user('member', counted.id), await t.user('member', institutionId), await t.user('member', institutionId)];
    const day = { roomId: small.id, seats: 2 };
    const taken = await t.api('POST', '/api/v1/bookings', { as: bob, body: { title: 'All day', ...day, start: '2026-03-31T08:00', end: '2026-03-31T18:00' } });
    expect(taken.status, JSON.stringify(taken.body)).toBe(201);
    const aliceEntry = (await t.api('POST', '/api/v1/waiting-list', { as: alice, body: { title: 'Alice, ten hours', ...day, start: '2026-03-31T08:00', end: '2026-03-31T18:00' } })).body;
    const beaEntry = (await t.api('POST', '/api/v1/waiting-list', { as: bea, body: { title: 'Bea, one hour', ...day, start: '2026-03-31T09:00', end: '2026-03-31T10:00' } })).body;
    expect([aliceEntry.state, beaEntry.state]).toEqual(['waiting', 'waiting']);
    expect((await t.api('DELETE', `/api/v1/bookings/${taken.body.id}`, { as: bob })).status).toBe(200);
    await t.portal.services.waitingList.offerFreed({ start: new Date('2026-03-31T05:50:00Z'), end: new Date('2026-03-31T16:10:00Z') });
    // Alice could not confirm ten hours: she keeps waiting, and the hour goes to Bea.
    expect((await entries(bea))[0]).toMatchObject({ id: beaEntry.id, state: 'held' });
    expect((await entries(alice))[0]).toMatchObject({ id: aliceEntry.id, state: 'waiting' });
    expect((await t.api('POST', `/api/v1/waiting-list/${beaEntry.id}/confirm`, { as: bea })).status).toBe(201);
  });

  it('lets a hold weigh on every other booking of its holder: only its confirmation goes past it', async () => {
    t.clock.set('2026-03-20T09:00:00Z');
    const [alice, bob] = await Promise.all([1, 2].map(() => t.user('member', institutionId)));
    const slot = { roomId: small.id, start: '2026-03-27T10:00', end: '2026-03-27T11:00', seats: 4 };
    const mine = await t.api('POST', '/api/v1/bookings', { as: alice!, body: { title: 'Alice', ...slot } });
    // Bob waits twice for overlapping times in the same room: one room, one of them can be held.
    const first = (await t.api('POST', '/api/v1/waiting-list', { as: bob!, body: { title: 'Bob 1', ...slot } })).body;
    const second = (await t.api('POST', '/api/v1/waiting-list', { as: bob!, body: { title: 'Bob 2', ...slot, start: '2026-03-27T10:30', end: '2026-03-27T11:30' } })).body;
    await t.api('DELETE', `/api/v1/bookings/${mine.body.id}`, { as: alice! });
    await t.portal.services.waitingList.offerFreed({ start: new Date('2026-03-27T08:50:00Z'), end: new Date('2026-03-27T10:10:00Z') });
    const states = Object.fromEntries((await entries(bob!)).map((e) => [e.id, e.state]));
    expect([states[first.id], states[second.id]]).toEqual(['held', 'waiting']);

    // Booking the held room over the hold, as the holder, is refused as for anyone: else the hold
    // and the booking would both stand, and confirming would make two meetings in one room.
    const over = await t.api('POST', '/api/v1/bookings', { as: bob!, body: { title: 'Bob again', ...slot, start: '2026-03-27T10:30', end: '2026-03-27T11:00' } });
    expect(over.status).toBe(409);
    expect(over.body.code).toBe('ROOM_TAKEN');
    expect((await t.api('POST', `/api/v1/waiting-list/${first.id}/confirm`, { as: bob! })).status).toBe(201);
  });

  it('keeps holds and bookings off each other and within the seat pool under parallel bookings, cancellations, offers, sweeps and confirmations on two instances', async () => {
    t.clock.set('2026-03-20T09:00:00Z');
    const people = await Promise.all(Array.from({ length: 8 }, () => t.user('member', institutionId)));
    const owner = await t.user('member', institutionId);
    let seed = 17;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const hours = ['09:00', '09:30', '10:00', '10:30', '11:00'];
    const request = () => {
      const h = hours[random(hours.length)]!;
      const [hh, mm] = h.split(':').map(Number) as [number, number];
      const end = `${String(hh + 1).padStart(2, '0')}:${String(mm).padStart(2, '0')}`;
      const room = [small, medium, large, null][random(4)];
      const seats = room ? Math.min(room.capacity, 3 + random(10)) : 3 + random(15);
      return { title: 'Race', start: `2026-03-26T${h}`, end: `2026-03-26T${end}`, seats, ...(room && { roomId: room.id }) };
    };
    const mine: string[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await t.api('POST', '/api/v1/bookings', { as: owner, body: request() });
      if (res.status === 201) mine.push(res.body.id);
    }
    for (const p of people) for (let i = 0; i < 3; i++) await t.api('POST', '/api/v1/waiting-list', { as: p, body: request() });

    const statuses: number[] = [];
    const instance = (i: number) => (i % 2 === 0 ? t.portal : second);
    const confirmHeld = async (who: Caller, i: number) => {
      const held = (await entries(who)).filter((e) => e.state === 'held');
      for (const e of held) statuses.push((await (i % 2 === 0 ? t.api('POST', `/api/v1/waiting-list/${e.id}/confirm`, { as: who }) : api2('POST', `/api/v1/waiting-list/${e.id}/confirm`, who))).status);
    };
    // Half the owner's bookings go first: holds exist before the race.
    for (const id of mine.splice(0, Math.ceil(mine.length / 2))) await t.api('DELETE', `/api/v1/bookings/${id}`, { as: owner });
    await t.portal.services.waitingList.offerFreed({ start: new Date('2026-03-26T07:00:00Z'), end: new Date('2026-03-26T12:00:00Z') });
    const { rows: held } = await sql<{ n: string }>`SELECT count(*) AS n FROM waiting_entries WHERE state = 'held' AND lower(during) >= '2026-03-26T00:00Z'`.execute(t.db.database.db);
    expect(Number(held[0]!.n)).toBeGreaterThan(0);
    const answers = await Promise.all([
      ...mine.map((id, i) => (i % 2 === 0 ? t.api('DELETE', `/api/v1/bookings/${id}`, { as: owner }) : api2('DELETE', `/api/v1/bookings/${id}`, owner))),
      ...people.map((p, i) => (i % 2 === 0 ? t.api('POST', '/api/v1/bookings', { as: p, body: request() }) : api2('POST', '/api/v1/bookings', p, request()))),
      ...people.map((p, i) => confirmHeld(p, i)),
      ...[0, 1, 2, 3].map((i) => instance(i).services.waitingList.offerFreed({ start: new Date('2026-03-26T07:00:00Z'), end: new Date('2026-03-26T12:00:00Z') })),
    ]);
    t.clock.set('2026-03-20T09:45:00Z');
    await Promise.all([sweepBoth(), ...people.map((p, i) => confirmHeld(p, i + 1))]);
    // Refusals are answers (409), never failures.
    for (const a of answers) if (a && typeof a === 'object' && 'status' in a) statuses.push(a.status);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);

    type Claim = { id: string; room_id: string; start: Date; end: Date; occupied_until: Date; seats: number };
    const { rows } = await sql<Claim>`
      SELECT id, room_id, lower(during) AS start, upper(during) AS "end", upper(occupied) AS occupied_until, seats FROM bookings
       WHERE status = 'confirmed' AND during && tstzrange('2026-03-26T00:00Z', '2026-03-27T00:00Z')
      UNION ALL
      SELECT id, held_room_id, lower(during), upper(during), upper(held_occupied), seats FROM waiting_entries
       WHERE state = 'held' AND during && tstzrange('2026-03-26T00:00Z', '2026-03-27T00:00Z')`.execute(t.db.database.db);
    expect(rows.length).toBeGreaterThan(0);
    for (const a of rows) {
      for (const b of rows) {
        if (a.id < b.id && a.room_id === b.room_id) expect(new Date(a.start) < new Date(b.occupied_until) && new Date(b.start) < new Date(a.occupied_until), `${a.id} and ${b.id}`).toBe(false);
      }
    }
    const usage = rows.map((r) => ({ start: new Date(r.start), end: new Date(r.end), seats: r.seats }));
    expect(peakSeats(usage, new Date('2026-03-26T00:00Z'), new Date('2026-03-27T00:00Z')).seatsUsed).toBeLessThanOrEqual(30);
  });
});
