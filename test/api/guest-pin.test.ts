// Wrong guest PINs (issue #11): counted per guest link and per client address in the database, so
// every instance sees them; after the free tries each further one waits a doubling delay; a refused
// try is a 429 with Retry-After and the code GUEST_PIN_LIMITED; the right PIN works again once the
// wait is over; 300 parallel guesses over two instances get no more checks than the free ones.
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPortal, type Caller, type TestPortal } from '../support/portal.ts';
import { BigBlueButtonDouble } from '../doubles/bigbluebutton.ts';
import { settled } from './provisioning-support.ts';
import { onPostgres } from '../support/database.ts';

let t: TestPortal;
let second: TestPortal;
let bbb: BigBlueButtonDouble;
let alice: Caller;

beforeAll(async () => {
  bbb = new BigBlueButtonDouble();
  await bbb.http.start();
  const env = {
    BBB_URL: bbb.apiUrl,
    BBB_SECRET: bbb.secret,
    BBB_CHECKSUM: 'sha1',
    PROVISIONING_TICK_SECONDS: '0',
    PROVISIONING_RECONCILE_MINUTES: '0',
    HOUSEKEEPING_TICK_SECONDS: '0',
    TRUST_PROXY: 'true',
    GUEST_PIN_FREE_ATTEMPTS: '5',
    GUEST_PIN_DELAY_BASE_SECONDS: '30',
    GUEST_PIN_DELAY_MAX_SECONDS: '600',
    GUEST_PIN_MAX_PER_ADDRESS: '8',
    GUEST_PIN_WINDOW_MINUTES: '60',
  };
  t = await startTestPortal({ now: '2026-03-20T09:00:00Z', env });
  // A second instance on the same database: the counts are shared.
  second = await startTestPortal({ clock: t.clock, env, db: t.db });
  alice = await t.user('member', (await t.institution()).id, 'Alice Booker');
});
afterAll(async () => {
  await second?.close();
  await t?.close();
  await bbb?.http.stop();
});

const setNow = (iso: string) => {
  t.clock.set(iso);
  second.clock.set(iso);
};
const post = (path: string, form: Record<string, string>, o: { from?: string; via?: TestPortal; accept?: string } = {}) =>
  fetch((o.via ?? t).baseUrl + path, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': o.from ?? '198.51.100.1', ...(o.accept && { accept: o.accept }) },
    body: new URLSearchParams(form).toString(),
  });
