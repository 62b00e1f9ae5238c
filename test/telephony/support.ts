// Shared by the telephony tests: a portal wired to the ARI double, bookings, and callers.
import { expect } from 'vitest';
import { AriDouble } from '../doubles/ari/index.ts';
import { startTestPortal, type Caller, type TestPortal } from '../support/portal.ts';

export const NUMBER = '+390612345678';
export const SIP_DOMAIN = 'audio.example.org';

export type Phone = { t: TestPortal; ari: AriDouble; booker: Caller };

/**
 * A portal holding the ARI events socket of a fresh double. Sweeps run when the test says (sweepNow).
 * `alongside`: a second instance of that portal's deployment (same database and clock, its booker),
 * with a double of its own.
 */
export async function startPhonePortal(opts: { now?: string; env?: Record<string, string>; ari?: AriDouble; alongside?: Phone } = {}): Promise<Phone> {
  const ari = opts.ari ?? (await AriDouble.start({ playbackMs: 10 }));
  const t = await startTestPortal({
    ...(opts.alongside ? { db: opts.alongside.t.db, clock: opts.alongside.t.clock } : { now: opts.now ?? '2026-03-20T09:20:00Z' }),
    env: {
      ARI_URL: ari.url,
      ARI_USERNAME: ari.username,
      ARI_PASSWORD: ari.password,
      DIAL_IN_NUMBERS: `IT:${NUMBER}`,
      SIP_DOMAIN,
      AUDIO_DIGIT_TIMEOUT_SECONDS: '0.4',
      AUDIO_HOLDER_RETRY_SECONDS: '0.2',
      AUDIO_ROOM_LEG_RETRY_SECONDS: '0.3',
      AUDIO_SWEEP_SECONDS: '0',
      PROVISIONING_TICK_SECONDS: '0',
      PROVISIONING_RECONCILE_MINUTES: '0',
      PUBLIC_URL: 'http://portal.test',
      ...opts.env,
    },
  });
  // One instance of a deployment holds the events socket (telephony/holder.ts); on PostgreSQL the
  // second one stands by.
  if (opts.alongside) return { t, ari, booker: opts.alongside.booker };
  await ari.waitFor(() => ari.socketCount() === 1, 'the portal to connect its events socket');
  const inst = await t.institution();
  return { t, ari, booker: await t.user('member', inst.id, 'Alice Booker') };
}

let rooms = 0;
/** A room of its own for each booking, so tests never compete for one. */
export async function room(p: Phone, provider: string | null = null): Promise<string> {
  const res = await p.t.api('POST', '/api/v1/rooms', { as: p.t.admin, body: { name: `Phone room ${++rooms}`, capacity: 50, provider } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

export async function book(p: Phone, o: { start: string; end: string; roomId?: string; seats?: number; audio?: boolean; as?: Caller }): Promise<{ id: string; pin: string; hostPin: string }> {
  const res = await p.t.api('POST', '/api/v1/bookings', {
    as: o.as ?? p.booker,
    body: { title: 'Consiglio di corso', roomId: o.roomId ?? (await room(p)), start: o.start, end: o.end, seats: o.seats ?? 5, ...(o.audio === false && { audio: false }) },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const audio = await p.t.api('GET', `/api/v1/bookings/${res.body.id}/audio`, { as: o.as ?? p.booker });
  expect(audio.status).toBe(200);
  return { id: res.body.id, pin: audio.body.pin, hostPin: audio.body.hostPin };
}

export const bridgeOf = (bookingId: string) => `wm-conf-${bookingId}`;

/** A caller dials the number, hears the PIN prompt, and types the PIN (and #). */
export async function dialIn(p: Phone, pin: string, o: { caller?: string; hash?: boolean } = {}): Promise<string> {
  const id = await p.ari.call({ args: [NUMBER], callerNumber: o.caller ?? '+393471234567' });
  expect(id, 'Asterisk refused the call: no events socket').not.toBeNull();
  await p.ari.waitFor(() => p.ari.channel(id!)!.heard.includes('sound:conf-getpin'), 'the PIN prompt');
  await p.ari.pressDigits(id!, o.hash ? `${pin}#` : pin);
  return id!;
}

export const inBridge = (p: Phone, channelId: string, bookingId: string) =>
  p.ari.waitFor(() => p.ari.channel(channelId)?.bridgeId === bridgeOf(bookingId), `${channelId} in the bridge of ${bookingId}`);

/** The host's list shows exactly these callers (the application writes it after the bridge). */
export async function listed(p: Phone, bookingId: string, channelIds: string[]): Promise<void> {
  await expect
    .poll(async () => ((await p.t.api('GET', `/api/v1/bookings/${bookingId}/audio`, { as: p.booker })).body.participants as { id: string }[]).map((x) => x.id).sort(), { timeout: 5000 })
    .toEqual([...channelIds].sort());
}

export const hungUp = (p: Phone, channelId: string) => p.ari.waitFor(() => p.ari.channel(channelId)?.hungUp === true, `${channelId} hung up`);

export async function stopPhonePortal(p: Phone): Promise<void> {
  await p.t.close();
  await p.ari.close();
}
