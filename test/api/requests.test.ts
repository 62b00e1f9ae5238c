import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestPortal, type Caller, type TestPortal } from '../support/portal.ts';
import { queuedMails } from './provisioning-support.ts';

let t: TestPortal;
let alice: Caller;
let bob: Caller;
let nobody: Caller; // no institution: joins meetings, may not book
let admin2: Caller;
let big: string; // a 200-seat room
let small: string; // a 50-seat room

beforeAll(async () => {
  t = await startTestPortal({ now: '2026-03-20T09:00:00Z', env: { MAX_SEATS_PER_BOOKING: '150' } });
  const uni = await t.institution({ name: 'Università di Padova' });
  alice = await t.user('member', uni.id, 'Alice');
  bob = await t.user('member', uni.id, 'Bob');
  nobody = await t.user('member', null, 'Nadia');
  admin2 = await t.user('admin', null, 'Second Admin');
  await t.portal.services.uow.repos.users.update(nobody.userId, { locale: 'it' });
  await t.portal.services.uow.repos.users.update(bob.userId, { locale: 'en' });
  big = t.rooms.find((r) => r.capacity === 200)!.id;
  small = t.rooms.find((r) => r.capacity === 50)!.id;
});
afterAll(() => t.close());

const book = (as: Caller, body: Record<string, unknown>) => t.api('POST', '/api/v1/bookings', { as, body: { title: 'Seminar', ...body } });
const ask = (as: Caller, body: Record<string, unknown>) => t.api('POST', '/api/v1/requests', { as, body: { title: 'Conference', reason: 'A yearly conference with external guests', ...body } });

