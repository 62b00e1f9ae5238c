// Mail over a real SMTP conversation: the portal's queue sends through nodemailer to an in-process
// smtp-server; messages are parsed with mailparser and their iCalendar parts with ical.js.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import ICAL from 'ical.js';
import { startTestPortal, type Caller, type TestPortal } from '../support/portal.ts';
import { SmtpPeer, type Received } from './smtp-peer.ts';

let t: TestPortal;
let smtp: SmtpPeer;
let alice: Caller;
let bruno: Caller;
let room: string;
let aliceEmail: string;
let brunoEmail: string;

beforeAll(async () => {
  smtp = new SmtpPeer();
  await smtp.start();
  t = await startTestPortal({
    now: '2026-03-20T09:00:00Z',
    env: { SMTP_URL: smtp.url, MAIL_FROM: 'WebMeetings <noreply@meet.example.org>', MAIL_RETRY_DELAY_SECONDS: '1', PUBLIC_URL: 'https://meet.example.org' },
  });
  const uni = await t.institution({ name: 'Università di Bologna' });
  alice = await t.user('member', uni.id, 'Alice');
  bruno = await t.user('member', uni.id, 'Bruno');
  room = t.rooms.find((r) => r.capacity === 50)!.id;
  const db = t.db.database.db;
  // Alice reads English in New York; Bruno has no preference (the default language, the room's zone).
  await sql`UPDATE users SET locale = 'en', time_zone = 'America/New_York' WHERE id = ${alice.userId}`.execute(db);
  aliceEmail = (await t.portal.services.uow.repos.users.findById(alice.userId))!.email;
  brunoEmail = (await t.portal.services.uow.repos.users.findById(bruno.userId))!.email;
});
afterAll(async () => {
  await t.close();
  await smtp.stop();
});

type Parsed = { method: string; events: ICAL.Component[]; vtimezones: ICAL.Component[] };
function calendarOf(m: Received): Parsed {
  const part = m.parsed.attachments.find((a) => a.contentType === 'text/calendar');
  const text = part ? part.content.toString('utf8') : '';
  expect(text, 'the mail has a text/calendar part').toContain('BEGIN:VCALENDAR');
  const comp = new ICAL.Component(ICAL.parse(text) as unknown[]);
  return { method: String(comp.getFirstPropertyValue('method')), events: comp.getAllSubcomponents('vevent'), vtimezones: comp.getAllSubcomponents('vtimezone') };
}
const prop = (e: ICAL.Component, name: string) => e.getFirstPropertyValue(name);
const local = (e: ICAL.Component, name: string) => {
  const p = e.getFirstProperty(name)!;
  return `${(p.getFirstValue() as ICAL.Time).toString()} ${p.getParameter('tzid')}`;
};
const subjectIs = (to: string, prefix: string) => (m: Received) => m.to.includes(to) && (m.parsed.subject ?? '').startsWith(prefix);
const book = (as: Caller, body: Record<string, unknown>) => t.api('POST', '/api/v1/bookings', { as, body: { title: 'Seminar', seats: 10, roomId: room, ...body } });

