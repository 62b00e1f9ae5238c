// Live updates end to end below the browser: a real NOTIFY on the real database (PGlite, or
// PostgreSQL when DATABASE_URL is set) reaches SSE clients of the real HTTP server.
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { createPortal, type Portal } from '../portal.ts';
import { seedDefaultRooms } from '../db/seed.ts';
import { openTestDatabase, type TestDatabase } from '../../test/support/database.ts';
import { BookingChangeHub, parseBookingChange, type BookingChange } from './booking-changes.ts';

const change: BookingChange = {
  action: 'created',
  bookingId: 'b1',
  roomId: 'r1',
  start: '2030-03-04T09:00:00.000Z',
  end: '2030-03-04T10:00:00.000Z',
};

describe('booking change payloads', () => {
  it('reads the payload the booking transactions send', () => {
    expect(parseBookingChange(JSON.stringify(change))).toEqual(change);
  });

  it('drops payloads that are not booking changes', () => {
    expect(parseBookingChange('not json')).toBeNull();
    expect(parseBookingChange(JSON.stringify({ ...change, action: 'deleted' }))).toBeNull();
    expect(parseBookingChange(JSON.stringify({ action: 'created' }))).toBeNull();
  });

  it('keeps delivering to the other subscribers when one throws', () => {
    const hub = new BookingChangeHub(async () => async () => {});
    const got: BookingChange[] = [];
    hub.subscribe(() => {
      throw new Error('closed socket');
    });
    hub.subscribe((c) => got.push(c));
    hub.publish(JSON.stringify(change));
    expect(got).toEqual([change]);
  });

  it('listens once however many clients subscribe', async () => {
    let listens = 0;
    const hub = new BookingChangeHub(async () => {
      listens++;
      return async () => {};
    });
    await Promise.all([hub.start(), hub.start(), hub.start()]);
    expect(listens).toBe(1);
    await hub.close();
  });
});

describe('GET /api/v1/events', () => {
  let db: TestDatabase;
  let portal: Portal;
  let baseUrl: string;
  let token: string;
  let roomId: string;

  beforeAll(async () => {
    const config = loadConfig({ LOG_LEVEL: 'silent', PORT: '0' });
    db = await openTestDatabase();
    await seedDefaultRooms(db.database.db, config.booking.defaultTimeZone);
    portal = await createPortal(config, { database: db.database, logger: pino({ level: 'silent' }) });
    baseUrl = await portal.listen({ port: 0, host: '127.0.0.1' });
    const admin = await portal.services.accounts.createAdmin({ email: 'live@example.org', name: 'Live Admin', password: 'Live-admin-pass-1' });
    token = (await portal.services.accounts.createToken({ actor: { userId: admin.id, role: 'admin', institutionId: null } }, 'live')).token;
    roomId = (await portal.services.uow.repos.rooms.list())[0]!.id;
  });

  afterAll(async () => {
    await portal?.close();
    await db?.drop();
  });

  /** Reads the SSE stream until `until` matches the text received so far. */
  async function readUntil(res: Response, until: RegExp, timeoutMs: number): Promise<string> {
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const deadline = Date.now() + timeoutMs;
    try {
      while (!until.test(text)) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no ${until} within ${timeoutMs} ms; got: ${text}`);
        const chunk = await Promise.race([reader.read(), new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timeout; got: ${text}`)), left))]);
        if (chunk.done) break;
        text += decoder.decode(chunk.value);
      }
    } finally {
      await reader.cancel().catch(() => {});
    }
    return text;
  }

  it('needs a signed-in caller', async () => {
    const res = await fetch(`${baseUrl}/api/v1/events`);
    expect(res.status).toBe(401);
    await res.body?.cancel();
  });

  it('streams a booking made through the API to an open client within a second', async () => {
    const res = await fetch(`${baseUrl}/api/v1/events`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reading = readUntil(res, /event: booking\ndata: .*\n\n/, 3000);
    await new Promise((r) => setTimeout(r, 100));
    const soon = new Date(Date.now() + 3 * 86_400_000);
    soon.setUTCHours(9, 0, 0, 0);
    const started = Date.now();
    const created = await fetch(`${baseUrl}/api/v1/bookings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Live', roomId, seats: 5, start: soon.toISOString(), end: new Date(soon.getTime() + 3_600_000).toISOString() }),
    });
    expect(created.status).toBe(201);
    const booking = (await created.json()) as { id: string };
    const text = await reading;
    expect(Date.now() - started).toBeLessThan(1000);
    const data = JSON.parse(/data: (.*)\n/.exec(text.slice(text.indexOf('event: booking')))![1]!) as BookingChange;
    expect(data).toMatchObject({ action: 'created', bookingId: booking.id, roomId });
  });

  it('relays a NOTIFY from another process on the same database', async () => {
    const res = await fetch(`${baseUrl}/api/v1/events`, { headers: { authorization: `Bearer ${token}` } });
    const reading = readUntil(res, /"bookingId":"from-elsewhere"/, 3000);
    await new Promise((r) => setTimeout(r, 100));
    const payload = JSON.stringify({ ...change, bookingId: 'from-elsewhere' });
    await sql`SELECT pg_notify('booking_changes', ${payload})`.execute(db.database.db);
    await expect(reading).resolves.toContain('"action":"created"');
  });

  it('tells EventSource how soon to reconnect', async () => {
    const res = await fetch(`${baseUrl}/api/v1/events`, { headers: { authorization: `Bearer ${token}` } });
    const text = await readUntil(res, /: connected\n\n/, 3000);
    expect(text).toMatch(/^retry: \d+\n/);
  });
});