describe('what self-service refuses may be asked for', () => {
  it('answers a booking that is too long with askable: true and the input to carry over', async () => {
    const res = await book(alice, { roomId: small, seats: 10, start: '2026-03-25T08:00', end: '2026-03-25T21:00' });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'DURATION_TOO_LONG', askable: true, ask: { title: 'Seminar', roomId: small, seats: 10, start: '2026-03-25T08:00', end: '2026-03-25T21:00' } });
  });

  it('does not offer asking for more than any booking may last (7 days), nor take such a request', async () => {
    const res = await book(alice, { roomId: small, seats: 10, start: '2026-03-25T08:00', end: '2026-04-02T08:00' });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('DURATION_TOO_LONG');
    expect(res.body.askable).toBeUndefined();
    const asked = await ask(alice, { roomId: small, seats: 10, start: '2026-03-25T08:00', end: '2026-04-02T08:00' });
    expect(asked.status).toBe(422);
    expect(asked.body.code).toBe('DURATION_TOO_LONG');
  });

  it('does not offer asking for a rule an approval cannot waive (a start in the past)', async () => {
    const res = await book(alice, { roomId: small, seats: 10, start: '2026-03-19T08:00', end: '2026-03-19T09:00' });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('START_IN_PAST');
    expect(res.body.askable).toBeUndefined();
  });

  it('records a request that holds nothing: the same slot stays free for others', async () => {
    const res = await ask(alice, { roomId: small, seats: 10, start: '2026-03-25T08:00', end: '2026-03-25T21:00' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ state: 'pending', askedFor: 'DURATION_TOO_LONG', requester: { id: alice.userId }, room: { id: small }, seats: 10, start: '2026-03-25T07:00:00.000Z' });
    const other = await book(bob, { roomId: small, seats: 10, start: '2026-03-25T10:00', end: '2026-03-25T11:00' });
    expect(other.status).toBe(201);
  });

  it('refuses a request self-service would grant, and one without a reason', async () => {
    const fine = await ask(alice, { roomId: small, seats: 10, start: '2026-03-26T10:00', end: '2026-03-26T11:00' });
    expect(fine.status).toBe(422);
    expect(fine.body.code).toBe('NOTHING_TO_ASK');
    const noReason = await t.api('POST', '/api/v1/requests', { as: alice, body: { title: 'X', roomId: small, start: '2026-03-26T08:00', end: '2026-03-26T22:00' } });
    expect(noReason.status).toBe(400);
  });

  it('asks for more seats than a booking’s share of the pool (MAX_SEATS_PER_BOOKING)', async () => {
    const res = await book(alice, { seats: 160, start: '2026-03-27T10:00', end: '2026-03-27T11:00' });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'SEATS_OVER_SHARE', askable: true });
    expect((await ask(alice, { seats: 160, start: '2026-03-27T10:00', end: '2026-03-27T11:00' })).body.askedFor).toBe('SEATS_OVER_SHARE');
  });

  it('keeps a room on approval out of self-service, and out of "any room that fits"', async () => {
    const room = t.rooms.find((r) => r.capacity === 100)!;
    const other = t.rooms.find((r) => r.capacity === 100 && r.id !== room.id)!;
    expect((await t.api('PATCH', `/api/v1/rooms/${room.id}`, { as: t.admin, body: { onApproval: true } })).body.onApproval).toBe(true);
    const named = await book(alice, { roomId: room.id, seats: 80, start: '2026-03-27T14:00', end: '2026-03-27T15:00' });
    expect(named.status).toBe(422);
    expect(named.body).toMatchObject({ code: 'ROOM_ON_APPROVAL', askable: true });
    const any = await book(alice, { seats: 80, start: '2026-03-27T14:00', end: '2026-03-27T15:00' });
    expect(any.status).toBe(201);
    expect(any.body.roomId).toBe(other.id);
    // An administrator books it directly.
    expect((await book(t.admin, { roomId: room.id, seats: 80, start: '2026-03-27T16:00', end: '2026-03-27T17:00' })).status).toBe(201);
    // Nor is a change the way around it: moving a booking into that room, or past the seat share.
    const moved = await t.api('PATCH', `/api/v1/bookings/${any.body.id}`, { as: alice, body: { roomId: room.id } });
    expect(moved.status).toBe(422);
    expect(moved.body.code).toBe('ROOM_ON_APPROVAL');
    const grown = await t.api('PATCH', `/api/v1/bookings/${any.body.id}`, { as: alice, body: { roomId: big, seats: 160 } });
    expect(grown.status).toBe(422);
    expect(grown.body.code).toBe('SEATS_OVER_SHARE');
    expect((await t.api('GET', `/api/v1/bookings/${any.body.id}`, { as: alice })).body).toMatchObject({ roomId: other.id, seats: 80 });
    await t.api('PATCH', `/api/v1/rooms/${room.id}`, { as: t.admin, body: { onApproval: false } });
  });
});

