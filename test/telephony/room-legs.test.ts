// The virtual room's audio leg, for each provider kind, end to end: the booking is provisioned on
// the provider's double, a phone caller arrives, and the application connects the room: it calls
// BigBlueButton's voice bridge and Jitsi's Jigasi (with the room header), and takes Adobe Connect's
// Universal Voice call that dials in with the PIN. The leg leaves after the last caller.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdobeConnectDouble } from '../doubles/adobe-connect.ts';
import { BigBlueButtonDouble } from '../doubles/bigbluebutton.ts';
import { settled, roomState, meetingNameOf } from '../api/provisioning-support.ts';
import { book, bridgeOf, dialIn, hungUp, inBridge, listed, NUMBER, room, startPhonePortal, stopPhonePortal, type Phone } from './support.ts';

const UV_PROVIDER = '1160437530';
const PIN_FIELD = 'x-tel-webmeetings-pin';
let p: Phone;
let bbb: BigBlueButtonDouble;
let ac: AdobeConnectDouble;

beforeAll(async () => {
  bbb = new BigBlueButtonDouble();
  await bbb.http.start();
  ac = new AdobeConnectDouble();
  ac.addTelephonyProvider(UV_PROVIDER, [PIN_FIELD]);
  await ac.http.start();
  p = await startPhonePortal({
    env: {
      BBB_URL: bbb.apiUrl,
      BBB_SECRET: bbb.secret,
      ADOBE_CONNECT_URL: ac.http.baseUrl,
      ADOBE_CONNECT_LOGIN: ac.admin.login,
      ADOBE_CONNECT_PASSWORD: ac.admin.password!,
      ADOBE_CONNECT_TELEPHONY_PROVIDER_ID: UV_PROVIDER,
      ADOBE_CONNECT_TELEPHONY_LOCATION: 'IT',
      ADOBE_CONNECT_TELEPHONY_PIN_FIELD: PIN_FIELD,
      JITSI_JIGASI_ENDPOINT: 'jigasi',
      PROVIDER_DEFAULT: 'adobe-connect',
    },
  });
});
afterAll(async () => {
  await stopPhonePortal(p);
  await bbb.http.stop();
  await ac.http.stop();
});

const SLOT = { start: '2026-03-20T09:30:00Z', end: '2026-03-20T10:30:00Z' };
const prepared = async (provider: string) => {
  const b = await book(p, { ...SLOT, roomId: await room(p, provider) });
  await settled(p.t, b.id);
  expect(await roomState(p.t, b.id)).toBe('ready');
  return b;
};
const legOf = (bookingId: string) => p.ari.channels().find((c) => c.originated && c.id.startsWith(`wm-leg-${bookingId}`));

describe('the room leg of each provider', () => {
  it('BigBlueButton: calls the meeting’s voice bridge when the first caller arrives, hangs up after the last', async () => {
    const b = await prepared('bigbluebutton');
    const voiceBridge = [...bbb.meetings.values()].find((m) => m.metadata.bookingid === b.id)!.voiceBridge;
    const caller = await dialIn(p, b.pin);
    await inBridge(p, caller, b.id);
    await p.ari.waitFor(() => legOf(b.id)?.bridgeId === bridgeOf(b.id), 'the BigBlueButton leg in the bridge');
    const leg = legOf(b.id)!;
    expect(leg.endpoint).toBe(`PJSIP/${voiceBridge}@bigbluebutton`);
    expect(leg.args).toEqual(['room-leg', b.id]);
    await listed(p, b.id, [caller, leg.id]);
    const view = (await p.t.api('GET', `/api/v1/bookings/${b.id}/audio`, { as: p.booker })).body;
    expect(view.participants.find((x: { id: string }) => x.id === leg.id).role).toBe('room');
    expect(view.phoneSeats).toBe(1);
    p.ari.hangup(caller);
    await hungUp(p, leg.id);
    await p.ari.waitFor(() => !p.ari.bridges().some((x) => x.id === bridgeOf(b.id)), 'the bridge destroyed');
  });

  it('Jitsi: calls Jigasi with the room in the Jitsi-Conference-Room header', async () => {
    const b = await prepared('jitsi');
    const caller = await dialIn(p, b.pin);
    await p.ari.waitFor(() => legOf(b.id)?.bridgeId === bridgeOf(b.id), 'the Jigasi leg in the bridge');
    const leg = legOf(b.id)!;
    expect(leg.endpoint).toBe('PJSIP/jigasi');
    expect(leg.variables).toEqual({ 'PJSIP_HEADER(add,Jitsi-Conference-Room)': `${await meetingNameOf(p.t, b.id)}@conference.meet.jit.si` });
    p.ari.hangup(caller);
    await hungUp(p, leg.id);
  });

  it('calls the room again when its leg fails (busy), while callers are there', async () => {
    const b = await prepared('bigbluebutton');
    let tries = 0;
    p.ari.onOriginate(() => (++tries === 1 ? 'busy' : 'answer'));
    try {
      const caller = await dialIn(p, b.pin);
      await p.ari.waitFor(() => legOf(b.id)?.bridgeId === bridgeOf(b.id), 'the leg after a retry');
      expect(tries).toBe(2);
      p.ari.hangup(caller);
    } finally {
      p.ari.onOriginate(() => 'answer');
    }
  });

  it('Adobe Connect: the meeting’s telephony profile dials our number with the PIN; it joins as the room, taking no seat', async () => {
    const b = await prepared('adobe-connect');
    const profile = ac.profileOf(b.id)!;
    expect(profile.confNumbers).toEqual([{ number: NUMBER, location: 'IT' }]);
    expect(profile.fields.get(PIN_FIELD)).toBe(b.pin);
    const caller = await dialIn(p, b.pin);
    await inBridge(p, caller, b.id);
    // Nothing is originated for a room that calls in itself.
    expect(legOf(b.id)).toBeUndefined();
    // Universal Voice calls in through the dialplan context of its trunk (Stasis arg room-leg).
    const uv = (await p.ari.call({ args: [NUMBER, 'room-leg'], callerNumber: '+390200000000' }))!;
    await p.ari.waitFor(() => p.ari.channel(uv)!.heard.includes('sound:conf-getpin'), 'the PIN prompt to the room');
    await p.ari.pressDigits(uv, b.pin);
    await inBridge(p, uv, b.id);
    await listed(p, b.id, [caller, uv]);
    const view = (await p.t.api('GET', `/api/v1/bookings/${b.id}/audio`, { as: p.booker })).body;
    expect(view.participants.find((x: { id: string }) => x.id === uv).role).toBe('room');
    expect(view.phoneSeats).toBe(1);
    // The last caller leaves: the room's own call stays (it would not call again).
    p.ari.hangup(caller);
    await listed(p, b.id, [uv]);
    expect(p.ari.channel(uv)!.hungUp).toBe(false);
    p.ari.hangup(uv);
  });
});