describe('invitation, update and cancellation of a booking', () => {
  it('sends REQUEST with a stable UID, then REQUEST with a higher SEQUENCE, then CANCEL', async () => {
    const res = await book(alice, { title: 'Budget review', start: '2026-03-30T10:00', end: '2026-03-30T11:00' });
    expect(res.status).toBe(201);
    const id = res.body.id as string;

    const invite = await smtp.waitFor(subjectIs(aliceEmail, 'Invitation: Budget review'));
    expect(invite.raw).toMatch(/Content-Type: text\/calendar; charset=utf-8; method=REQUEST/i);
    const cal = calendarOf(invite);
    expect(cal.method).toBe('REQUEST');
    expect(cal.events).toHaveLength(1);
    const ev = cal.events[0]!;
    expect(prop(ev, 'uid')).toBe(`booking-${id}@meet.example.org`);
    expect(prop(ev, 'sequence')).toBe(0);
    expect(local(ev, 'dtstart')).toBe('2026-03-30T10:00:00 Europe/Rome');
    expect(local(ev, 'dtend')).toBe('2026-03-30T11:00:00 Europe/Rome');
    expect(cal.vtimezones.map((z) => prop(z, 'tzid'))).toEqual(['Europe/Rome']);
    expect(String(prop(ev, 'organizer'))).toBe('mailto:noreply@meet.example.org');
    expect(String(prop(ev, 'attendee')).toLowerCase()).toBe(`mailto:${aliceEmail.toLowerCase()}`);
    // The join page provisioning gives (src/jobs/provisioning-module.ts), as URL and in LOCATION.
    expect(prop(ev, 'url')).toBe(`https://meet.example.org/join/${id}`);
    expect(String(prop(ev, 'location'))).toContain(`https://meet.example.org/join/${id}`);
    expect(invite.parsed.text).toContain(`Join the meeting: https://meet.example.org/join/${id}`);
    // English, with the room's time and the recipient's own (New York is 6 h behind that week).
    expect(invite.parsed.text).toContain('You are invited to a virtual meeting.');
    expect(invite.parsed.text).toContain('When: Monday 30 March 2026, 10:00–11:00 (Europe/Rome)');
    expect(invite.parsed.text).toContain('Your time: Monday 30 March 2026, 04:00–05:00 (America/New_York)');
    expect(invite.parsed.html).toContain('<h1 style="font-size:1.3em">Budget review</h1>');

    expect((await t.api('PATCH', `/api/v1/bookings/${id}`, { as: alice, body: { start: '2026-03-30T14:00', end: '2026-03-30T15:30' } })).status).toBe(200);
    const updateMail = await smtp.waitFor(subjectIs(aliceEmail, 'Updated: Budget review'));
    // It says what moved: the time it was (in the room's zone, as "When"); the room stayed, so no word of it.
    expect(updateMail.parsed.text).toContain('When: Monday 30 March 2026, 14:00–15:30 (Europe/Rome)\nYour time: Monday 30 March 2026, 08:00–09:30 (America/New_York)\nPreviously: Monday 30 March 2026, 10:00–11:00 (Europe/Rome)\nRoom: ');
    expect(updateMail.parsed.text).not.toContain('Previous room');
    const update = calendarOf(updateMail);
    expect(update.method).toBe('REQUEST');
    expect(prop(update.events[0]!, 'uid')).toBe(`booking-${id}@meet.example.org`);
    expect(prop(update.events[0]!, 'sequence')).toBe(1);
    expect(local(update.events[0]!, 'dtstart')).toBe('2026-03-30T14:00:00 Europe/Rome');

    expect((await t.api('DELETE', `/api/v1/bookings/${id}`, { as: alice })).status).toBe(200);
    const cancelMail = await smtp.waitFor(subjectIs(aliceEmail, 'Cancelled: Budget review'));
    expect(cancelMail.raw).toMatch(/method=CANCEL/i);
    const cancel = calendarOf(cancelMail);
    expect(cancel.method).toBe('CANCEL');
    expect(prop(cancel.events[0]!, 'uid')).toBe(`booking-${id}@meet.example.org`);
    expect(prop(cancel.events[0]!, 'sequence')).toBe(2);
    expect(prop(cancel.events[0]!, 'status')).toBe('CANCELLED');
  });

  it('writes in Italian by default and shows the join link, guest link, dial-in and PIN that provisioning provides', async () => {
    t.portal.notify.setMeetingDetails(async (ref) => ({
      joinUrl: `https://conf.example.org/join/${ref.bookingId}`,
      guestUrl: `https://meet.example.org/guest/abc123`,
      dialIn: { numbers: ['+39 06 1234 5678'], pin: '482913' },
    }));
    try {
      const res = await book(bruno, { title: 'Consiglio', start: '2026-03-31T09:00', end: '2026-03-31T10:00' });
      expect(res.status).toBe(201);
      const m = await smtp.waitFor(subjectIs(brunoEmail, 'Invito: Consiglio'));
      expect(m.parsed.text).toContain('Sei invitato a una riunione virtuale.');
      expect(m.parsed.text).toContain('Quando: martedì 31 marzo 2026, 09:00–10:00 (Europe/Rome)');
      expect(m.parsed.text).not.toContain('Nella tua ora');
      expect(m.parsed.text).toContain(`Entra nella riunione: https://conf.example.org/join/${res.body.id}`);
      expect(m.parsed.text).toContain('Link per gli ospiti: https://meet.example.org/guest/abc123');
      expect(m.parsed.text).toContain('Accesso telefonico: +39 06 1234 5678');
      expect(m.parsed.text).toContain('PIN: 482913');
      const ev = calendarOf(m).events[0]!;
      expect(prop(ev, 'url')).toBe(`https://conf.example.org/join/${res.body.id}`);
      expect(String(prop(ev, 'location'))).toContain(`https://conf.example.org/join/${res.body.id}`);
      expect(String(prop(ev, 'description'))).toContain('PIN 482913');
    } finally {
      t.portal.notify.setMeetingDetails(t.portal.provisioning.meetingDetails);
    }
  });

  it('invites someone by e-mail in their language, and sends them a CANCEL when uninvited', async () => {
    const res = await book(bruno, { title: 'Thesis defence', start: '2026-04-01T09:00', end: '2026-04-01T10:00' });
    const added = await t.api('POST', `/api/v1/bookings/${res.body.id}/invitees`, { as: bruno, body: { email: 'examiner@uni.example', locale: 'en', timeZone: 'Europe/London' } });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    const invite = await smtp.waitFor(subjectIs('examiner@uni.example', 'Invitation: Thesis defence'));
    expect(invite.parsed.text).toContain('Your time: Wednesday 1 April 2026, 08:00–09:00 (Europe/London)');
    // An invitee is told the two ways in apart, and gets no link to the booking's page (it opens
    // only for those who manage the booking: for them it would say "does not exist").
    const guestUrl = /https:\/\/meet\.example\.org\/g\/[A-Za-z0-9_-]+/.exec(invite.parsed.text ?? '')?.[0];
    expect(guestUrl, 'the invitation carries the guest link').toBeDefined();
    expect(invite.parsed.text).toContain(`Join with your institution’s account: https://meet.example.org/join/${res.body.id}\nJoin as a guest (no account needed): ${guestUrl}\n`);
    expect(invite.parsed.text).not.toContain('/bookings/');
    expect(invite.parsed.html).not.toContain('/bookings/');
    expect(String(prop(calendarOf(invite).events[0]!, 'description'))).not.toContain('/bookings/');
    expect(prop(calendarOf(invite).events[0]!, 'url')).toBe(`https://meet.example.org/join/${res.body.id}`);
    // A reply reaches Bruno, who booked it; his own copy has no Reply-To (it would be himself).
    const brunoEmail = (await t.portal.services.uow.repos.users.findById(bruno.userId))!.email;
    expect(invite.parsed.replyTo?.value.map((a) => a.address)).toEqual([brunoEmail]);
    const own = await smtp.waitFor(subjectIs(brunoEmail, 'Invito: Thesis defence'));
    expect(own.parsed.replyTo).toBeUndefined();
    // The booker's own copy: the guest link to pass on, and the booking's page.
    expect(own.parsed.text).toContain(`Entra nella riunione: https://meet.example.org/join/${res.body.id}\nLink per gli ospiti: ${guestUrl}\n`);
    expect(own.parsed.text).toContain(`Dettagli nel portale: https://meet.example.org/bookings/${res.body.id}`);
    expect(String(prop(calendarOf(own).events[0]!, 'description'))).toContain(`https://meet.example.org/bookings/${res.body.id}`);
    expect(prop(calendarOf(invite).events[0]!, 'uid')).toBe(`booking-${res.body.id}@meet.example.org`);
    expect((await t.api('POST', `/api/v1/bookings/${res.body.id}/invitees`, { as: bruno, body: { email: 'EXAMINER@uni.example' } })).body.code).toBe('ALREADY_INVITED');
    expect((await t.api('GET', `/api/v1/bookings/${res.body.id}/invitees`, { as: alice })).status).toBe(404);
    // Later changes reach the invitee too.
    await t.api('PATCH', `/api/v1/bookings/${res.body.id}`, { as: bruno, body: { title: 'Thesis defence (room change)' } });
    const renamed = await smtp.waitFor(subjectIs('examiner@uni.example', 'Updated: Thesis defence (room change)'));
    expect(renamed.parsed.text).not.toMatch(/Previously|Previous room/);
    // A move to another room names the room it left.
    const other = t.rooms.find((r) => r.id !== room && r.capacity >= 10)!;
    expect((await t.api('PATCH', `/api/v1/bookings/${res.body.id}`, { as: bruno, body: { roomId: other.id } })).status).toBe(200);
    const roomMoved = await smtp.waitFor((m) => subjectIs('examiner@uni.example', 'Updated: Thesis defence (room change)')(m) && (m.parsed.text ?? '').includes('Previous room'));
    expect(roomMoved.parsed.text).toContain(`Room: ${other.name}\nPrevious room: ${t.rooms.find((r) => r.id === room)!.name}\n`);
    expect(roomMoved.parsed.text).not.toContain('Previously');
    expect((await t.api('DELETE', `/api/v1/bookings/${res.body.id}/invitees/${added.body.id}`, { as: bruno })).status).toBe(204);
    const gone = await smtp.waitFor(subjectIs('examiner@uni.example', 'Cancelled: Thesis defence'));
    expect(calendarOf(gone).method).toBe('CANCEL');
    expect(gone.parsed.text).not.toContain('/bookings/');
  });

  it('gives invitees the guest PIN with the guest link when guests need one, in the text, the HTML and the calendar entry', async () => {
    const res = await book(bruno, { title: 'Seminario con PIN', start: '2026-07-07T09:00', end: '2026-07-07T10:00' });
    expect(res.status).toBe(201);
    expect((await t.api('PUT', `/api/v1/bookings/${res.body.id}/guest-policy`, { as: bruno, body: { policy: 'pin', pin: '550217' } })).status).toBe(200);
    expect((await t.api('POST', `/api/v1/bookings/${res.body.id}/invitees`, { as: bruno, body: { email: 'pin-guest@uni.example', locale: 'en' } })).status).toBe(201);
    const invite = await smtp.waitFor(subjectIs('pin-guest@uni.example', 'Invitation: Seminario con PIN'));
    const guestUrl = /https:\/\/meet\.example\.org\/g\/[A-Za-z0-9_-]+/.exec(invite.parsed.text ?? '')?.[0];
    expect(invite.parsed.text).toContain(`Join as a guest (no account needed): ${guestUrl}\nGuest PIN: 550217\n`);
    expect(invite.parsed.html).toContain('<th style="text-align:left;padding-right:1em">Guest PIN</th><td>550217</td>');
    expect(String(prop(calendarOf(invite).events[0]!, 'description'))).toContain(`Guests / Ospiti: ${guestUrl} PIN 550217`);
    // Back to the link alone: the next mail has no PIN to give.
    await t.api('PUT', `/api/v1/bookings/${res.body.id}/guest-policy`, { as: bruno, body: { policy: 'open' } });
    await t.api('PATCH', `/api/v1/bookings/${res.body.id}`, { as: bruno, body: { title: 'Seminario aperto' } });
    const update = await smtp.waitFor(subjectIs('pin-guest@uni.example', 'Updated: Seminario aperto'));
    expect(update.parsed.text).toContain(`Join as a guest (no account needed): ${guestUrl}\n`);
    expect(update.parsed.text).not.toContain('550217');
    expect(String(prop(calendarOf(update).events[0]!, 'description'))).not.toContain('PIN');
  });

  it('tells someone made a co-host that they enter as host; making them an attendee again mails nothing', async () => {
    const res = await book(bruno, { title: 'Laboratorio condiviso', start: '2026-07-09T09:00', end: '2026-07-09T10:00' });
    const added = await t.api('POST', `/api/v1/bookings/${res.body.id}/invitees`, { as: bruno, body: { email: 'tutor@uni.example', locale: 'en' } });
    await smtp.waitFor(subjectIs('tutor@uni.example', 'Invitation: Laboratorio condiviso'));
    expect((await t.api('PATCH', `/api/v1/bookings/${res.body.id}/invitees/${added.body.id}`, { as: bruno, body: { cohost: true } })).status).toBe(200);
    const told = await smtp.waitFor(subjectIs('tutor@uni.example', 'Co-host: Laboratorio condiviso'));
    expect(told.parsed.text).toContain('Bruno made you a co-host: signed in with this address, you enter the meeting as host');
    expect(told.parsed.text).toContain(`Join with your institution’s account: https://meet.example.org/join/${res.body.id}`);
    expect(calendarOf(told).method).toBe('REQUEST');
    expect((await t.api('PATCH', `/api/v1/bookings/${res.body.id}/invitees/${added.body.id}`, { as: bruno, body: { cohost: false } })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1500));
    expect(smtp.inbox.filter((m) => m.to.includes('tutor@uni.example'))).toHaveLength(2);
  });

  it('sends the invitation again, with the new guest link, to everyone invited to a booking or a series', async () => {
    const res = await book(bruno, { title: 'Link trapelato', start: '2026-07-08T09:00', end: '2026-07-08T10:00' });
    const id = res.body.id as string;
    for (const email of ['uno@uni.example', 'due@uni.example']) expect((await t.api('POST', `/api/v1/bookings/${id}/invitees`, { as: bruno, body: { email, locale: 'it' } })).status).toBe(201);
    const first = await smtp.waitFor(subjectIs('uno@uni.example', 'Invito: Link trapelato'));
    const oldLink = /https:\/\/meet\.example\.org\/g\/[A-Za-z0-9_-]+/.exec(first.parsed.text ?? '')![0];
    // The link went where it should not: a new one, with a PIN, and the invitation again.
    const renewed = await t.api('POST', `/api/v1/bookings/${id}/guest-link`, { as: bruno });
    const newLink = renewed.body.guestUrl as string;
    await t.api('PUT', `/api/v1/bookings/${id}/guest-policy`, { as: bruno, body: { policy: 'pin', pin: '3141' } });
    expect((await t.api('POST', `/api/v1/bookings/${id}/invitees/resend`, { as: alice, body: {} })).status).toBe(404);
    const resent = await t.api('POST', `/api/v1/bookings/${id}/invitees/resend`, { as: bruno, body: { message: 'Il link di prima è finito in una chat pubblica.' } });
    expect(resent.status, JSON.stringify(resent.body)).toBe(200);
    expect(resent.body).toEqual({ sent: 2 });
    const history = (await t.api('GET', `/api/v1/bookings/${id}/history`, { as: bruno })).body.items as Array<{ action: string; message: string | null }>;
    expect(history[0]).toMatchObject({ action: 'booking.invitation-resent', message: 'Il link di prima è finito in una chat pubblica.' });
    for (const to of ['uno@uni.example', 'due@uni.example']) {
      const again = await smtp.waitFor(subjectIs(to, 'Invito inviato di nuovo: Link trapelato'));
      expect(again.parsed.text).toContain('Ti inviamo di nuovo l’invito con i link attuali della riunione');
      expect(again.parsed.text).toContain('> Il link di prima è finito in una chat pubblica.');
      expect(again.parsed.text).toContain(`Entra come ospite (senza account): ${newLink}\nPIN per gli ospiti: 3141\n`);
      expect(again.parsed.text).not.toContain(oldLink);
      // The same calendar entry, replaced: its UID and SEQUENCE, a REQUEST.
      const cal = calendarOf(again);
      expect(cal.method).toBe('REQUEST');
      expect(prop(cal.events[0]!, 'uid')).toBe(`booking-${id}@meet.example.org`);
      expect(String(prop(cal.events[0]!, 'sequence'))).toBe(String(prop(calendarOf(first).events[0]!, 'sequence')));
    }
    // Nobody else is mailed (the booker changed it and knows).
    const brunoEmail = (await t.portal.services.uow.repos.users.findById(bruno.userId))!.email;
    expect(smtp.inbox.filter((m) => m.to.includes(brunoEmail) && m.parsed.subject?.includes('Link trapelato'))).toHaveLength(1);

    // A series: its invitees get the series' invitation again (RRULE and all).
    const s = await t.api('POST', '/api/v1/series', { as: bruno, body: { title: 'Corso ripetuto', seats: 10, roomId: room, start: '2026-07-13T09:00', end: '2026-07-13T10:00', rrule: 'FREQ=WEEKLY;COUNT=3' } });
    expect(s.status, JSON.stringify(s.body)).toBe(201);
    const seriesId = s.body.series.id as string;
    await t.api('POST', `/api/v1/series/${seriesId}/invitees`, { as: bruno, body: { email: 'tre@uni.example', locale: 'en' } });
    await smtp.waitFor(subjectIs('tre@uni.example', 'Invitation: Corso ripetuto'));
    expect((await t.api('POST', `/api/v1/series/${seriesId}/invitees/resend`, { as: bruno, body: {} })).body).toEqual({ sent: 1 });
    const seriesAgain = await smtp.waitFor(subjectIs('tre@uni.example', 'Invitation sent again: Corso ripetuto'));
    expect(seriesAgain.parsed.text).toContain('Here is the invitation again with the meeting’s current links');
    expect(String(prop(calendarOf(seriesAgain).events[0]!, 'rrule'))).toContain('WEEKLY');

    // A cancelled booking has nothing to invite to.
    await t.api('DELETE', `/api/v1/bookings/${id}`, { as: bruno });
    expect((await t.api('POST', `/api/v1/bookings/${id}/invitees/resend`, { as: bruno, body: {} })).body.code).toBe('BOOKING_CANCELLED');
  });
});

