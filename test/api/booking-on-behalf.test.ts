// Booking on behalf (issue #17): a person names a delegate, who must accept before booking for
// them; the booking's owner gets the invitation and the host rights, both may change and cancel it,
// the quota counts against the owner's institution and the audit log records both. Managers book
// for their institution's members and admins for anyone without a delegation. At a fixed clock,
// over real HTTP, with mail caught by a real SMTP server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmtpPeer } from '../notify/smtp-peer.ts';
import { startTestPortal, type Caller, type TestPortal } from '../support/portal.ts';

let t: TestPortal;
let smtp: SmtpPeer;
let professor: Caller; // owner, Università di Padova (quota 3 h a month)
let secretary: Caller; // delegate, another institution without quota
let manager: Caller; // manager of Padova
let colleague: Caller; // member of Padova, no delegation
let stranger: Caller; // member elsewhere
let lapsed: Caller; // member of an institution whose subscription ended
let room: string;
let secretaryEmail: string;

const emailOf = async (c: Caller) => (await t.portal.services.uow.repos.users.findById(c.userId))!.email;

beforeAll(async () => {
  smtp = new SmtpPeer();
  await smtp.start();
  t = await startTestPortal({ now: '2026-03-20T09:00:00Z', env: { SMTP_URL: smtp.url, MAIL_RETRY_DELAY_SECONDS: '1', PUBLIC_URL: 'https://meet.example.org', MAIL_DEFAULT_LOCALE: 'it', MAX_MAILS_PER_SENDER_PER_HOUR: '2' } });
  const padova = await t.institution({ name: 'Università di Padova', monthlyQuotaHours: 3 });
  const office = await t.institution({ name: 'Segreteria Centrale' });
  const old = await t.institution({ name: 'Ente Scaduto', subscriptionStart: '2025-01-01', subscriptionEnd: '2025-12-31' });
  professor = await t.user('member', padova.id, 'Prof. Paolo Neri');
  secretary = await t.user('member', office.id, 'Sara Segretaria');
  manager = await t.user('institution-manager', padova.id, 'Marta Manager');
  colleague = await t.user('member', padova.id, 'Carlo Collega');
  stranger = await t.user('member', office.id, 'Stefano Estraneo');
  lapsed = await t.user('member', old.id, 'Luca Scaduto');
  await t.portal.services.uow.repos.users.update(secretary.userId, { locale: 'en' });
  room = t.rooms.find((r) => r.capacity >= 20)!.id;
  secretaryEmail = await emailOf(secretary);
});
afterAll(async () => {
  await t?.close();
  await smtp?.stop();
});

const book = (as: Caller, body: Record<string, unknown>) =>
  t.api('POST', '/api/v1/bookings', { as, body: { title: 'Esame di Analisi', roomId: room, seats: 10, ...body } });