describe('the administrators hear of a new request', () => {
  it('mails each active administrator, in their language, what is asked, why and where to decide; nobody else', async () => {
    // The portal's default language is Italian: the first administrator has chosen none, the second English.
    await t.portal.services.uow.repos.users.update(admin2.userId, { locale: 'en' });
    const away = await t.user('admin', null, 'Away Admin');
    await t.portal.services.uow.repos.users.setDisabled(away.userId, new Date('2026-03-19T00:00:00Z'));
    const q = await ask(bob, { roomId: small, seats: 10, start: '2026-03-26T08:00', end: '2026-03-26T21:00', title: 'Open day', reason: 'The whole faculty presents its courses.' });
    expect(q.status, JSON.stringify(q.body)).toBe(201);
    const about = (m: { subject: string }) => m.subject.endsWith(': Open day');
    const english = (await queuedMails(t, admin2.userId)).filter(about);
    expect(english.map((m) => m.subject)).toEqual(['New booking request: Open day']);
    expect(english[0]!.text).toContain('Bob (Università di Padova) asks for a longer booking than self-service allows');
    expect(english[0]!.text).toContain('Asked for: Open day – Thursday 26 March 2026, 08:00–21:00 (Europe/Rome) – Sala Agnesi');
    expect(english[0]!.text).toContain('The whole faculty presents its courses.');
    expect(english[0]!.text).toMatch(/Decide in the portal: http:\/\/\S+\/admin\/requests/);
    // A reply asks Bob.
    const replyTo = await sql<{ r: string }>`SELECT data->>'replyTo' AS r FROM pgboss.job WHERE name = 'mail-deliver' AND data->>'subject' = 'New booking request: Open day'`.execute(t.db.database.db);
    const bobEmail = (await t.portal.services.uow.repos.users.findById(bob.userId))!.email;
    expect(replyTo.rows.map((x) => x.r)).toEqual([bobEmail]);
    const it_ = (await queuedMails(t, t.admin.userId)).filter(about);
    expect(it_.map((m) => m.subject)).toEqual(['Nuova richiesta di prenotazione: Open day']);
    expect(it_[0]!.text).toContain('Bob (Università di Padova) chiede una prenotazione più lunga di quanto consentito');
    expect((await queuedMails(t, away.userId)).filter(about)).toEqual([]);
    // The requester and other members get nothing of it.
    expect((await queuedMails(t, bob.userId)).filter(about)).toEqual([]);
    expect((await queuedMails(t, alice.userId)).filter(about)).toEqual([]);
    expect((await t.api('POST', `/api/v1/requests/${q.body.id}/withdraw`, { as: bob, body: {} })).status).toBe(200);
  });

  it('lets an administrator turn the mail off for themselves; a member has no such switch', async () => {
    expect((await t.api('GET', '/api/v1/me', { as: admin2 })).body.requestMails).toBe(true);
    expect((await t.api('GET', '/api/v1/me', { as: bob })).body.requestMails).toBeNull();
    const off = await t.api('PATCH', '/api/v1/me', { as: admin2, body: { requestMails: false } });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    expect(off.body).toMatchObject({ requestMails: false, locale: 'en' });
    const member = await t.api('PATCH', '/api/v1/me', { as: bob, body: { requestMails: true, locale: 'it' } });
    expect([member.status, member.body.code]).toEqual([403, 'ADMIN_ONLY']);
    expect((await t.api('GET', '/api/v1/me', { as: bob })).body.locale).toBe('en');
    const q = await ask(bob, { roomId: small, seats: 10, start: '2026-03-27T08:00', end: '2026-03-27T21:00', title: 'Quiet admin', reason: 'A long day.' });
    expect(q.status, JSON.stringify(q.body)).toBe(201);
    const about = (m: { subject: string }) => m.subject.endsWith(': Quiet admin');
    expect((await queuedMails(t, admin2.userId)).filter(about)).toEqual([]);
    expect((await queuedMails(t, t.admin.userId)).filter(about)).toHaveLength(1);
    expect((await t.api('PATCH', '/api/v1/me', { as: admin2, body: { requestMails: true } })).body.requestMails).toBe(true);
    expect((await t.api('POST', `/api/v1/requests/${q.body.id}/withdraw`, { as: bob, body: {} })).status).toBe(200);
  });
});

