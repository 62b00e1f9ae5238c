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

  it('is 404 for someone else’s booking', async () => {
    const b = await t.api('POST', '/api/v1/bookings', { as: alice, body: { title: 'Private', roomId: t.rooms[5]!.id, start: '2026-03-31T10:00', end: '2026-03-31T11:00' } });
    const bob = await t.user('member', alice.institutionId);
    expect((await download(b.body.id, bob)).status).toBe(404);
  });
});