describe('delegates, with consent', () => {
  it('lets a person name a delegate by e-mail; the delegate is asked by mail in their language and must accept first', async () => {
    const named = await t.api('POST', '/api/v1/account/delegates', { as: professor, body: { email: (await emailOf(secretary)).toUpperCase() } });
    expect(named.status, JSON.stringify(named.body)).toBe(201);
    expect(named.body).toMatchObject({ person: { id: professor.userId }, delegate: { id: secretary.userId, name: 'Sara Segretaria' }, status: 'pending', acceptedAt: null });
    const mail = await smtp.waitFor((m) => m.to.includes(secretaryEmail));
    expect(mail.parsed.subject).toBe('Prof. Paolo Neri asks you to book for them on WebMeetings');
    expect(mail.parsed.text).toContain('https://meet.example.org/account/delegates');

    // Not yet accepted: the request is refused with what to do, in the person's language.
    const early = await book(secretary, { ownerId: professor.userId, start: '2026-03-24T10:00', end: '2026-03-24T11:00' });
    expect(early.status).toBe(403);
    expect(early.body).toMatchObject({ code: 'NOT_ALLOWED_TO_BOOK_FOR' });
    expect(early.body.detail).toMatch(/accept it/);
    const inItalian = await t.api('POST', '/api/v1/bookings?lang=it', { as: secretary, body: { title: 'x', roomId: room, seats: 10, ownerId: professor.userId, start: '2026-03-24T10:00', end: '2026-03-24T11:00' } });
    expect(inItalian.body.detail).toMatch(/Non hai ancora accettato/);

    const mine = await t.api('GET', '/api/v1/account/delegations', { as: secretary });
    expect(mine.body.items).toMatchObject([{ person: { id: professor.userId, name: 'Prof. Paolo Neri' }, status: 'pending' }]);
    const accepted = await t.api('POST', `/api/v1/account/delegations/${professor.userId}/accept`, { as: secretary });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ status: 'accepted', acceptedAt: '2026-03-20T09:00:00.000Z' });
    const delegates = await t.api('GET', '/api/v1/account/delegates', { as: professor });
    expect(delegates.body.items).toMatchObject([{ delegate: { id: secretary.userId }, status: 'accepted' }]);
    const bookFor = await t.api('GET', '/api/v1/account/book-for', { as: secretary });
    expect(bookFor.body).toEqual({ people: [{ id: professor.userId, name: 'Prof. Paolo Neri', email: await emailOf(professor) }], search: 'none' });
  });

  it('sends the consent mail in Italian to a delegate whose language is Italian, and names nobody twice', async () => {
    const r = await t.api('POST', '/api/v1/account/delegates', { as: colleague, body: { userId: stranger.userId } });
    expect(r.status).toBe(201);
    const address = await emailOf(stranger);
    const mail = await smtp.waitFor((m) => m.to.includes(address));
    expect(mail.parsed.subject).toBe('Carlo Collega ti chiede di prenotare per suo conto su WebMeetings');
    const again = await t.api('POST', '/api/v1/account/delegates', { as: colleague, body: { userId: stranger.userId } });
    expect(again.status).toBe(201);
    expect(again.body.status).toBe('pending');
    expect((await t.api('GET', '/api/v1/account/delegates', { as: colleague })).body.items).toHaveLength(1);
  });

  it('counts the consent mails against the person’s mails per hour, as invitations', async () => {
    const busy = await t.user('member', null, 'Bea Busy');
    const others = [await t.user('member', null), await t.user('member', null), await t.user('member', null)];
    for (const o of others.slice(0, 2)) expect((await t.api('POST', '/api/v1/account/delegates', { as: busy, body: { userId: o.userId } })).status).toBe(201);
    const third = await t.api('POST', '/api/v1/account/delegates', { as: busy, body: { userId: others[2]!.userId } });
    expect(third.status).toBe(429);
    expect(third.body.code).toBe('MAIL_LIMIT_REACHED');
    expect((await t.api('GET', '/api/v1/account/delegates', { as: busy })).body.items).toHaveLength(2);
  });

  it('refuses naming yourself, an unknown address, or both an address and an id', async () => {
    expect((await t.api('POST', '/api/v1/account/delegates', { as: colleague, body: { userId: colleague.userId } })).body.code).toBe('DELEGATE_IS_YOU');
    const unknown = await t.api('POST', '/api/v1/account/delegates', { as: colleague, body: { email: 'nobody@example.org' } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toMatch(/needs a WebMeetings account/);
    expect((await t.api('POST', '/api/v1/account/delegates', { as: colleague, body: { email: 'a@example.org', userId: stranger.userId } })).status).toBe(400);
  });
});