describe('an administrator decides', () => {
  it('approves a request of someone whose institution does not subscribe: the booking is theirs, the audit names the administrator, the mail is in their language', async () => {
    const refused = await book(nobody, { roomId: small, seats: 20, start: '2026-04-02T10:00', end: '2026-04-02T12:00' });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'NOT_ALLOWED_TO_BOOK', askable: true });
    const q = await ask(nobody, refused.body.ask);
    expect(q.status, JSON.stringify(q.body)).toBe(201);
    const member = await t.api('POST', `/api/v1/requests/${q.body.id}/approve`, { as: alice, body: {} });
    expect(member.status).toBe(403);
    const ok = await t.api('POST', `/api/v1/requests/${q.body.id}/approve`, { as: t.admin, body: { note: 'Welcome' } });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.request).toMatchObject({ state: 'approved', decidedBy: { id: t.admin.userId }, bookingId: ok.body.booking.id, decisionNote: 'Welcome' });
    expect(ok.body.booking).toMatchObject({ booker: { id: nobody.userId }, institutionId: null, roomId: small, seats: 20 });
    // The requester owns it: they see it among their bookings.
    expect((await t.api('GET', `/api/v1/bookings/${ok.body.booking.id}`, { as: nobody })).status).toBe(200);
    const { rows } = await sql<{ actor_id: string }>`SELECT actor_id FROM audit_log WHERE entity_id = ${ok.body.booking.id} AND action = 'booking.created'`.execute(t.db.database.db);
    expect(rows.map((r) => r.actor_id)).toEqual([t.admin.userId]);
    const mails = await queuedMails(t, nobody.userId);
    expect(mails.some((m) => m.subject === 'Richiesta approvata: Seminar' && m.text.includes('Buongiorno Nadia'))).toBe(true);
    // Decided once.
    const again = await t.api('POST', `/api/v1/requests/${q.body.id}/approve`, { as: admin2, body: {} });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('REQUEST_DECIDED');
  });

  it('books more seats than any room in the room the administrator picks; the seat pool still holds', async () => {
    const q = await ask(alice, { seats: 300, start: '2026-04-03T09:00', end: '2026-04-03T17:00' });
    expect(q.body.askedFor).toBe('NO_ROOM_FITS');
    const noRoom = await t.api('POST', `/api/v1/requests/${q.body.id}/approve`, { as: t.admin, body: {} });
    expect(noRoom.status).toBe(422);
    expect(noRoom.body.code).toBe('APPROVAL_NEEDS_ROOM');
    const ok = await t.api('POST', `/api/v1/requests/${q.body.id}/approve`, { as: t.admin, body: { roomId: big } });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.booking).toMatchObject({ roomId: big, seats: 300, booker: { id: alice.userId } });
    // 300 of the 500 seats are taken: a 250-seat request loses to the pool, and is told so.
    const more = await ask(bob, { seats: 250, start: '2026-04-03T10:00', end: '2026-04-03T11:00' });
    const full = await t.api('POST', `/api/v1/requests/${more.body.id}/approve`, { as: t.admin, body: { roomId: t.rooms.find((r) => r.capacity === 200 && r.id !== big)!.id } });
    expect(full.status).toBe(409);
    expect(full.body.code).toBe('SEAT_POOL_FULL');
    expect((await t.api('GET', `/api/v1/requests/${more.body.id}`, { as: bob })).body.state).toBe('pending');
  });

  it('denies only with a reason, which the requester reads in the portal and by mail', async () => {
    const q = await ask(bob, { roomId: small, seats: 10, start: '2026-04-06T08:00', end: '2026-04-06T22:00' });
    expect((await t.api('POST', `/api/v1/requests/${q.body.id}/deny`, { as: t.admin, body: {} })).status).toBe(400);
    const denied = await t.api('POST', `/api/v1/requests/${q.body.id}/deny`, { as: t.admin, body: { reason: 'The building is closed that evening.' } });
    expect(denied.status).toBe(200);
    expect(denied.body).toMatchObject({ state: 'denied', decisionNote: 'The building is closed that evening.' });
    const mine = await t.api('GET', '/api/v1/requests', { as: bob });
    expect(mine.body.items.find((i: { id: string }) => i.id === q.body.id)).toMatchObject({ state: 'denied' });
    expect((await queuedMails(t, bob.userId)).some((m) => m.subject === 'Request denied: Conference' && m.text.includes('The building is closed'))).toBe(true);
  });

  it('lets the requester withdraw, and nobody else see it', async () => {
    const q = await ask(bob, { roomId: small, seats: 10, start: '2026-04-07T08:00', end: '2026-04-07T22:00' });
    expect((await t.api('GET', `/api/v1/requests/${q.body.id}`, { as: alice })).status).toBe(404);
    expect((await t.api('POST', `/api/v1/requests/${q.body.id}/withdraw`, { as: alice })).status).toBe(404);
    const w = await t.api('POST', `/api/v1/requests/${q.body.id}/withdraw`, { as: bob });
    expect(w.status).toBe(200);
    expect(w.body.state).toBe('withdrawn');
  });

  it('shows administrators a queue with filters and the pending count', async () => {
    const before = (await t.api('GET', '/api/v1/requests/counts', { as: t.admin })).body;
    const q = await ask(alice, { roomId: big, seats: 10, start: '2026-04-08T08:00', end: '2026-04-08T22:00' });
    const after = (await t.api('GET', '/api/v1/requests/counts', { as: t.admin })).body;
    expect(after.pending).toBe(before.pending + 1);
    const counts = (await t.api('GET', '/api/v1/requests/counts', { as: alice })).body;
    expect(counts.pending).toBeNull();
    expect(counts.minePending).toBeGreaterThanOrEqual(1);
    const byRoom = await t.api('GET', `/api/v1/requests?state=pending&roomId=${big}&from=2026-04-08T00:00:00Z&to=2026-04-09T00:00:00Z`, { as: t.admin });
    expect(byRoom.body.items.map((i: { id: string }) => i.id)).toEqual([q.body.id]);
    const bobs = await t.api('GET', '/api/v1/requests', { as: bob });
    expect(bobs.body.items.every((i: { requester: { id: string } }) => i.requester.id === bob.userId)).toBe(true);
  });

  it('pages the queue with limit and offset: every request once, in the queue’s order', async () => {
    // Twelve more, some made in the same instant (the fixed clock): the order still has no ties.
    for (let i = 0; i < 12; i++) expect((await ask(bob, { roomId: big, seats: 10, start: `2026-05-${String(4 + i).padStart(2, '0')}T08:00`, end: `2026-05-${String(4 + i).padStart(2, '0')}T22:00` })).status).toBe(201);
    const whole = (await t.api('GET', '/api/v1/requests?limit=500', { as: t.admin })).body.items.map((i: { id: string }) => i.id);
    expect(whole.length).toBeGreaterThanOrEqual(13);
    const paged: string[] = [];
    for (let offset = 0; offset < whole.length + 5; offset += 5) {
      const page = await t.api('GET', `/api/v1/requests?limit=5&offset=${offset}`, { as: t.admin });
      expect(page.status).toBe(200);
      paged.push(...page.body.items.map((i: { id: string }) => i.id));
    }
    expect(paged).toEqual(whole);
    const bad = await t.api('GET', '/api/v1/requests?offset=-1', { as: t.admin });
    expect(bad.status).toBe(400);
  });
});

