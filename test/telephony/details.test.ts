// The dial-in reaches people: the invitation mail carries the numbers, the PIN, the one-tap link and
// the SIP URI; Jitsi Meet's own invite dialog gets the booking's PIN through the conference mapper.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queuedMails, waitFor, meetingNameOf } from '../api/provisioning-support.ts';
import { book, NUMBER, SIP_DOMAIN, startPhonePortal, stopPhonePortal, type Phone } from './support.ts';

let p: Phone;
beforeAll(async () => {
  p = await startPhonePortal();
});
afterAll(async () => {
  await stopPhonePortal(p);
});

describe('dial-in details for people', () => {
  it('puts the numbers, the PIN, a one-tap link and the SIP URI into the invitation', async () => {
    const b = await book(p, { start: '2026-03-20T11:00:00Z', end: '2026-03-20T12:00:00Z' });
    const mail = await waitFor('the invitation', async () => (await queuedMails(p.t, p.booker.userId)).find((m) => m.text.includes(b.pin)));
    expect(mail.text).toContain(`${NUMBER} (IT)`);
    expect(mail.text).toContain(`tel:${NUMBER},,${b.pin}%23`);
    expect(mail.text).toContain(`sip:${b.pin}@${SIP_DOMAIN}`);
    // The host PIN is the booker's own: it is not in the invitation others receive.
    expect(mail.text).not.toContain(b.hostPin);
  });

  it('answers Jitsi Meet’s conference mapper with the booking’s PIN, and its number list', async () => {
    const b = await book(p, { start: '2026-03-20T11:00:00Z', end: '2026-03-20T12:00:00Z' });
    const room = await meetingNameOf(p.t, b.id);
    const mapped = await fetch(`${p.t.baseUrl}/jitsi/dial-in/conference?conference=${encodeURIComponent(`${room}@conference.meet.jit.si`)}`);
    expect(mapped.status).toBe(200);
    expect(mapped.headers.get('access-control-allow-origin')).toBe('https://meet.jit.si');
    expect(await mapped.json()).toEqual({ id: Number(b.pin), conference: `${room}@conference.meet.jit.si` });
    // The room named after the booking id (which every member sees) is no booking's room.
    expect(await (await fetch(`${p.t.baseUrl}/jitsi/dial-in/conference?conference=wm-${b.id}@conference.meet.jit.si`)).json()).toMatchObject({ conference: false });
    const none = await (await fetch(`${p.t.baseUrl}/jitsi/dial-in/conference?conference=wm-00000000-0000-4000-8000-000000000000@conference.meet.jit.si`)).json();
    expect(none).toMatchObject({ conference: false });
    expect(await (await fetch(`${p.t.baseUrl}/jitsi/dial-in/numbers`)).json()).toEqual([{ countryCode: 'IT', formattedNumber: NUMBER, tollFree: false }]);
  });
});
