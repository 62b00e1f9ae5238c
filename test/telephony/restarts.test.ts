// Surviving restarts: the events socket drops while 20 calls are up (reconnect and adopt, nobody
// dropped); the portal restarts (a new process adopts from GET /applications, /bridges, /channels);
// a caller who was typing the PIN is asked again.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AriDouble } from '../doubles/ari/index.ts';
import { book, bridgeOf, dialIn, hungUp, inBridge, listed, NUMBER, startPhonePortal, stopPhonePortal, type Phone } from './support.ts';

const SLOT = { start: '2026-03-20T09:30:00Z', end: '2026-03-20T10:30:00Z', seats: 20 };

describe('the ARI connection drops while 20 calls are up', () => {
  let p: Phone;
  beforeAll(async () => {
    // Digits wait long enough that the typing caller's entry is still open when the socket returns.
    p = await startPhonePortal({ env: { AUDIO_DIGIT_TIMEOUT_SECONDS: '5' } });
  });
  afterAll(async () => {
    await stopPhonePortal(p);
  });

  it('reconnects, adopts every call, and keeps serving them: nobody is dropped', async () => {
    const a = await book(p, SLOT);
    const b = await book(p, SLOT);
    const callers = await Promise.all(Array.from({ length: 20 }, (_, i) => dialIn(p, i % 2 ? b.pin : a.pin, { caller: `+39347000${String(i).padStart(4, '0')}` })));
    await Promise.all(callers.map((c, i) => inBridge(p, c, i % 2 ? b.id : a.id)));
    const typing = (await p.ari.call({ args: [NUMBER], callerNumber: '+41790000000' }))!;
    await p.ari.waitFor(() => p.ari.channel(typing)!.heard.includes('sound:conf-getpin'), 'the prompt of the caller typing');
    await p.ari.pressDigits(typing, a.pin.slice(0, 3));

    p.ari.refuseSockets(true);
    p.ari.dropSockets();
    await p.ari.waitFor(() => p.ari.socketCount() === 0, 'the socket gone');
    const readiness = async () => ((await (await fetch(`${p.t.baseUrl}/readyz`)).json()) as { status: string; telephony: string });
    await expect.poll(readiness).toMatchObject({ status: 'ready', database: p.t.db.database.kind, telephony: 'reconnecting' });
    // While no socket is connected, Asterisk refuses new callers at once (recording e: SIP 603).
    expect(await p.ari.call({ args: [NUMBER] })).toBeNull();
    // Meanwhile one caller hangs up: no event reaches the portal.
    p.ari.hangup(callers[0]!);
    await new Promise((r) => setTimeout(r, 300));
    p.ari.refuseSockets(false);
    await p.ari.waitFor(() => p.ari.socketCount() === 1, 'the socket back', 10_000);
    await expect.poll(async () => (await readiness()).telephony).toBe('connected');

    // Everyone else still in their bridge, none hung up by the portal.
    for (const [i, c] of callers.entries()) {
      if (i === 0) continue;
      expect(p.ari.channel(c)!.hungUp, c).toBe(false);
      expect(p.ari.channel(c)!.bridgeId).toBe(bridgeOf(i % 2 ? b.id : a.id));
    }
    // The list lost the caller who left during the gap.
    await listed(p, a.id, callers.filter((_, i) => i % 2 === 0 && i !== 0));
    // The caller who was typing lost the digits with the socket: asked again, enters.
    await p.ari.waitFor(() => p.ari.channel(typing)!.heard.filter((m) => m === 'sound:conf-getpin').length === 2, 'the prompt again');
    await p.ari.pressDigits(typing, a.pin);
    await inBridge(p, typing, a.id);
    // Events flow on the new socket: a hangup is heard, the end of the booking ends everyone.
    p.ari.hangup(callers[2]!);
    await listed(p, a.id, [...callers.filter((_, i) => i % 2 === 0 && i > 2), typing]);
    p.t.clock.set('2026-03-20T10:45:00Z');
    await p.t.portal.telephony!.sweepNow();
    await Promise.all([...callers.slice(1).filter((_, i) => i !== 1), typing].map((c) => hungUp(p, c)));
    await p.ari.waitFor(() => p.ari.bridges().length === 0, 'both bridges destroyed');
  });
});