describe('a bound on what one person has waiting', () => {
  it('takes exactly 20 pending requests of 25 sent at once, refuses the rest in words, and takes one more after a withdrawal', async () => {
    const uni = await t.institution({ name: 'Università di Trento' });
    const carla = await t.user('member', uni.id, 'Carla');
    const day = (i: number) => `2026-06-${String(1 + i).padStart(2, '0')}`;
    const answers = await Promise.all(Array.from({ length: 25 }, (_, i) => ask(carla, { roomId: small, seats: 10, start: `${day(i)}T08:00`, end: `${day(i)}T22:00` })));
    const made = answers.filter((a) => a.status === 201);
    const refused = answers.filter((a) => a.status !== 201);
    // Counted and inserted under one lock per person: not 21, not 25.
    expect(made).toHaveLength(20);
    expect(refused.map((a) => [a.status, a.body.code])).toEqual(Array.from({ length: 5 }, () => [409, 'TOO_MANY_PENDING_REQUESTS']));
    expect(refused[0]!.body.detail).toBe('You already have 20 requests waiting for an administrator. Wait for their answers, or withdraw one you no longer need, then ask again.');
    const inItalian = await t.api('POST', '/api/v1/requests', {
      as: carla,
      headers: { 'accept-language': 'it' },
      body: { title: 'Convegno', reason: 'Un convegno annuale', roomId: small, seats: 10, start: `${day(26)}T08:00`, end: `${day(26)}T22:00` },
    });
    expect(inItalian.status).toBe(409);
    expect(inItalian.body.detail).toBe('Hai già 20 richieste in attesa di un amministratore. Aspetta le risposte, o ritirane una che non ti serve più, poi chiedi di nuovo.');
    expect((await t.api('GET', '/api/v1/requests/counts', { as: carla })).body.minePending).toBe(20);
    // Someone else is not held by Carla's requests.
    const dora = await t.user('member', uni.id, 'Dora');
    expect((await ask(dora, { roomId: small, seats: 10, start: `${day(0)}T08:00`, end: `${day(0)}T22:00` })).status).toBe(201);
    // A withdrawn request no longer counts.
    expect((await t.api('POST', `/api/v1/requests/${made[0]!.body.id}/withdraw`, { as: carla })).status).toBe(200);
    expect((await ask(carla, { roomId: small, seats: 10, start: `${day(27)}T08:00`, end: `${day(27)}T22:00` })).status).toBe(201);
    expect((await ask(carla, { roomId: small, seats: 10, start: `${day(28)}T08:00`, end: `${day(28)}T22:00` })).status).toBe(409);
  });
});

