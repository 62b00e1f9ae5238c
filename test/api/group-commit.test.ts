// Group commit (app/group-commit.ts, issue #13): parallel new bookings of different people are
// judged and written together in one transaction, each still as its own caller's: its quota, its
// room and the seat pool against the ones accepted before it, its audit entry, its own answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { onPostgres } from '../support/database.ts';
import { startTestPortal, type Caller, type TestPortal } from '../support/portal.ts';

let t: TestPortal;
beforeAll(async () => {
  t = await startTestPortal({ now: '2026-03-20T09:00:00Z', env: { SEAT_POOL: '500' } });
});
afterAll(async () => {
  await t?.close();
});

const post = (who: Caller, body: object, headers: Record<string, string> = {}) =>
  fetch(`${t.baseUrl}/api/v1/bookings`, {
    method: 'POST',
    headers: { authorization: `Bearer ${who.token}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as { id?: string; code?: string; booker?: { id: string; name: string }; suggestions?: unknown[] } }));

describe('parallel new bookings of several people and institutions', () => {
  it('are judged each as its own caller’s, in one transaction or a few, and answered each on its own', async () => {
    const capped = await t.institution({ name: 'Capped University', monthlyQuotaHours: 3 });
    const open = await t.institution({ name: 'Open University' });
    const cappedPeople = await Promise.all(Array.from({ length: 10 }, (_, i) => t.user('member', capped.id, `Capped ${i}`)));
    const openPeople = await Promise.all(Array.from({ length: 20 }, (_, i) => t.user('member', open.id, `Open ${i}`)));
    const [first, second, third] = t.rooms;
    const answers = await Promise.all([
      // Ten one-hour bookings against a quota of three hours, in rooms and hours of their own.
      ...cappedPeople.map((p, i) => post(p, { title: `Capped ${i}`, roomId: second!.id, seats: 2, start: `2026-04-0${1 + (i % 5)}T${10 + Math.floor(i / 5) * 2}:00`, end: `2026-04-0${1 + (i % 5)}T${11 + Math.floor(i / 5) * 2}:00` })),
      // Ten people for one room and hour: one wins.
      ...openPeople.slice(0, 10).map((p, i) => post(p, { title: `Same ${i}`, roomId: first!.id, seats: 2, start: '2026-04-02T14:00', end: '2026-04-02T15:00' })),
      // Ten more, each an hour of its own (with the turnaround between them): all win. One of them with an Idempotency-Key (its own transaction).
      ...openPeople.slice(10).map((p, i) => post(p, { title: `Own ${i}`, roomId: third!.id, seats: 2, start: `2026-04-03T${String(8 + i).padStart(2, '0')}:00`, end: `2026-04-03T${String(8 + i).padStart(2, '0')}:45` }, i === 0 ? { 'idempotency-key': 'group-commit-own' } : {})),
    ]);
    const capAnswers = answers.slice(0, 10);
    expect(capAnswers.filter((a) => a.status === 201)).toHaveLength(3);
    for (const a of capAnswers.filter((a) => a.status !== 201)) expect(a).toMatchObject({ status: 409, body: { code: 'QUOTA_EXCEEDED' } });
    const same = answers.slice(10, 20);
    expect(same.filter((a) => a.status === 201)).toHaveLength(1);
    for (const a of same.filter((a) => a.status !== 201)) {
      expect(a).toMatchObject({ status: 409, body: { code: 'ROOM_TAKEN' } });
      expect(a.body.suggestions?.length).toBeGreaterThan(0);
    }
    const own = answers.slice(20);
    expect(own.map((a) => a.status)).toEqual(Array(10).fill(201));
    // Each booking is its booker's, and so is its audit entry.
    const people = [...cappedPeople, ...openPeople];
    for (const [i, a] of answers.entries()) if (a.status === 201) expect(a.body.booker).toMatchObject({ id: people[i]!.userId, name: i < 10 ? `Capped ${i}` : `Open ${i - 10}` });
    const { rows } = await sql<{ booker_id: string; actor_id: string; tx: string }>`
      SELECT b.booker_id, a.actor_id, b.xmin::text AS tx FROM bookings b JOIN audit_log a ON a.entity = 'booking' AND a.entity_id = b.id::text AND a.action = 'booking.created'
       WHERE b.title LIKE 'Capped %' OR b.title LIKE 'Same %' OR b.title LIKE 'Own %'`.execute(t.db.database.db);
    expect(rows).toHaveLength(14);
    for (const r of rows) expect(r.actor_id).toBe(r.booker_id);
    // On PostgreSQL some of them were written together (bookings of one transaction share its id,
    // xmin). PGlite's one connection is held by each transaction, so the next request's own reads
    // wait for it to end and find the lane free: there, each goes alone, as before.
    if (onPostgres) expect(new Set(rows.map((r) => r.tx)).size).toBeLessThan(rows.length);
    // Capped University's three hours are spent: one more is refused, alone as in a group.
    const more = await post(cappedPeople[0]!, { title: 'One more', roomId: second!.id, seats: 2, start: '2026-04-20T10:00', end: '2026-04-20T11:00' });
    expect(more).toMatchObject({ status: 409, body: { code: 'QUOTA_EXCEEDED' } });
  });

  it('writes each request’s Idempotency-Key with its booking: the same key twice books once, a refused request keeps no key', async () => {
    const inst = await t.institution({ name: 'Keyed University' });
    const people = await Promise.all(Array.from({ length: 12 }, (_, i) => t.user('member', inst.id, `Keyed ${i}`)));
    const room = t.rooms[3]!;
    const slot = (i: number) => ({ title: `Keyed ${i}`, roomId: room.id, seats: 2, start: `2026-04-08T${String(8 + i).padStart(2, '0')}:00`, end: `2026-04-08T${String(8 + i).padStart(2, '0')}:45` });
    const taken = { ...slot(0), title: 'Taken before', start: '2026-04-08T21:00', end: '2026-04-08T21:45' };
    expect((await post(people[11]!, taken)).status).toBe(201);
    const answers = await Promise.all([
      // Ten people, each their own key and hour.
      ...people.slice(0, 10).map((p, i) => post(p, slot(i), { 'idempotency-key': `k-${i}` })),
      // One person sends the same request twice at once (a double click): one booking, the same answer twice.
      post(people[10]!, slot(10), { 'idempotency-key': 'twice' }),
      post(people[10]!, slot(10), { 'idempotency-key': 'twice' }),
      // One asks for an hour booked before: refused, and its key is not kept.
      post(people[11]!, taken, { 'idempotency-key': 'refused' }),
    ]);
    expect(answers.slice(0, 10).map((a) => a.status)).toEqual(Array(10).fill(201));
    const [once, again] = answers.slice(10, 12);
    expect([once!.status, again!.status]).toEqual([201, 201]);
    expect(again!.body.id).toBe(once!.body.id);
    expect(answers[12]).toMatchObject({ status: 409, body: { code: 'ROOM_TAKEN' } });
    const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM bookings WHERE title = 'Keyed 10'`.execute(t.db.database.db);
    expect(Number(rows[0]!.n)).toBe(1);
    // Keyed requests are grouped too (the portal's own pages send a key with every booking).
    const { rows: tx } = await sql<{ tx: string }>`SELECT xmin::text AS tx FROM bookings WHERE title LIKE 'Keyed %'`.execute(t.db.database.db);
    if (onPostgres) expect(new Set(tx.map((r) => r.tx)).size).toBeLessThan(tx.length);
    // A retry of a booked one replays its answer; the refused one may be sent again and is judged again.
    const retry = await post(people[0]!, slot(0), { 'idempotency-key': 'k-0' });
    expect(retry).toMatchObject({ status: 201, body: { id: answers[0]!.body.id } });
    const refusedAgain = await post(people[11]!, { ...taken, start: '2026-04-08T20:00', end: '2026-04-08T20:45' }, { 'idempotency-key': 'refused' });
    expect(refusedAgain.status).toBe(201);
  });
});