describe('a booking made on behalf', () => {
  let id: string;

  it('belongs to the owner and names who booked it; the owner gets the invitation, the delegate a short note', async () => {
    const r = await book(secretary, { ownerId: professor.userId, start: '2026-03-24T10:00', end: '2026-03-24T12:00' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    id = r.body.id;
    expect(r.body).toMatchObject({ booker: { id: professor.userId, name: 'Prof. Paolo Neri' }, ownerId: professor.userId, bookedBy: { id: secretary.userId, name: 'Sara Segretaria' }, institutionId: professor.institutionId });
    const professorEmail = await emailOf(professor);
    const invitation = await smtp.waitFor((m) => m.to.includes(professorEmail) && /Esame di Analisi/.test(m.parsed.subject ?? ''));
    expect(invitation.parsed.subject).toBe('Invito: Esame di Analisi');
    expect(invitation.raw).toContain('text/calendar');
    const note = await smtp.waitFor((m) => m.to.includes(secretaryEmail) && /Esame di Analisi/.test(m.parsed.subject ?? ''));
    expect(note.parsed.text).toContain('You booked this meeting for Prof. Paolo Neri, who received the invitation.');
    expect(note.raw).not.toContain('text/calendar');
  });

  it('is seen, changed and cancelled by both the owner and the delegate, and by nobody else of another institution', async () => {
    for (const who of [professor, secretary]) {
      expect((await t.api('GET', `/api/v1/bookings/${id}`, { as: who })).status).toBe(200);
      const list = await t.api('GET', '/api/v1/bookings?from=2026-03-24T00:00:00Z&to=2026-03-25T00:00:00Z', { as: who });
      expect(list.body.items.map((b: { id: string }) => b.id)).toContain(id);
    }
    expect((await t.api('GET', `/api/v1/bookings/${id}`, { as: stranger })).status).toBe(404);
    const renamed = await t.api('PATCH', `/api/v1/bookings/${id}`, { as: secretary, body: { title: 'Esame di Analisi I' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ title: 'Esame di Analisi I', ownerId: professor.userId, bookedBy: { id: secretary.userId } });
    expect((await t.api('PATCH', `/api/v1/bookings/${id}`, { as: professor, body: { title: 'Esame di Analisi' } })).status).toBe(200);
    expect((await t.api('PATCH', `/api/v1/bookings/${id}`, { as: stranger, body: { title: 'x' } })).status).toBe(404);
    // On the calendar too: the delegate sees it by its title and booker, as the owner does (it was
    // an anonymous busy block for the delegate); someone of another institution sees it busy.
    const slotFor = async (who: Caller) => {
      const week = await t.api('GET', '/api/v1/availability?from=2026-03-24T00:00:00Z&to=2026-03-25T00:00:00Z', { as: who });
      expect(week.status).toBe(200);
      return (week.body.rooms as Array<{ roomId: string; busy: Array<{ bookingId: string | null; title: string | null; booker: { id: string } | null; start: string }> }>)
        .find((r) => r.roomId === room)!
        .busy.find((b) => b.start === '2026-03-24T09:00:00.000Z');
    };
    for (const who of [professor, secretary]) expect(await slotFor(who)).toMatchObject({ bookingId: id, title: 'Esame di Analisi', booker: { id: professor.userId } });
    expect(await slotFor(stranger)).toMatchObject({ bookingId: null, title: null, booker: null });
  });

  it('records both the owner and the person who booked in the audit log', async () => {
    const audit = await t.api('GET', `/api/v1/audit?entity=booking&entityId=${id}`, { as: t.admin });
    const created = audit.body.items.find((e: { action: string }) => e.action === 'booking.created');
    expect(created.actor).toMatchObject({ id: secretary.userId, name: 'Sara Segretaria' });
    expect(created.after).toMatchObject({ bookerId: professor.userId, ownerId: professor.userId, bookedById: secretary.userId });
  });

  it('counts against the owner’s institution quota, not the delegate’s', async () => {
    // Padova has 3 h a month; 2 h are booked already, so 2 more do not fit, whoever books them.
    const over = await book(secretary, { ownerId: professor.userId, start: '2026-03-26T10:00', end: '2026-03-26T12:00' });
    expect(over.status).toBe(409);
    expect(over.body).toMatchObject({ code: 'QUOTA_EXCEEDED' });
    expect(over.body.detail).toMatch(/Università di Padova has 1 h/);
    // For herself the secretary's own institution has no quota.
    expect((await book(secretary, { start: '2026-03-26T10:00', end: '2026-03-26T12:00' })).status).toBe(201);
  });

  it('is cancelled by the delegate', async () => {
    const r = await t.api('DELETE', `/api/v1/bookings/${id}`, { as: secretary });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('cancelled');
  });
});

describe('who may book for whom', () => {
  it('lets an institution manager book for a member of their institution without consent, not for others', async () => {
    const r = await book(manager, { ownerId: colleague.userId, start: '2026-03-25T10:00', end: '2026-03-25T11:00' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ ownerId: colleague.userId, bookedBy: { id: manager.userId } });
    const elsewhere = await book(manager, { ownerId: stranger.userId, start: '2026-03-25T12:00', end: '2026-03-25T13:00' });
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body.code).toBe('NOT_ALLOWED_TO_BOOK_FOR');
    expect((await t.api('GET', '/api/v1/account/book-for', { as: manager })).body.search).toBe('institution');
  });

  it('lets an admin book for anyone, even for a person whose institution does not subscribe', async () => {
    const r = await book(t.admin, { ownerId: lapsed.userId, start: '2026-03-27T10:00', end: '2026-03-27T11:00' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ ownerId: lapsed.userId, bookedBy: { id: t.admin.userId } });
  });

  it('refuses a delegate booking for a person whose institution does not subscribe', async () => {
    await t.api('POST', '/api/v1/account/delegates', { as: lapsed, body: { userId: secretary.userId } });
    expect((await t.api('POST', `/api/v1/account/delegations/${lapsed.userId}/accept`, { as: secretary })).status).toBe(200);
    const r = await book(secretary, { ownerId: lapsed.userId, start: '2026-03-27T12:00', end: '2026-03-27T13:00' });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('NOT_ALLOWED_TO_BOOK');
    expect(r.body.detail).toMatch(/Ente Scaduto ended/);
  });

  it('refuses a member without a delegation, and an unknown person, alike', async () => {
    for (const ownerId of [colleague.userId, '00000000-0000-4000-8000-000000000000']) {
      const r = await book(stranger, { ownerId, start: '2026-03-25T14:00', end: '2026-03-25T15:00' });
      expect(r.status).toBe(403);
      expect(r.body.code).toBe('NOT_ALLOWED_TO_BOOK_FOR');
    }
  });

  it('books a series on behalf: the series and each occurrence belong to the owner and name the delegate', async () => {
    const r = await t.api('POST', '/api/v1/series', {
      as: secretary,
      body: { title: 'Ricevimento', roomId: room, seats: 5, start: '2026-04-01T15:00', end: '2026-04-01T15:30', rrule: 'FREQ=WEEKLY;COUNT=3', ownerId: professor.userId },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.series).toMatchObject({ booker: { id: professor.userId }, bookedBy: { id: secretary.userId }, institutionId: professor.institutionId });
    expect(r.body.booked).toHaveLength(3);
    for (const o of r.body.booked) expect(o).toMatchObject({ ownerId: professor.userId, bookedBy: { id: secretary.userId } });
    expect((await t.api('GET', `/api/v1/series/${r.body.series.id}`, { as: secretary })).status).toBe(200);
    // The delegate lengthens the series: the new dates are the owner's too, booked by the delegate,
    // and the audit names the delegate as who did it.
    const longer = await t.api('PATCH', `/api/v1/series/${r.body.series.id}/occurrences/${r.body.booked[0].id}`, { as: secretary, body: { scope: 'all', rrule: 'FREQ=WEEKLY;COUNT=4' } });
    expect(longer.status, JSON.stringify(longer.body)).toBe(200);
    const occurrences = (await t.api('GET', `/api/v1/bookings?from=2026-04-01T00:00:00Z&to=2026-04-30T00:00:00Z&userId=${professor.userId}`, { as: t.admin })).body.items.filter(
      (b: { title: string; status: string }) => b.title === 'Ricevimento' && b.status === 'confirmed',
    );
    expect(occurrences).toHaveLength(4);
    for (const o of occurrences) expect(o).toMatchObject({ ownerId: professor.userId, bookedBy: { id: secretary.userId } });
    const fourth = occurrences.find((o: { start: string }) => o.start.startsWith('2026-04-22'));
    const created = await t.api('GET', `/api/v1/audit?entity=booking&entityId=${fourth.id}`, { as: t.admin });
    expect(created.body.items.at(-1)).toMatchObject({ action: 'booking.created', actor: { id: secretary.userId } });
  });

  it('ends a delegation from either side; then the delegate may no longer book for the person', async () => {
    expect((await t.api('DELETE', `/api/v1/account/delegations/${professor.userId}`, { as: secretary })).status).toBe(204);
    const r = await book(secretary, { ownerId: professor.userId, start: '2026-03-30T10:00', end: '2026-03-30T11:00' });
    expect(r.status).toBe(403);
    expect((await t.api('DELETE', `/api/v1/account/delegates/${secretary.userId}`, { as: lapsed })).status).toBe(204);
    expect((await t.api('DELETE', `/api/v1/account/delegates/${secretary.userId}`, { as: lapsed })).status).toBe(404);
    const audit = await t.api('GET', `/api/v1/audit?entity=delegation&entityId=${professor.userId}:${secretary.userId}`, { as: t.admin });
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(['delegation.ended', 'delegation.accepted', 'delegation.asked']);
  });
});
