// Dial-in PINs: unique among bookings whose windows overlap (the database decides a race), shared by
// the occurrences of a series, following a booking when it moves, retired when it is cancelled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { PinRole } from '../../src/domain/dial-in.ts';
import { book, room, startPhonePortal, stopPhonePortal, type Phone } from './support.ts';
import { meetingNameOf } from '../api/provisioning-support.ts';

let p: Phone;
beforeAll(async () => {
  p = await startPhonePortal();
});
afterAll(async () => {
  await stopPhonePortal(p);
});

const audio = async (id: string) => (await p.t.api('GET', `/api/v1/bookings/${id}/audio`, { as: p.booker })).body;

/** A draw that offers these PINs in order (then fresh ones), to force collisions. */
const offering = (pins: string[]) => {
  let i = 0;
  return (_role: PinRole) => pins[i++] ?? String(5_000_000 + Math.floor(Math.random() * 4_000_000));
};

describe('PINs', () => {
  it('never gives one PIN to two bookings whose windows overlap, even when both ask for it at once', async () => {
    const a = await book(p, { start: '2026-03-23T09:00:00Z', end: '2026-03-23T10:00:00Z', audio: false });
    const b = await book(p, { start: '2026-03-23T09:30:00Z', end: '2026-03-23T11:00:00Z', audio: false });
    const c = await book(p, { start: '2026-03-23T13:00:00Z', end: '2026-03-23T14:00:00Z', audio: false });
    const window = (start: string, end: string) => ({ opens: new Date(start), closes: new Date(end) });
    const assign = (bookingId: string, w: ReturnType<typeof window>) =>
      p.t.portal.services.uow.transaction((r) => r.audio.assign({ bookingId, seriesId: null, window: w, draw: offering(['4829137', '4829137', '4829137']), hostPin: false, enabled: true }));
    // Both transactions start at once with the same first choice: the constraint lets one have it.
    const [x, y] = await Promise.all([assign(a.id, window('2026-03-23T08:45:00Z', '2026-03-23T10:15:00Z')), assign(b.id, window('2026-03-23T09:15:00Z', '2026-03-23T11:15:00Z'))]);
    expect([x.pin, y.pin]).toContain('4829137');
    expect(x.pin).not.toBe(y.pin);
    // A booking whose window does not overlap may have the same PIN.
    const z = await assign(c.id, window('2026-03-23T12:45:00Z', '2026-03-23T14:15:00Z'));
    expect(z.pin).toBe('4829137');
  });

  it('gives a cancelled booking’s PIN back: it may serve another booking at the same time', async () => {
    const a = await book(p, { start: '2026-03-24T09:00:00Z', end: '2026-03-24T10:00:00Z' });
    expect((await p.t.api('DELETE', `/api/v1/bookings/${a.id}`, { as: p.booker })).status).toBe(200);
    const b = await book(p, { start: '2026-03-24T09:00:00Z', end: '2026-03-24T10:00:00Z', audio: false });
    const got = await p.t.portal.services.uow.transaction((r) =>
      r.audio.assign({ bookingId: b.id, seriesId: null, window: { opens: new Date('2026-03-24T08:45:00Z'), closes: new Date('2026-03-24T10:15:00Z') }, draw: offering([a.pin]), hostPin: false, enabled: true }),
    );
    expect(got.pin).toBe(a.pin);
  });

  it('moves the PIN’s window with the booking and draws again when the PIN is taken at the new time', async () => {
    const a = await book(p, { start: '2026-03-25T09:00:00Z', end: '2026-03-25T10:00:00Z' });
    const b = await book(p, { start: '2026-03-25T14:00:00Z', end: '2026-03-25T15:00:00Z', audio: false });
    // b takes a's PIN in the afternoon; then a moves into the afternoon.
    await p.t.portal.services.uow.transaction((r) =>
      r.audio.assign({ bookingId: b.id, seriesId: null, window: { opens: new Date('2026-03-25T13:45:00Z'), closes: new Date('2026-03-25T15:15:00Z') }, draw: offering([a.pin]), hostPin: false, enabled: true }),
    );
    const moved = await p.t.api('PATCH', `/api/v1/bookings/${a.id}`, { as: p.booker, body: { start: '2026-03-25T14:00:00Z', end: '2026-03-25T15:00:00Z' } });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    const after = await audio(a.id);
    expect(after.opensAt).toBe('2026-03-25T13:45:00.000Z');
    expect(after.closesAt).toBe('2026-03-25T15:15:00.000Z');
    expect(after.pin).not.toBe(a.pin);
    expect(after.pin).toMatch(/^[1-9]\d{6}$/);
  });

  const series = async (sharedAccess: boolean) => {
    const res = await p.t.api('POST', '/api/v1/series', {
      as: p.booker,
      body: { title: 'Seminario settimanale', roomId: await room(p), start: '2026-03-26T10:00', end: '2026-03-26T11:00', rrule: 'FREQ=WEEKLY;COUNT=4', seats: 5, sharedAccess },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const { rows } = await sql<{ pin: string; role: string; n: string }>`SELECT p.pin, p.role, count(*) AS n FROM audio_pins p JOIN bookings b ON b.id = p.booking_id
      WHERE b.series_id = ${res.body.series.id} GROUP BY p.pin, p.role`.execute(p.t.db.database.db);
    return rows.map((r) => [r.role, Number(r.n)]).sort();
  };

  it('shares one PIN and one host PIN over the occurrences of a series with shared access', async () => {
    expect(await series(true)).toEqual([['host', 4], ['participant', 4]]);
  });

  it('gives each occurrence its own PINs when the series does not share access', async () => {
    const rows = await series(false);
    expect(rows).toHaveLength(8);
    expect(rows.every(([, n]) => n === 1)).toBe(true);
  });

  it('shows a cancelled booking’s conference as off: no PIN, no host PIN, no numbers, nothing for Jitsi', async () => {
    const a = await book(p, { start: '2026-03-27T11:00:00Z', end: '2026-03-27T12:00:00Z' });
    expect(await audio(a.id)).toMatchObject({ enabled: true, pin: a.pin, hostPin: a.hostPin });
    expect((await p.t.api('DELETE', `/api/v1/bookings/${a.id}`, { as: p.booker })).status).toBe(200);
    expect(await audio(a.id)).toMatchObject({ available: true, enabled: false, pin: null, hostPin: null, numbers: [], sipUri: null });
    const mapped = await fetch(`${p.t.baseUrl}/jitsi/dial-in/conference?conference=${encodeURIComponent(`${await meetingNameOf(p.t, a.id)}@conference.meet.jit.si`)}`);
    expect(await mapped.json()).toMatchObject({ conference: false });
  });

  it('refuses to turn on the audio of a cancelled booking', async () => {
    const a = await book(p, { start: '2026-03-27T09:00:00Z', end: '2026-03-27T10:00:00Z', audio: false });
    await p.t.api('DELETE', `/api/v1/bookings/${a.id}`, { as: p.booker });
    const res = await p.t.api('PUT', `/api/v1/bookings/${a.id}/audio`, { as: p.booker, body: { enabled: true } });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('BOOKING_CANCELLED');
  });
});

describe('a series without audio', () => {
  it('gives its occurrences no conference when the booker asks for none', async () => {
    const res = await p.t.api('POST', '/api/v1/series', {
      as: p.booker,
      body: { title: 'Senza telefono', roomId: await room(p), start: '2026-03-27T14:00', end: '2026-03-27T15:00', rrule: 'FREQ=DAILY;COUNT=3', seats: 5, audio: false },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    for (const o of res.body.booked as { id: string }[]) expect(await audio(o.id)).toMatchObject({ available: true, enabled: false, pin: null });
  });
});
