// The rooms kept in each portal's memory (app/room-cache.ts): booking requests and calendar views
// read them once, and a room changed through the API, through another instance's notice (a real
// LISTEN on PostgreSQL) or made elsewhere is seen at once here and within a second there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { JOIN_CHANNEL } from '../../src/ports.ts';
import type { RoomCache } from '../../src/app/room-cache.ts';
import { startTestPortal, type Caller, type TestPortal } from '../support/portal.ts';
import { within } from '../support/within.ts';

let a: TestPortal;
let b: TestPortal;
let alice: Caller;

beforeAll(async () => {
  a = await startTestPortal({ now: '2026-03-20T09:00:00Z' });
  b = await startTestPortal({ db: a.db, clock: a.clock });
  alice = await a.user('member', (await a.institution()).id, 'Alice Booker');
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

const cacheOf = (t: TestPortal) => t.portal.services.uow.repos.rooms as RoomCache;
const week = 'from=2026-03-23T00:00:00Z&to=2026-03-30T00:00:00Z';
const capacityIn = async (t: TestPortal, roomId: string) =>
  ((await t.api('GET', `/api/v1/availability?${week}`, { as: alice })).body.rooms as { roomId: string; capacity: number }[]).find((r) => r.roomId === roomId)?.capacity;

describe('the room cache in a portal', () => {
  it('reads the rooms once for many booking requests and calendar views', async () => {
    await a.api('GET', `/api/v1/availability?${week}`, { as: alice });
    const loads = cacheOf(a).loads;
    const room = a.rooms[0]!;
    const made = await Promise.all(
      [0, 1, 2, 3].map((h) => a.api('POST', '/api/v1/bookings', { as: alice, body: { title: `Cached ${h}`, roomId: room.id, start: `2026-03-23T0${h * 2}:00Z`, end: `2026-03-23T0${h * 2 + 1}:00Z`, seats: 2 } })),
    );
    expect(made.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    for (let i = 0; i < 3; i++) expect((await a.api('GET', `/api/v1/availability?${week}`, { as: alice })).status).toBe(200);
    expect(cacheOf(a).loads).toBe(loads);
  });

  it('a room changed through the API: seen at once on this instance, within a second on the other', async () => {
    const room = a.rooms[1]!;
    expect(await capacityIn(b, room.id)).toBe(room.capacity);
    const changed = await a.api('PATCH', `/api/v1/rooms/${room.id}`, { as: a.admin, body: { capacity: room.capacity + 7 } });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(await capacityIn(a, room.id)).toBe(room.capacity + 7);
    expect(await within(1000, async () => (await capacityIn(b, room.id)) === room.capacity + 7)).toBe(true);
  });

  it('a room switched off is refused for new bookings at once', async () => {
    const room = a.rooms[2]!;
    expect((await a.api('PATCH', `/api/v1/rooms/${room.id}`, { as: a.admin, body: { active: false } })).status).toBe(200);
    const refused = await a.api('POST', '/api/v1/bookings', { as: alice, body: { title: 'Off', roomId: room.id, start: '2026-03-24T10:00Z', end: '2026-03-24T11:00Z', seats: 2 } });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(await capacityIn(a, room.id)).toBeUndefined();
  });

  it('a change another instance notifies (a real LISTEN on PostgreSQL) is seen within a second', async () => {
    const room = a.rooms[0]!;
    await capacityIn(a, room.id);
    // What another instance's room change sends after its commit: the row changed, then the notice.
    await sql`UPDATE rooms SET capacity = 333 WHERE id = ${room.id}::uuid`.execute(a.db.database.db);
    expect(await capacityIn(a, room.id)).toBe(room.capacity);
    await sql`SELECT pg_notify(${JOIN_CHANNEL}, ${JSON.stringify({ all: true })})`.execute(a.db.database.db);
    expect(await within(1000, async () => (await capacityIn(a, room.id)) === 333)).toBe(true);
  });

  it('a room made on another instance can be booked here at once', async () => {
    const made = await b.api('POST', '/api/v1/rooms', { as: b.admin, body: { name: 'Made on b', capacity: 40, timeZone: 'Europe/Rome' } });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const booked = await a.api('POST', '/api/v1/bookings', { as: alice, body: { title: 'New room', roomId: made.body.id, start: '2026-03-25T10:00Z', end: '2026-03-25T11:00Z', seats: 2 } });
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
  });
});