describe('the portal restarts', () => {
  it('a new portal process adopts the calls of the old one from Asterisk’s state', async () => {
    const ari = await AriDouble.start({ playbackMs: 10 });
    const first = await startPhonePortal({ ari });
    const a = await book(first, SLOT);
    const callers = await Promise.all([dialIn(first, a.pin), dialIn(first, a.pin), dialIn(first, a.hostPin)]);
    await Promise.all(callers.map((c) => inBridge(first, c, a.id)));
    await listed(first, a.id, callers);
    expect((await first.t.api('POST', `/api/v1/bookings/${a.id}/audio/participants/${callers[1]}/mute`, { as: first.booker })).status).toBe(204);

    // The old portal stops (its socket closes; the calls stay up on Asterisk) and a new one starts
    // on the same database: the one PGlite/PostgreSQL database of the test.
    await first.t.portal.telephony!.stop();
    await ari.waitFor(() => ari.socketCount() === 0, 'the old socket closed');
    expect(callers.every((c) => !ari.channel(c)!.hungUp)).toBe(true);
    const { createPortal } = await import('../../src/portal.ts');
    const pino = (await import('pino')).default;
    const second = await createPortal(first.t.config, { clock: first.t.clock, database: first.t.db.database, logger: pino({ level: 'silent' }) });
    try {
      await ari.waitFor(() => ari.socketCount() === 1, 'the new portal connected');
      // It knows the callers (roles and mute kept) and serves them: a hangup, the end of the booking.
      await expect.poll(async () => second.telephony!.app.snapshot().find((c) => c.bookingId === a.id)?.members.sort()).toEqual([...callers].sort());
      const view = await second.services.audio.view({ actor: { userId: first.booker.userId, role: 'member', institutionId: first.booker.institutionId } }, a.id);
      expect(view.participants.map((x) => [x.id, x.role, x.muted])).toEqual(
        expect.arrayContaining([
          [callers[0], 'participant', false],
          [callers[1], 'participant', true],
          [callers[2], 'host', false],
        ]),
      );
      ari.hangup(callers[0]!);
      await ari.waitFor(() => ari.channel(callers[1]!)!.heard.includes('sound:confbridge-leave'), 'the leave tone from the new portal');
      first.t.clock.set('2026-03-20T10:45:00Z');
      await second.telephony!.sweepNow();
      await Promise.all(callers.slice(1).map((c) => hungUp(first, c)));
    } finally {
      await second.close();
      await stopPhonePortal(first);
    }
  });
});

describe('the portal restarts while a virtual room calls in (Adobe Connect, Stasis arg room-leg)', () => {
  it('adopts the room at the PIN prompt and the room in a bridge as the room’s leg: no seat taken', async () => {
    const ari = await AriDouble.start({ playbackMs: 10 });
    // Digits wait long enough that the room at the prompt is still there, unrefused, at the restart.
    const first = await startPhonePortal({ ari, env: { AUDIO_DIGIT_TIMEOUT_SECONDS: '5' } });
    // One seat each, taken by a phone caller: only a room's leg may still enter.
    const a = await book(first, { ...SLOT, seats: 1 });
    const b = await book(first, { ...SLOT, seats: 1 });
    const callerA = await dialIn(first, a.pin);
    const callerB = await dialIn(first, b.pin);
    await Promise.all([inBridge(first, callerA, a.id), inBridge(first, callerB, b.id)]);
    const room = () => ari.call({ args: [NUMBER, 'room-leg'], callerNumber: '+390200000000' });
    // B's room is in its bridge, but its row was never written (the portal died in between).
    const inB = (await room())!;
    await ari.waitFor(() => ari.channel(inB)!.heard.includes('sound:conf-getpin'), 'the PIN prompt to B’s room');
    await ari.pressDigits(inB, b.pin);
    await inBridge(first, inB, b.id);
    await listed(first, b.id, [callerB, inB]);
    // A's room is at the PIN prompt.
    const atPrompt = (await room())!;
    await ari.waitFor(() => ari.channel(atPrompt)!.heard.includes('sound:conf-getpin'), 'the PIN prompt to A’s room');

    await first.t.portal.telephony!.stop();
    await ari.waitFor(() => ari.socketCount() === 0, 'the old socket closed');
    await sql`DELETE FROM phone_participants WHERE channel_id = ${inB}`.execute(first.t.db.database.db);
    const { createPortal } = await import('../../src/portal.ts');
    const pino = (await import('pino')).default;
    const second = await createPortal(first.t.config, { clock: first.t.clock, database: first.t.db.database, logger: pino({ level: 'silent' }) });
    try {
      await ari.waitFor(() => ari.socketCount() === 1, 'the new portal connected');
      const roles = async (bookingId: string) => {
        const view = await second.services.audio.view({ actor: { userId: first.booker.userId, role: 'member', institutionId: first.booker.institutionId } }, bookingId);
        return { roles: Object.fromEntries(view.participants.map((x) => [x.id, x.role])), phoneSeats: view.phoneSeats };
      };
      await expect.poll(() => roles(b.id)).toEqual({ roles: { [callerB]: 'participant', [inB]: 'room' }, phoneSeats: 1 });
      // A's room is asked for the PIN again, keys it in, and enters the full conference as the room.
      await ari.waitFor(() => ari.channel(atPrompt)!.heard.filter((m) => m === 'sound:conf-getpin').length === 2, 'the PIN prompt again');
      await ari.pressDigits(atPrompt, a.pin);
      await inBridge(first, atPrompt, a.id);
      await expect.poll(() => roles(a.id)).toEqual({ roles: { [callerA]: 'participant', [atPrompt]: 'room' }, phoneSeats: 1 });
      expect(ari.channel(atPrompt)!.heard).not.toContain('sound:wm-conference-full');
      first.t.clock.set('2026-03-20T10:45:00Z');
      await second.telephony!.sweepNow();
      await Promise.all([callerA, callerB, inB, atPrompt].map((c) => hungUp(first, c)));
    } finally {
      await second.close();
      await stopPhonePortal(first);
    }
  });
});