describe('approval races', () => {
  it('of two administrators approving conflicting requests at once, one wins and the other is told with alternatives', async () => {
    const one = await ask(alice, { roomId: big, seats: 30, start: '2026-04-09T08:00', end: '2026-04-09T21:00' });
    const two = await ask(bob, { roomId: big, seats: 30, start: '2026-04-09T09:00', end: '2026-04-09T22:00' });
    const [a, b] = await Promise.all([
      t.api('POST', `/api/v1/requests/${one.body.id}/approve`, { as: t.admin, body: {} }),
      t.api('POST', `/api/v1/requests/${two.body.id}/approve`, { as: admin2, body: {} }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const lost = a.status === 409 ? a : b;
    const lostId = a.status === 409 ? one.body.id : two.body.id;
    expect(lost.body.code).toBe('ROOM_TAKEN');
    expect(lost.body.suggestions.length).toBeGreaterThan(0);
    expect((await t.api('GET', `/api/v1/requests/${lostId}`, { as: t.admin })).body.state).toBe('pending');
    // The administrator proposes an alternative: approve with one of them.
    const s = lost.body.suggestions[0];
    const proposed = await t.api('POST', `/api/v1/requests/${lostId}/approve`, { as: admin2, body: { roomId: s.roomId, start: s.start, end: s.end, note: 'Another room' } });
    expect(proposed.status, JSON.stringify(proposed.body)).toBe(200);
    expect(proposed.body.booking).toMatchObject({ roomId: s.roomId, start: s.start });
  });
});

describe('expiry', () => {
  it('expires the pending requests whose time has come, once, and tells the requester', async () => {
    const q = await ask(nobody, { roomId: small, seats: 5, start: '2026-03-23T10:00', end: '2026-03-23T11:00' });
    expect(q.status, JSON.stringify(q.body)).toBe(201);
    t.clock.set('2026-03-23T08:59:00Z');
    expect(await t.portal.services.requests.expireDue()).toBe(0);
    t.clock.set('2026-03-23T09:00:00Z');
    const [n1, n2] = await Promise.all([t.portal.services.requests.expireDue(), t.portal.services.requests.expireDue()]);
    expect(n1 + n2).toBe(1);
    expect((await t.api('GET', `/api/v1/requests/${q.body.id}`, { as: nobody })).body.state).toBe('expired');
    expect((await queuedMails(t, nobody.userId)).filter((m) => m.subject === 'Richiesta scaduta: Conference')).toHaveLength(1);
    const late = await t.api('POST', `/api/v1/requests/${q.body.id}/approve`, { as: t.admin, body: {} });
    expect(late.body.code).toBe('REQUEST_DECIDED');
    t.clock.set('2026-03-20T09:00:00Z');
  });
});

describe('the OpenAPI document', () => {
  it('describes /requests', async () => {
    const doc = await t.api('GET', '/api/docs/json');
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/v1/requests', '/api/v1/requests/{id}/approve', '/api/v1/requests/{id}/deny', '/api/v1/requests/counts']));
  });
});
