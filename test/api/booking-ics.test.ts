// The .ics download carries the same UID and SEQUENCE as the mailed invitations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ICAL from 'ical.js';
import { startTestPortal, type Caller, type TestPortal } from '../support/portal.ts';

let t: TestPortal;
let alice: Caller;
beforeAll(async () => {
  t = await startTestPortal();
  alice = await t.user('member', (await t.institution()).id);
});
afterAll(() => t.close());

async function download(id: string, as: Caller) {
  const res = await fetch(`${t.baseUrl}/api/v1/bookings/${id}/ics`, { headers: { authorization: `Bearer ${as.token}` } });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

describe('GET /bookings/{id}/ics', () => {
  it('gives the booking in its room’s zone with a stable UID and a SEQUENCE that grows', async () => {
    const b = await t.api('POST', '/api/v1/bookings', { as: alice, body: { title: 'Thesis defence', roomId: t.rooms[4]!.id, start: '2026-03-30T10:00', end: '2026-03-30T11:30' } });
    const first = await download(b.body.id, alice);
    expect(first.status).toBe(200);
    expect(first.type).toMatch(/^text\/calendar/);
    const comp = new ICAL.Component(ICAL.parse(first.text));
    expect(comp.getFirstPropertyValue('method')).toBe('PUBLISH');
    const event = new ICAL.Event(comp.getFirstSubcomponent('vevent')!);
    expect(event.uid).toBe(`booking-${b.body.id}@localhost`);
    expect(event.summary).toBe('Thesis defence');
    expect(event.startDate.toJSDate().toISOString()).toBe('2026-03-30T08:00:00.000Z');
    expect(event.startDate.zone?.tzid).toBe('Europe/Rome');
    const seq0 = event.sequence;
    await t.api('PATCH', `/api/v1/bookings/${b.body.id}`, { as: alice, body: { end: '2026-03-30T12:00' } });
    const second = new ICAL.Event(new ICAL.Component(ICAL.parse((await download(b.body.id, alice)).text)).getFirstSubcomponent('vevent')!);
    expect(second.uid).toBe(event.uid);
    expect(second.sequence).toBeGreaterThan(seq0);
  });

  it('gives a date of a series as that date of the series’ invitation (its UID and RECURRENCE-ID), so a calendar holding the series shows it once', async () => {
    const s = await t.api('POST', '/api/v1/series', { as: alice, body: { title: 'Weekly seminar', seats: 5, roomId: t.rooms[5]!.id, start: '2026-04-06T15:00', end: '2026-04-06T16:00', rrule: 'FREQ=WEEKLY;COUNT=3' } });
    expect(s.status, JSON.stringify(s.body)).toBe(201);
    const second = s.body.booked[1] as { id: string; recurrenceId: string };
    const event = new ICAL.Event(new ICAL.Component(ICAL.parse((await download(second.id, alice)).text)).getFirstSubcomponent('vevent')!);
    expect(event.uid).toBe(`series-${s.body.series.id}@localhost`);
    expect(event.recurrenceId!.toJSDate().toISOString()).toBe(second.recurrenceId);
  });

  it('carries the join link (URL and DESCRIPTION), the guest link, the booking’s page and an online LOCATION', async () => {
    const b = await t.api('POST', '/api/v1/bookings', { as: alice, body: { title: 'Lab meeting', description: 'Agenda in the wiki.', roomId: t.rooms[3]!.id, start: '2026-04-01T10:00', end: '2026-04-01T11:00' } });
    expect(b.status).toBe(201);
    const room = await t.api('GET', `/api/v1/bookings/${b.body.id}/room`, { as: alice });
    expect(room.status).toBe(200);
    const event = new ICAL.Component(ICAL.parse((await download(b.body.id, alice)).text)).getFirstSubcomponent('vevent')!;
    const joinUrl = `${t.config.publicUrl}/join/${b.body.id}`;
    expect(event.getFirstPropertyValue('url')).toBe(joinUrl);
    const description = String(event.getFirstPropertyValue('description'));
    expect(description).toContain('Agenda in the wiki.');
    expect(description).toContain(`Join / Entra: ${joinUrl}`);
    expect(description).toContain(`Guests / Ospiti: ${room.body.guestUrl}`);
    expect(room.body.guestUrl).toMatch(new RegExp(`^${t.config.publicUrl}/g/`));
    expect(description).toContain(`${t.config.publicUrl}/bookings/${b.body.id}`);
    expect(event.getFirstPropertyValue('location')).toBe(`WebMeetings – ${t.rooms[3]!.name} (online) – ${joinUrl}`);
  });

  it('has no join or guest link once the booking is cancelled, only its page', async () => {
    const b = await t.api('POST', '/api/v1/bookings', { as: alice, body: { title: 'Called off', roomId: t.rooms[3]!.id, start: '2026-04-02T10:00', end: '2026-04-02T11:00' } });
    await t.api('DELETE', `/api/v1/bookings/${b.body.id}`, { as: alice });
    const text = (await download(b.body.id, alice)).text;
    const event = new ICAL.Component(ICAL.parse(text)).getFirstSubcomponent('vevent')!;
    expect(event.getFirstPropertyValue('status')).toBe('CANCELLED');
    expect(event.getFirstPropertyValue('url')).toBe(`${t.config.publicUrl}/bookings/${b.body.id}`);
    expect(text).not.toMatch(/\/join\/|\/g\//);
  });

  it('is 404 for someone else’s booking', async () => {
    const b = await t.api('POST', '/api/v1/bookings', { as: alice, body: { title: 'Private', roomId: t.rooms[5]!.id, start: '2026-03-31T10:00', end: '2026-03-31T11:00' } });
    const bob = await t.user('member', alice.institutionId);
    expect((await download(b.body.id, bob)).status).toBe(404);
  });
});

describe('GET /bookings/{id}/invitation', () => {
  const invitation = (id: string, as: Caller, locale = 'it') => t.api('GET', `/api/v1/bookings/${id}/invitation?locale=${locale}`, { as });

  it('words the invitation as the invitees’ mails do, in the language asked, to paste elsewhere', async () => {
    const b = await t.api('POST', '/api/v1/bookings', { as: alice, body: { title: 'Esame di Fisica I', roomId: t.rooms[3]!.id, start: '2026-04-08T09:00', end: '2026-04-08T11:00' } });
    expect(b.status).toBe(201);
    const guestUrl = (await t.api('GET', `/api/v1/bookings/${b.body.id}/room`, { as: alice })).body.guestUrl as string;
    expect(guestUrl).toMatch(new RegExp(`^${t.config.publicUrl}/g/`));
    const joinUrl = `${t.config.publicUrl}/join/${b.body.id}`;

    const italian = await invitation(b.body.id, alice, 'it');
    expect(italian.status, JSON.stringify(italian.body)).toBe(200);
    expect(italian.body).toEqual({
      subject: 'Invito: Esame di Fisica I',
      text: [
        'Esame di Fisica I',
        '',
        'Sei invitato a una riunione virtuale.',
        '',
        'Quando: mercoledì 8 aprile 2026, 09:00–11:00 (Europe/Rome)',
        `Aula: ${t.rooms[3]!.name}`,
        `Entra con l’account del tuo ente: ${joinUrl}`,
        `Entra come ospite (senza account): ${guestUrl}`,
      ].join('\n'),
    });
    const en = await invitation(b.body.id, alice, 'en');
    expect(en.body.subject).toBe('Invitation: Esame di Fisica I');
    expect(en.body.text).toContain('When: Wednesday 8 April 2026, 09:00–11:00 (Europe/Rome)');
    expect(en.body.text).toContain(`Join as a guest (no account needed): ${guestUrl}`);
  });

  it('carries the guests’ PIN where they need one, unless the booker leaves it out for a public place', async () => {
    const b = await t.api('POST', '/api/v1/bookings', { as: alice, body: { title: 'Ricevimento', roomId: t.rooms[4]!.id, start: '2026-04-08T15:00', end: '2026-04-08T16:00' } });
    expect((await t.api('PUT', `/api/v1/bookings/${b.body.id}/guest-policy`, { as: alice, body: { policy: 'pin', pin: '90210' } })).status).toBe(200);
    const guestUrl = (await t.api('GET', `/api/v1/bookings/${b.body.id}/room`, { as: alice })).body.guestUrl as string;
    const withPin = await invitation(b.body.id, alice, 'it');
    expect(withPin.body.text).toContain(`Entra come ospite (senza account): ${guestUrl}\nPIN per gli ospiti: 90210`);
    const without = await t.api('GET', `/api/v1/bookings/${b.body.id}/invitation?locale=en&withGuestPin=false`, { as: alice });
    expect(without.status).toBe(200);
    expect(without.body.text).toContain(`Join as a guest (no account needed): ${guestUrl}`);
    expect(without.body.text).not.toContain('90210');
    expect((await t.api('GET', `/api/v1/bookings/${b.body.id}/invitation?locale=en&withGuestPin=maybe`, { as: alice })).status).toBe(400);
    // The downloaded calendar entry is the booker's: it keeps the PIN beside the link.
    const ics = await fetch(`${t.baseUrl}/api/v1/bookings/${b.body.id}/ics`, { headers: { authorization: `Bearer ${alice.token}` } });
    expect((await ics.text()).replace(/\r\n[ \t]/g, '')).toContain(`PIN 90210`);
  });

  it('lists the dates still to come of a series', async () => {
    const s = await t.api('POST', '/api/v1/series', { as: alice, body: { title: 'Lezioni', seats: 5, roomId: t.rooms[2]!.id, start: '2026-04-09T14:00', end: '2026-04-09T16:00', rrule: 'FREQ=WEEKLY;COUNT=3' } });
    expect(s.status, JSON.stringify(s.body)).toBe(201);
    const [first, second] = s.body.booked as { id: string }[];
    expect((await t.api('DELETE', `/api/v1/series/${s.body.series.id}/occurrences/${first!.id}?scope=one`, { as: alice })).status).toBe(200);
    const text = (await invitation(second!.id, alice, 'en')).body.text as string;
    expect(text).toContain('When: Thursday 16 April 2026, 14:00–16:00 (Europe/Rome)');
    expect(text.endsWith('Dates of the series:\n  - Thu 16 Apr 2026 14:00\n  - Thu 23 Apr 2026 14:00')).toBe(true);
  });

  it('is refused for someone else’s booking, a cancelled or ended one, and without a language it knows', async () => {
    const b = await t.api('POST', '/api/v1/bookings', { as: alice, body: { title: 'Colloquio', roomId: t.rooms[5]!.id, start: '2026-04-10T10:00', end: '2026-04-10T11:00' } });
    const bob = await t.user('member', alice.institutionId);
    expect((await invitation(b.body.id, bob)).status).toBe(404);
    for (const query of ['', '?locale=fr']) {
      const bad = await t.api('GET', `/api/v1/bookings/${b.body.id}/invitation${query}`, { as: alice });
      expect(bad.status).toBe(400);
      expect(bad.body.code).toBe('VALIDATION_FAILED');
    }
    const before = t.clock.now().toISOString();
    t.clock.set('2026-04-10T09:30:00Z');
    const ended = await invitation(b.body.id, alice, 'en');
    t.clock.set(before);
    expect([ended.status, ended.body.code, ended.body.detail]).toEqual([422, 'BOOKING_ENDED', 'This meeting is over: there is nothing left to invite people to.']);
    await t.api('DELETE', `/api/v1/bookings/${b.body.id}`, { as: alice });
    const cancelled = await invitation(b.body.id, alice, 'it');
    expect([cancelled.status, cancelled.body.code]).toEqual([422, 'BOOKING_CANCELLED']);
  });
});
