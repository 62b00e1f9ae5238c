// 200 callers across 8 bookings at once: every one in the right bridge, none in another, and the
// figure of how long the application took per call (from the complete PIN to the caller in the
// bridge). The figure is printed, not asserted: `npm run bench -- --only audio` measures it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { book, bridgeOf, NUMBER, startPhonePortal, stopPhonePortal, type Phone } from './support.ts';

let p: Phone;
beforeAll(async () => {
  p = await startPhonePortal({ env: { AUDIO_DIGIT_TIMEOUT_SECONDS: '5' } });
});
afterAll(async () => {
  await stopPhonePortal(p);
});

const CALLERS = 200;
const BOOKINGS = 8;
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

describe('200 callers across 8 bookings at once', () => {
  it('puts every caller into its own booking’s bridge', async () => {
    const bookings = await Promise.all(Array.from({ length: BOOKINGS }, () => book(p, { start: '2026-03-20T09:30:00Z', end: '2026-03-20T10:30:00Z', seats: 40 })));
    const started = performance.now();
    // Half type the PIN after the prompt, half come with it (SIP URI); all at once.
    const callers = await Promise.all(
      Array.from({ length: CALLERS }, async (_, i) => {
        const b = bookings[i % BOOKINGS]!;
        if (i % 2) return { id: (await p.ari.call({ args: [b.pin, `pin=${b.pin}`], callerNumber: `+39347${String(i).padStart(7, '0')}` }))!, booking: b.id };
        const id = (await p.ari.call({ args: [NUMBER], callerNumber: `+39347${String(i).padStart(7, '0')}` }))!;
        await p.ari.waitFor(() => p.ari.channel(id)!.heard.includes('sound:conf-getpin'), `the prompt of caller ${i}`, 30_000);
        await p.ari.pressDigits(id, b.pin);
        return { id, booking: b.id };
      }),
    );
    await p.ari.waitFor(() => callers.every((c) => p.ari.channel(c.id)!.bridgeId !== null), 'every caller in a bridge', 60_000);
    const wallMs = performance.now() - started;
    for (const c of callers) expect(p.ari.channel(c.id)!.bridgeId, c.id).toBe(bridgeOf(c.booking));
    const bridges = new Map(p.ari.bridges().map((b) => [b.id, b.channels.length]));
    for (const b of bookings) expect(bridges.get(bridgeOf(b.id))).toBe(CALLERS / BOOKINGS);
    // Every caller is in the hosts' lists too.
    await expect
      .poll(async () => (await Promise.all(bookings.map(async (b) => (await p.t.api('GET', `/api/v1/bookings/${b.id}/audio`, { as: p.booker })).body.participants.length))).reduce((a, n) => a + n, 0), { timeout: 30_000 })
      .toBe(CALLERS);

    const ms = [...p.t.portal.telephony!.app.admissions].sort((a, b) => a - b);
    expect(ms).toHaveLength(CALLERS);
    console.log(
      `audio: ${CALLERS} callers over ${BOOKINGS} bookings in ${wallMs.toFixed(0)} ms; per call from complete PIN to bridge: ` +
        `p50 ${quantile(ms, 0.5).toFixed(1)} ms, p95 ${quantile(ms, 0.95).toFixed(1)} ms, max ${ms.at(-1)!.toFixed(1)} ms ` +
        `(${p.t.db.database.kind}, ${(p.ari.requests.length / CALLERS).toFixed(1)} ARI requests per call)`,
    );
  });
});