/** `times` wrong PINs in a row on `path`, each refused 422; `from` the address of each (by its index). */
const wrongPins = async (path: string, times: number, from: (i: number) => string) => {
  for (let i = 0; i < times; i++) expect((await post(path, { name: 'M', pin: `900${i}` }, { from: from(i) })).status).toBe(422);
};
let roomIndex = 0;
/** A booking open now (09:10–11:40Z, opens 08:55Z) whose guest link asks for `pin`; its guest path. */
const pinLink = async (pin: string) => {
  const room = await t.portal.services.uow.repos.rooms.create({ name: `PIN room ${roomIndex++}`, capacity: 20, timeZone: 'Europe/Rome', provider: null, active: true });
  const res = await t.api('POST', '/api/v1/bookings', { as: alice, body: { title: 'Esame', roomId: room.id, start: '2026-03-20T10:10', end: '2026-03-20T12:40', seats: 10 } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  await settled(t, res.body.id);
  expect((await t.api('PUT', `/api/v1/bookings/${res.body.id}/guest-policy`, { as: alice, body: { policy: 'pin', pin } })).status).toBe(200);
  const room2 = await t.api('GET', `/api/v1/bookings/${res.body.id}/room`, { as: alice });
  return { id: res.body.id as string, path: new URL(room2.body.guestUrl).pathname };
};
/**
 * The most sessions of this test's database seen waiting on a guest PIN's locks (the address's
 * advisory lock, the link's row) at once while `work` runs, sampled from a connection of its own
 * (PostgreSQL; PGlite has one session). Other waits in the same database, such as pg-boss's own
 * advisory locks when both instances' supervisors run at once, are not the guests': they are kept
 * apart, to be named if the check fails.
 */
const mostWaitingOnLocks = async <T>(work: Promise<T>): Promise<{ result: T; most: number; samples: number; others: string[] }> => {
  const c = new pg.Client({ connectionString: t.db.url });
  await c.connect();
  let done = false;
  let most = 0;
  let samples = 0;
  const others = new Set<string>();
  const pinLock = /hashtextextended\(|FROM guest_links WHERE booking_id .* FOR UPDATE/s;
  const sampling = (async () => {
    while (!done) {
      const { rows } = await c.query<{ query: string; wait_event: string }>(
        "SELECT query, wait_event FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
      );
      most = Math.max(most, rows.filter((r) => pinLock.test(r.query)).length);
      for (const r of rows) if (!pinLock.test(r.query)) others.add(`${r.wait_event}: ${r.query.slice(0, 120)}`);
      samples++;
    }
  })();
  try {
    const result = await work;
    return { result, most, samples, others: [...others] };
  } finally {
    done = true;
    await sampling;
    await c.end();
  }
};
const failures = async (bookingId: string) =>
  Number((await sql<{ n: string }>`SELECT count(*) AS n FROM guest_pin_failures WHERE link_id = ${bookingId}`.execute(t.db.database.db)).rows[0]!.n);

describe('wrong guest PINs', () => {
  it('says on the form, in English and Italian, that wrong PINs make the next try wait', async () => {
    setNow('2026-03-20T09:00:00Z');
    const { path } = await pinLink('4821');
    const en = await (await fetch(`${t.baseUrl}${path}?lang=en`)).text();
    expect(en).toContain('After 5 wrong PINs, each further try on this link has to wait longer: 30 s, then twice as long each time.');
    const it_ = await (await fetch(`${t.baseUrl}${path}?lang=it`)).text();
    expect(it_).toContain('Dopo 5 PIN errati, ogni nuovo tentativo su questo link deve attendere sempre di più: 30 s, poi il doppio ogni volta.');
  });

  it('waits a doubling delay after the free tries, refuses even the right PIN meanwhile with 429, and lets it in afterwards', async () => {
    setNow('2026-03-20T09:00:00Z');
    const { id, path } = await pinLink('4821');
    for (let i = 0; i < 4; i++) expect((await post(`${path}?lang=en`, { name: 'Guest', pin: `000${i}` })).status).toBe(422);
    const fifth = await post(`${path}?lang=en`, { name: 'Guest', pin: '0004' });
    expect(fifth.status).toBe(422);
    expect(await fifth.text()).toContain('The PIN is not right. Check the invitation. You can try again in 30 s.');

    // The right PIN is not even looked at while the link waits, on either instance.
    const refused = await post(`${path}?lang=en`, { name: 'Guest', pin: '4821' }, { via: second });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('30');
    expect(refused.headers.get('location')).toBeNull();
    const html = await refused.text();
    expect(html).toContain('data-code="GUEST_PIN_LIMITED"');
    expect(html).toContain('Too many wrong PINs for this link. Try again in 30 s.');
    expect(html).not.toContain(bbb.http.baseUrl);
    const italian = await post(`${path}?lang=it`, { name: 'Ospite', pin: '4821' });
    expect(italian.status).toBe(429);
    expect(await italian.text()).toContain('Troppi PIN errati per questo link. Riprova tra 30 s.');
    const json = await post(path, { name: 'Script', pin: '4821' }, { accept: 'application/json' });
    expect(json.status).toBe(429);
    expect(json.headers.get('content-type')).toContain('application/problem+json');
    expect(await json.json()).toMatchObject({ code: 'GUEST_PIN_LIMITED', status: 429 });
    expect(await failures(id)).toBe(5);

    // The next failure doubles the wait.
    setNow('2026-03-20T09:00:31Z');
    const sixth = await post(`${path}?lang=en`, { name: 'Guest', pin: '0005' });
    expect(sixth.status).toBe(422);
    expect(await sixth.text()).toContain('You can try again in 1 min 0 s.');
    setNow('2026-03-20T09:01:00Z');
    expect((await post(path, { name: 'Guest', pin: '4821' })).headers.get('retry-after')).toBe('31');

    // Past the wait the right PIN works again.
    setNow('2026-03-20T09:01:32Z');
    const right = await post(path, { name: 'Guest With Pin', pin: '4821' });
    expect(right.status).toBe(303);
    expect(await bbb.follow(right.headers.get('location')!)).toMatchObject({ ok: true, role: 'attendee', name: 'Guest With Pin' });

    // Each failure that started a wait is in the audit log of the booking.
    const audit = await sql<{ after: { scope: string; waitSeconds: number } }>`SELECT after FROM audit_log WHERE action = 'guest.pin.limited' AND entity_id = ${id} ORDER BY id`.execute(t.db.database.db);
    expect(audit.rows.map((r) => r.after)).toMatchObject([
      { scope: 'link', waitSeconds: 30 },
      { scope: 'link', waitSeconds: 60 },
    ]);
  });

  it('checks no more than the free tries of 300 parallel guesses over two instances and many addresses', async () => {
    setNow('2026-03-20T09:00:00Z');
    const { id, path } = await pinLink('7395');
    const guesses = Array.from({ length: 300 }, (_, i) => String(1000 + i));
    const burst = Promise.all(guesses.map((pin, i) => post(path, { name: 'Mallory', pin }, { via: i % 2 ? second : t, from: `203.0.113.${i % 250}` })));
    let answers: Response[];
    if (onPostgres) {
      // The guesses queue in memory, not on the link's row: with two instances at most one session
      // waits for the lock the other holds, and the pool stays free for everyone else.
      const seen = await mostWaitingOnLocks(burst);
      expect(seen.samples).toBeGreaterThan(0);
      expect(seen.most, `other lock waits seen: ${JSON.stringify(seen.others)}`).toBeLessThanOrEqual(1);
      answers = seen.result;
    } else answers = await burst;
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 422)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(295);
    expect(await failures(id)).toBe(5);
    expect((await post(path, { name: 'Guest', pin: '7395' })).status).toBe(429);
    setNow('2026-03-20T09:00:30Z');
    expect((await post(path, { name: 'Guest', pin: '7395' })).status).toBe(303);
  });

  it('lets 100 guests who post their names at once in, and counts the wrong PINs among them exactly (join cache warm)', async () => {
    setNow('2026-03-20T09:00:00Z');
    const { id, path } = await pinLink('2468');
    // Warm both instances' join caches: the burst reads the link from memory, the PIN count from the database.
    expect((await fetch(t.baseUrl + path)).status).toBe(200);
    expect((await fetch(second.baseUrl + path)).status).toBe(200);
    const burst = Array.from({ length: 104 }, (_, i) => (i % 26 === 25 ? '1111' : '2468'));
    const answers = await Promise.all(burst.map((pin, i) => post(path, { name: `Guest ${i}`, pin }, { via: i % 2 ? second : t, from: `198.18.0.${i % 200}` })));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 303)).toHaveLength(100);
    expect(statuses.filter((s) => s === 422)).toHaveLength(4);
    expect(await failures(id)).toBe(4);
    // The fifth wrong one is the last free try; after it, even the right PIN waits.
    expect((await post(path, { name: 'Late', pin: '0000' }, { via: second })).status).toBe(422);
    expect((await post(path, { name: 'Late', pin: '2468' })).status).toBe(429);
    expect(await failures(id)).toBe(5);
  });

  it('makes an address that guesses over many links wait, without holding up others', async () => {
    setNow('2026-03-20T09:00:00Z');
    const a = await pinLink('1111');
    const b = await pinLink('2222');
    const c = await pinLink('3333');
    const from = '192.0.2.77';
    await wrongPins(a.path, 5, () => from);
    await wrongPins(b.path, 3, () => from);
    // Eight wrong PINs from this address within the hour: it waits, even with a right PIN elsewhere.
    const refused = await post(`${c.path}?lang=en`, { name: 'M', pin: '3333' }, { from });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBe(3600);
    expect(await refused.text()).toContain('Too many wrong PINs from your network address.');
    expect((await post(c.path, { name: 'Someone Else', pin: '3333' }, { from: '192.0.2.78' })).status).toBe(303);
    setNow('2026-03-20T10:00:01Z');
    expect((await post(c.path, { name: 'M', pin: '3333' }, { from })).status).toBe(303);
  });

  it('judges each of a burst of tries read together by its own link and address', async () => {
    setNow('2026-03-20T09:00:00Z');
    const a = await pinLink('5151');
    const b = await pinLink('6262');
    const c = await pinLink('7373');
    const blocked = '192.0.2.91';
    // Eight wrong PINs from one address (over two links), none from the others.
    await wrongPins(a.path, 4, () => blocked);
    await wrongPins(b.path, 4, () => blocked);
    const tries = Array.from({ length: 60 }, (_, i) => {
      const link = [a, b, c][i % 3]!;
      const pin = { [a.path]: '5151', [b.path]: '6262', [c.path]: '7373' }[link.path]!;
      return i % 4 === 0 ? { path: link.path, pin, from: blocked, want: 429 } : { path: link.path, pin, from: `192.0.2.${100 + i}`, want: 303 };
    });
    const answers = await Promise.all(tries.map((x, i) => post(x.path, { name: `Guest ${i}`, pin: x.pin }, { from: x.from, via: i % 2 ? second : t })));
    expect(answers.map((r) => r.status)).toEqual(tries.map((x) => x.want));
    // An unknown link among them is refused as one, without a count.
    expect((await post('/g/AAAAAAAAAAAAAAAAAAAAAA', { name: 'X', pin: '1234' })).status).toBe(404);
  });

  it('counts IPv6 addresses by their /64, so a guesser cannot walk through its own network', async () => {
    setNow('2026-03-20T09:00:00Z');
    const a = await pinLink('1212');
    const b = await pinLink('3434');
    await wrongPins(a.path, 5, (i) => `2001:db8:77:1::${i + 1}`);
    await wrongPins(b.path, 3, (i) => `2001:db8:77:1:ffff::${i + 1}`);
    expect((await post(b.path, { name: 'M', pin: '3434' }, { from: '2001:db8:77:1:abcd::9' })).status).toBe(429);
    expect((await post(b.path, { name: 'Neighbour', pin: '3434' }, { from: '2001:db8:77:2::1' })).status).toBe(303);
  });

  it('forgets wrong PINs older than the window in the housekeeping pass', async () => {
    setNow('2026-03-20T09:00:00Z');
    const { id } = await pinLink('5555');
    await sql`INSERT INTO guest_pin_failures (link_id, address, at) VALUES (${id}, '198.51.100.9', now() - interval '61 minutes'), (${id}, '198.51.100.9', now() - interval '59 minutes')`.execute(t.db.database.db);
    const removed = await t.portal.housekeeping.runNow();
    expect(removed['guest-pin-failures']).toBeGreaterThanOrEqual(1);
    const left = await sql<{ n: string }>`SELECT count(*) AS n FROM guest_pin_failures WHERE link_id = ${id}`.execute(t.db.database.db);
    expect(Number(left.rows[0]!.n)).toBe(1);
  });
});