describe('series', () => {
  it('sends one invitation for the series with RRULE and EXDATE; one CANCEL with RECURRENCE-ID; exceptions in updates', async () => {
    // A blocker makes the second week taken: book-the-free-ones skips it, and the series shows it as EXDATE.
    expect((await book(alice, { title: 'Blocker', start: '2026-04-13T16:00', end: '2026-04-13T17:00' })).status).toBe(201);
    const res = await t.api('POST', '/api/v1/series', {
      as: bruno,
      body: { title: 'Weekly lab', seats: 10, roomId: room, start: '2026-04-06T16:00', end: '2026-04-06T17:00', rrule: 'FREQ=WEEKLY;COUNT=4', mode: 'book-free' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const seriesId = res.body.series.id as string;
    const uid = `series-${seriesId}@meet.example.org`;
    const invite = await smtp.waitFor(subjectIs(brunoEmail, 'Invito: Weekly lab'));
    await new Promise((r) => setTimeout(r, 1500));
    expect(smtp.inbox.filter(subjectIs(brunoEmail, 'Invito: Weekly lab'))).toHaveLength(1); // one mail, not one per occurrence
    const cal = calendarOf(invite);
    expect(cal.events).toHaveLength(1);
    const master = cal.events[0]!;
    expect(prop(master, 'uid')).toBe(uid);
    expect(String(prop(master, 'rrule'))).toBe('FREQ=WEEKLY;COUNT=4');
    expect(local(master, 'dtstart')).toBe('2026-04-06T16:00:00 Europe/Rome');
    expect(master.getAllProperties('exdate').map((p) => `${(p.getFirstValue() as ICAL.Time).toString()} ${p.getParameter('tzid')}`)).toEqual(['2026-04-13T16:00:00 Europe/Rome']);
    const seq0 = Number(prop(master, 'sequence'));
    // Its page is that of its next date (the web app has no page of a series).
    const firstId = (res.body.booked as { id: string }[])[0]!.id;
    expect(invite.parsed.text).toContain(`https://meet.example.org/bookings/${firstId}`);
    expect(invite.parsed.text).not.toContain('/series/');

    // Cancel the third occurrence only.
    const third = res.body.booked.find((b: { startLocal: string }) => b.startLocal.startsWith('2026-04-20'));
    expect((await t.api('DELETE', `/api/v1/series/${seriesId}/occurrences/${third.id}?scope=one`, { as: bruno })).status).toBe(200);
    const cancel = calendarOf(await smtp.waitFor(subjectIs(brunoEmail, 'Annullato: Weekly lab')));
    expect(cancel.method).toBe('CANCEL');
    expect(prop(cancel.events[0]!, 'uid')).toBe(uid);
    expect(local(cancel.events[0]!, 'recurrence-id')).toBe('2026-04-20T16:00:00 Europe/Rome');
    expect(prop(cancel.events[0]!, 'sequence')).toBe(seq0 + 1);

    // Move the fourth: the update carries the master (with both EXDATEs) and the exception.
    const fourth = res.body.booked.find((b: { startLocal: string }) => b.startLocal.startsWith('2026-04-27'));
    const moved = await t.api('PATCH', `/api/v1/series/${seriesId}/occurrences/${fourth.id}`, { as: bruno, body: { scope: 'one', start: '2026-04-28T09:00', end: '2026-04-28T10:00' } });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    const updateMail = await smtp.waitFor(subjectIs(brunoEmail, 'Aggiornamento: Weekly lab'));
    // The words say which date moved and from where (the calendar part carries the whole series).
    expect(updateMail.parsed.text).toContain(
      'La riunione è stata modificata. Cambia solo questa data della serie.\n\nQuando: martedì 28 aprile 2026, 09:00–10:00 (Europe/Rome)\nPrima era: lunedì 27 aprile 2026, 16:00–17:00 (Europe/Rome)\n',
    );
    const update = calendarOf(updateMail);
    expect(update.method).toBe('REQUEST');
    expect(update.events.map((e) => prop(e, 'uid'))).toEqual([uid, uid]);
    const [m2, exception] = update.events as [ICAL.Component, ICAL.Component];
    expect(prop(m2, 'sequence')).toBe(seq0 + 2);
    expect(m2.getAllProperties('exdate').flatMap((p) => p.getValues().map((v) => (v as ICAL.Time).toString()))).toEqual(['2026-04-13T16:00:00', '2026-04-20T16:00:00']);
    expect(local(exception, 'recurrence-id')).toBe('2026-04-27T16:00:00 Europe/Rome');
    expect(local(exception, 'dtstart')).toBe('2026-04-28T09:00:00 Europe/Rome');
  });
});

describe('splitting a series', () => {
  it('updates the first part with an UNTIL and invites to the second part under a new UID', async () => {
    const res = await t.api('POST', '/api/v1/series', {
      as: bruno,
      body: { title: 'Split lab', seats: 10, roomId: room, start: '2026-05-04T08:00', end: '2026-05-04T09:00', rrule: 'FREQ=WEEKLY;COUNT=5' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const headId = res.body.series.id as string;
    await smtp.waitFor(subjectIs(brunoEmail, 'Invito: Split lab'));
    expect((await t.api('POST', `/api/v1/series/${headId}/invitees`, { as: bruno, body: { email: 'lab.partner@uni.example', locale: 'en' } })).status).toBe(201);
    await smtp.waitFor(subjectIs('lab.partner@uni.example', 'Invitation: Split lab'));
    const third = res.body.booked[2];
    const split = await t.api('PATCH', `/api/v1/series/${headId}/occurrences/${third.id}`, { as: bruno, body: { scope: 'following', startTime: '09:30' } });
    expect(split.status, JSON.stringify(split.body)).toBe(200);
    const tailId = split.body.series.id as string;
    const head = calendarOf(await smtp.waitFor(subjectIs(brunoEmail, 'Aggiornamento: Split lab')));
    expect(prop(head.events[0]!, 'uid')).toBe(`series-${headId}@meet.example.org`);
    expect(String(prop(head.events[0]!, 'rrule'))).toBe('FREQ=WEEKLY;UNTIL=20260518T055959Z');
    const tail = calendarOf(await smtp.waitFor((m) => m.to.includes(brunoEmail) && m.parsed.subject === 'Invito: Split lab' && m.raw.includes(`series-${tailId}`)));
    expect(prop(tail.events[0]!, 'uid')).toBe(`series-${tailId}@meet.example.org`);
    expect(String(prop(tail.events[0]!, 'rrule'))).toBe('FREQ=WEEKLY;COUNT=3');
    expect(local(tail.events[0]!, 'dtstart')).toBe('2026-05-18T09:30:00 Europe/Rome');
    // The series' invitee is invited to the second part too (they only heard the first one end).
    expect((await t.api('GET', `/api/v1/series/${tailId}/invitees`, { as: bruno })).body.items.map((i: { email: string }) => i.email)).toEqual(['lab.partner@uni.example']);
    const partnerMail = await smtp.waitFor((m) => m.to.includes('lab.partner@uni.example') && m.parsed.subject === 'Invitation: Split lab' && m.raw.includes(`series-${tailId}`));
    const partner = calendarOf(partnerMail);
    expect(String(prop(partner.events[0]!, 'rrule'))).toBe('FREQ=WEEKLY;COUNT=3');
    // A series' invitee, like a booking's, is sent no link to a page only the booker may open.
    expect(partnerMail.parsed.text).toContain('Join with your institution’s account: https://meet.example.org/join/');
    expect(partnerMail.parsed.text).not.toContain('/bookings/');
    expect(String(prop(partner.events[0]!, 'description'))).not.toContain('/bookings/');
  });

  it('tells the people invited to one date of a series when that date moves or is cancelled', async () => {
    const res = await t.api('POST', '/api/v1/series', {
      as: bruno,
      body: { title: 'Seminar series', seats: 10, roomId: room, start: '2026-06-01T08:00', end: '2026-06-01T09:00', rrule: 'FREQ=WEEKLY;COUNT=3' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const [first, second] = res.body.booked as { id: string }[];
    for (const [b, email] of [[first!, 'speaker.one@uni.example'], [second!, 'speaker.two@uni.example']] as const) {
      expect((await t.api('POST', `/api/v1/bookings/${b.id}/invitees`, { as: bruno, body: { email, locale: 'en' } })).status).toBe(201);
      await smtp.waitFor(subjectIs(email, 'Invitation: Seminar series'));
    }
    expect((await t.api('PATCH', `/api/v1/bookings/${first!.id}`, { as: bruno, body: { start: '2026-06-02T14:00', end: '2026-06-02T15:00' } })).status).toBe(200);
    const movedMail = await smtp.waitFor(subjectIs('speaker.one@uni.example', 'Updated: Seminar series'));
    expect(movedMail.parsed.text).toContain('When: Tuesday 2 June 2026, 14:00–15:00 (Europe/Rome)\nPreviously: Monday 1 June 2026, 08:00–09:00 (Europe/Rome)\n');
    const moved = calendarOf(movedMail);
    expect(prop(moved.events[0]!, 'uid')).toBe(`booking-${first!.id}@meet.example.org`);
    expect(local(moved.events[0]!, 'dtstart')).toBe('2026-06-02T14:00:00 Europe/Rome');
    // Cancelling the whole series cancels their date too.
    expect((await t.api('DELETE', `/api/v1/series/${res.body.series.id}`, { as: bruno })).status).toBe(200);
    const gone = await smtp.waitFor(subjectIs('speaker.two@uni.example', 'Cancelled: Seminar series'));
    expect(calendarOf(gone).method).toBe('CANCEL');
    expect(prop(calendarOf(gone).events[0]!, 'uid')).toBe(`booking-${second!.id}@meet.example.org`);
  });
});

describe('a message with a cancellation or a change', () => {
  it('quotes what the person cancelling wrote, under their name, to the booker and the invitees, in each one’s language', async () => {
    const admin = await t.user('admin', null, 'Ada Admin');
    const res = await book(bruno, { title: 'Open day', start: '2026-04-14T10:00', end: '2026-04-14T11:00' });
    expect(res.status).toBe(201);
    const id = res.body.id as string;
    expect((await t.api('POST', `/api/v1/bookings/${id}/invitees`, { as: bruno, body: { email: 'visitor@school.example', locale: 'en' } })).status).toBe(201);
    await smtp.waitFor(subjectIs('visitor@school.example', 'Invitation: Open day'));

    // Bad input is refused and loses nothing: the booking stays, nobody is told.
    const long = await t.api('POST', `/api/v1/bookings/${id}/cancel`, { as: admin, body: { message: 'x'.repeat(1001) } });
    expect(long.status).toBe(400);
    expect(long.body.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(long.body.errors)).toContain('body.message');
    expect((await t.api('POST', `/api/v1/bookings/${id}/cancel`, { as: admin, body: { message: 'bell\u0007' } })).status).toBe(400);
    expect((await t.api('POST', `/api/v1/bookings/${id}/cancel`, { as: admin, body: { message: 'ok', notify: false } })).status).toBe(400);
    expect((await t.api('GET', `/api/v1/bookings/${id}`, { as: bruno })).body.status).toBe('confirmed');

    const words = 'The hall is needed for the graduation.\n\nPlease book <b>Aula 3</b> instead.';
    const done = await t.api('POST', `/api/v1/bookings/${id}/cancel`, { as: admin, body: { message: `  ${words}\n` } });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.status).toBe('cancelled');

    const toBruno = await smtp.waitFor(subjectIs(brunoEmail, 'Annullato: Open day'));
    expect(toBruno.parsed.text).toContain('La riunione è stata annullata.\n\nMessaggio di Ada Admin:\n> The hall is needed for the graduation.\n>\n> Please book <b>Aula 3</b> instead.\n\nQuando:');
    expect(toBruno.parsed.html).toContain('Please book &lt;b&gt;Aula 3&lt;/b&gt; instead.</blockquote>');
    expect(toBruno.parsed.html).not.toContain('<b>Aula 3</b>');
    const ev = calendarOf(toBruno).events[0]!;
    expect(prop(ev, 'status')).toBe('CANCELLED');
    expect(String(prop(ev, 'description'))).toMatch(/^The hall is needed for the graduation\.\n\nPlease book <b>Aula 3<\/b> instead\.\n— Ada Admin\n\n/);
    const toVisitor = await smtp.waitFor(subjectIs('visitor@school.example', 'Cancelled: Open day'));
    expect(toVisitor.parsed.text).toContain('The meeting has been cancelled.\n\nMessage from Ada Admin:\n> The hall is needed');

    // The booking's history keeps the words with the cancellation (trimmed, as mailed); none elsewhere.
    const history = (await t.api('GET', `/api/v1/bookings/${id}/history`, { as: bruno })).body.items as { action: string; actor: { name: string }; message: string | null }[];
    expect(history.map((h) => [h.action, h.actor.name, h.message])).toEqual([
      ['booking.cancelled', 'Ada Admin', words],
      ['booking.created', 'Bruno', null],
    ]);

    // Cancelling again (a retry) changes nothing and mails nothing more.
    expect((await t.api('POST', `/api/v1/bookings/${id}/cancel`, { as: admin, body: { message: words } })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1500));
    expect(smtp.inbox.filter(subjectIs('visitor@school.example', 'Cancelled: Open day'))).toHaveLength(1);
  });

  it('goes with one date of a series, and with the whole series to its invitees and to those invited to one date', async () => {
    const res = await t.api('POST', '/api/v1/series', {
      as: bruno,
      body: { title: 'Reading group', seats: 10, roomId: room, start: '2026-06-03T15:00', end: '2026-06-03T16:00', rrule: 'FREQ=WEEKLY;COUNT=4' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const seriesId = res.body.series.id as string;
    const [first, second, third] = res.body.booked as { id: string }[];
    expect((await t.api('POST', `/api/v1/series/${seriesId}/invitees`, { as: bruno, body: { email: 'reader@uni.example', locale: 'en' } })).status).toBe(201);
    await smtp.waitFor(subjectIs('reader@uni.example', 'Invitation: Reading group'));
    expect((await t.api('POST', `/api/v1/bookings/${third!.id}/invitees`, { as: bruno, body: { email: 'guest.author@uni.example', locale: 'en' } })).status).toBe(201);
    await smtp.waitFor(subjectIs('guest.author@uni.example', 'Invitation: Reading group'));

    const one = await t.api('POST', `/api/v1/series/${seriesId}/occurrences/${second!.id}/cancel`, { as: bruno, body: { scope: 'one', message: 'I am away that week.' } });
    expect(one.status, JSON.stringify(one.body)).toBe(200);
    const dateGone = await smtp.waitFor((m) => subjectIs('reader@uni.example', 'Cancelled: Reading group')(m) && m.parsed.text!.includes('I am away'));
    expect(dateGone.parsed.text).toContain('Only this date of the series is cancelled.\n\nMessage from Bruno');
    expect(local(calendarOf(dateGone).events[0]!, 'recurrence-id')).toBe('2026-06-10T15:00:00 Europe/Rome');
    // The first date stays, with no message (each cancellation carries its own words only).
    expect((await t.api('GET', `/api/v1/bookings/${first!.id}`, { as: bruno })).body.status).toBe('confirmed');

    const all = await t.api('POST', `/api/v1/series/${seriesId}/cancel`, { as: bruno, body: { message: 'The group ends early this term.' } });
    expect(all.status, JSON.stringify(all.body)).toBe(200);
    expect(all.body.status).toBe('cancelled');
    const seriesGone = await smtp.waitFor((m) => subjectIs('reader@uni.example', 'Cancelled: Reading group')(m) && m.parsed.text!.includes('ends early'));
    expect(seriesGone.parsed.text).not.toContain('I am away');
    expect(String(prop(calendarOf(seriesGone).events[0]!, 'rrule'))).toBe('FREQ=WEEKLY;COUNT=4');
    const authorGone = await smtp.waitFor(subjectIs('guest.author@uni.example', 'Cancelled: Reading group'));
    expect(authorGone.parsed.text).toContain('> The group ends early this term.');
    expect(prop(calendarOf(authorGone).events[0]!, 'uid')).toBe(`booking-${third!.id}@meet.example.org`);
  });

  it('goes with a change too: a moved booking, and a series moved as a whole; alone it is refused', async () => {
    const res = await book(bruno, { title: 'Tutorato', start: '2026-04-16T10:00', end: '2026-04-16T11:00' });
    expect(res.status).toBe(201);
    const id = res.body.id as string;
    expect((await t.api('POST', `/api/v1/bookings/${id}/invitees`, { as: bruno, body: { email: 'tutee@uni.example', locale: 'en' } })).status).toBe(201);
    await smtp.waitFor(subjectIs('tutee@uni.example', 'Invitation: Tutorato'));

    // A message with nothing to change would be mailed as "the meeting has changed": refused.
    const alone = await t.api('PATCH', `/api/v1/bookings/${id}`, { as: bruno, body: { message: 'Just saying hello.' } });
    expect([alone.status, alone.body.code, alone.body.errors]).toEqual([400, 'VALIDATION_FAILED', [{ path: 'body.message', message: 'A message goes with a change.' }]]);

    const moved = await t.api('PATCH', `/api/v1/bookings/${id}`, { as: bruno, body: { start: '2026-04-17T10:00', end: '2026-04-17T11:00', message: 'Thursday I am at a conference.' } });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    const update = await smtp.waitFor(subjectIs('tutee@uni.example', 'Updated: Tutorato'));
    expect(update.parsed.text).toContain('The meeting has changed.\n\nMessage from Bruno:\n> Thursday I am at a conference.\n\nWhen: Friday 17 April 2026, 10:00–11:00 (Europe/Rome)\nPreviously: Thursday 16 April 2026, 10:00–11:00 (Europe/Rome)\n');
    const history = (await t.api('GET', `/api/v1/bookings/${id}/history`, { as: bruno })).body.items as { action: string; message: string | null }[];
    expect(history.map((h) => [h.action, h.message])).toEqual([
      ['booking.updated', 'Thursday I am at a conference.'],
      ['booking.created', null],
    ]);

    const series = await t.api('POST', '/api/v1/series', {
      as: bruno,
      body: { title: 'Coro', seats: 10, roomId: room, start: '2026-06-04T17:00', end: '2026-06-04T18:00', rrule: 'FREQ=WEEKLY;COUNT=3' },
    });
    expect(series.status, JSON.stringify(series.body)).toBe(201);
    const seriesId = series.body.series.id as string;
    const first = (series.body.booked as { id: string }[])[0]!;
    expect((await t.api('POST', `/api/v1/series/${seriesId}/invitees`, { as: bruno, body: { email: 'singer@uni.example', locale: 'en' } })).status).toBe(201);
    await smtp.waitFor(subjectIs('singer@uni.example', 'Invitation: Coro'));
    const lone = await t.api('PATCH', `/api/v1/series/${seriesId}/occurrences/${first.id}`, { as: bruno, body: { scope: 'all', message: 'Hello.' } });
    expect([lone.status, lone.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    const later = await t.api('PATCH', `/api/v1/series/${seriesId}/occurrences/${first.id}`, { as: bruno, body: { scope: 'all', startTime: '18:00', message: 'The hall is free only from six.' } });
    expect(later.status, JSON.stringify(later.body)).toBe(200);
    const seriesUpdate = await smtp.waitFor(subjectIs('singer@uni.example', 'Updated: Coro'));
    expect(seriesUpdate.parsed.text).toContain('Message from Bruno:\n> The hall is free only from six.');
    // Moved as a whole: its next date says where it was, as one booking's update does.
    expect(seriesUpdate.parsed.text).toContain('When: Thursday 4 June 2026, 18:00–19:00 (Europe/Rome)\nPreviously: Thursday 4 June 2026, 17:00–18:00 (Europe/Rome)\n');
    // To another room, at the same time: only the room is said as it was.
    const other = t.rooms.find((r) => r.id !== room && r.capacity >= 10)!;
    expect((await t.api('PATCH', `/api/v1/series/${seriesId}/occurrences/${first.id}`, { as: bruno, body: { scope: 'all', roomId: other.id } })).status).toBe(200);
    const roomUpdate = await smtp.waitFor((m) => m.to.includes('singer@uni.example') && m.parsed.subject === 'Updated: Coro' && (m.parsed.text ?? '').includes('Previous room'));
    const roomName = t.rooms.find((r) => r.id === room)!.name;
    expect(roomUpdate.parsed.text).toContain(`When: Thursday 4 June 2026, 18:00–19:00 (Europe/Rome)\nRoom: ${other.name}\nPrevious room: ${roomName}\n`);
    expect(String(prop(calendarOf(seriesUpdate).events[0]!, 'description'))).toMatch(/^The hall is free only from six\.\n— Bruno\n\n/);
  });

  it('goes with an invitation: the inviter’s words to each one invited together, and to nobody invited later', async () => {
    const res = await book(bruno, { title: 'Commissione', start: '2026-04-20T10:00', end: '2026-04-20T11:00' });
    expect(res.status).toBe(201);
    const batch = await t.api('POST', `/api/v1/bookings/${res.body.id}/invitees/batch`, {
      as: bruno,
      body: { emails: ['prima@uni.example', 'seconda@uni.example'], message: 'Siete nella commissione di laurea di Anna.\nGrazie!' },
    });
    expect(batch.status, JSON.stringify(batch.body)).toBe(200);
    for (const to of ['prima@uni.example', 'seconda@uni.example']) {
      const m = await smtp.waitFor(subjectIs(to, 'Invito: Commissione'));
      expect(m.parsed.text).toContain('Sei invitato a una riunione virtuale.\n\nMessaggio di Bruno:\n> Siete nella commissione di laurea di Anna.\n> Grazie!\n\nQuando:');
    }
    expect((await t.api('POST', `/api/v1/bookings/${res.body.id}/invitees`, { as: bruno, body: { email: 'terza@uni.example', message: 'x'.repeat(1001) } })).status).toBe(400);
    expect((await t.api('POST', `/api/v1/bookings/${res.body.id}/invitees`, { as: bruno, body: { email: 'terza@uni.example' } })).status).toBe(201);
    const later = await smtp.waitFor(subjectIs('terza@uni.example', 'Invito: Commissione'));
    expect(later.parsed.text).not.toContain('Messaggio');
  });

  it('a cancellation without words, or with only blanks, says nothing more', async () => {
    const res = await book(alice, { title: 'Quiet end', start: '2026-04-15T10:00', end: '2026-04-15T11:00' });
    expect((await t.api('POST', `/api/v1/bookings/${res.body.id}/cancel`, { as: alice, body: { message: ' \n ' } })).status).toBe(200);
    const m = await smtp.waitFor(subjectIs(aliceEmail, 'Cancelled: Quiet end'));
    expect(m.parsed.text).not.toContain('Message');
    expect(m.parsed.html).not.toContain('<blockquote');
    expect(String(prop(calendarOf(m).events[0]!, 'description'))).not.toContain('—');
  });
});

describe('when the SMTP server fails', () => {
  it('a refusing server (451) does not block the booking; the mail goes out once it accepts again', async () => {
    smtp.mode = 'reject';
    const res = await book(alice, { title: 'During refusal', start: '2026-04-02T10:00', end: '2026-04-02T11:00' });
    expect(res.status).toBe(201);
    for (let i = 0; i < 100 && smtp.rejected === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(smtp.rejected).toBeGreaterThan(0);
    expect(smtp.inbox.some(subjectIs(aliceEmail, 'Invitation: During refusal'))).toBe(false);
    smtp.mode = 'accept';
    await smtp.waitFor(subjectIs(aliceEmail, 'Invitation: During refusal'), 30_000);
  });

  it('a server that is down does not block the booking; the mail goes out after it comes back', async () => {
    const port = smtp.port;
    await smtp.stop();
    const res = await book(alice, { title: 'During outage', start: '2026-04-03T10:00', end: '2026-04-03T11:00' });
    expect(res.status).toBe(201);
    // Wait until a delivery attempt has met the closed port (the deliver job is then retrying).
    const attempted = async () =>
      Number((await sql<{ n: string }>`SELECT count(*) AS n FROM pgboss.job WHERE name = 'mail-deliver' AND retry_count > 0 AND state IN ('retry', 'created', 'active')`.execute(t.db.database.db)).rows[0]!.n);
    for (let i = 0; i < 100 && (await attempted()) === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await attempted()).toBeGreaterThan(0);
    expect(smtp.inbox.some(subjectIs(aliceEmail, 'Invitation: During outage'))).toBe(false);
    await smtp.start(port);
    await smtp.waitFor(subjectIs(aliceEmail, 'Invitation: During outage'), 40_000);
  });
});

describe('reminders', () => {
  it('sends the 24-hour and 15-minute reminders once each, in the recipient’s language', async () => {
    const res = await book(bruno, { title: 'Reminded', start: '2026-04-10T10:00', end: '2026-04-10T11:00' });
    expect(res.status).toBe(201);
    const start = new Date(res.body.start).getTime();
    t.clock.set(new Date(start - 24 * 3_600_000 + 60_000).toISOString());
    expect(await t.portal.notify.sweepReminders()).toBe(1);
    expect(await t.portal.notify.sweepReminders()).toBe(0);
    const day = await smtp.waitFor(subjectIs(brunoEmail, 'Promemoria: Reminded'));
    expect(day.parsed.subject).toBe('Promemoria: Reminded tra 1 giorno');
    t.clock.set(new Date(start - 10 * 60_000).toISOString());
    expect(await t.portal.notify.sweepReminders()).toBe(1);
    const soon = await smtp.waitFor(subjectIs(brunoEmail, 'Promemoria: Reminded tra 15 minuti'));
    expect(soon.parsed.text).toContain('La riunione sta per iniziare.');
    t.clock.set('2026-03-20T09:00:00Z');
  });

  it('leaves out people who turned reminders off, tells the others with an account where to, and shows a person’s own time zone', async () => {
    // Bruno reads his times in London as well; Alice, invited with her account's address, wants no reminders.
    const refused = await t.api('PATCH', '/api/v1/me', { as: bruno, body: { timeZone: 'Europe/Londra', reminders: false } });
    expect([refused.status, refused.body.errors?.[0]?.path]).toEqual([400, 'body.timeZone']);
    expect((await t.api('GET', '/api/v1/me', { as: bruno })).body).toMatchObject({ reminders: true, timeZone: null });
    expect((await t.api('PATCH', '/api/v1/me', { as: bruno, body: { timeZone: 'Europe/London' } })).body).toMatchObject({ reminders: true, timeZone: 'Europe/London' });
    expect((await t.api('PATCH', '/api/v1/me', { as: alice, body: { reminders: false } })).body).toMatchObject({ reminders: false, timeZone: 'America/New_York' });
    try {
      const res = await book(bruno, { title: 'Chosen reminders', start: '2026-04-13T10:00', end: '2026-04-13T11:00' });
      for (const email of [aliceEmail, 'outside@uni.example']) expect((await t.api('POST', `/api/v1/bookings/${res.body.id}/invitees`, { as: bruno, body: { email, locale: 'en' } })).status).toBe(201);
      t.clock.set(new Date(new Date(res.body.start).getTime() - 10 * 60_000).toISOString());
      expect(await t.portal.notify.sweepReminders()).toBe(1);
      const his = await smtp.waitFor(subjectIs(brunoEmail, 'Promemoria: Chosen reminders'));
      expect(his.parsed.text).toContain('Nella tua ora: lunedì 13 aprile 2026, 09:00–10:00 (Europe/London)');
      expect(his.parsed.text).toContain('Puoi disattivare questi promemoria in Il mio account: https://meet.example.org/account');
      const theirs = await smtp.waitFor(subjectIs('outside@uni.example', 'Reminder: Chosen reminders'));
      // Someone without an account has no page to turn them off.
      expect(theirs.parsed.text).not.toContain('/account');
      await new Promise((r) => setTimeout(r, 1000));
      expect(smtp.inbox.filter((m) => m.to.includes(aliceEmail) && (m.parsed.subject ?? '').startsWith('Reminder: Chosen reminders'))).toEqual([]);
    } finally {
      t.clock.set('2026-03-20T09:00:00Z');
      await t.api('PATCH', '/api/v1/me', { as: bruno, body: { timeZone: null } });
      await t.api('PATCH', '/api/v1/me', { as: alice, body: { reminders: true } });
    }
  });

  it('sends no reminder for a cancelled booking', async () => {
    const res = await book(bruno, { title: 'Cancelled early', start: '2026-04-11T10:00', end: '2026-04-11T11:00' });
    await t.api('DELETE', `/api/v1/bookings/${res.body.id}`, { as: bruno });
    t.clock.set(new Date(new Date(res.body.start).getTime() - 10 * 60_000).toISOString());
    expect(await t.portal.notify.sweepReminders()).toBe(0);
    t.clock.set('2026-03-20T09:00:00Z');
  });
});

describe('mail status', () => {
  it('reports that mail is configured', async () => {
    expect((await t.api('GET', '/api/v1/mail/status', { as: alice })).body).toEqual({ mailConfigured: true });
  });
});
