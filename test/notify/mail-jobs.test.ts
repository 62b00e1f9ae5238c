// The mail jobs under retries and without SMTP (issue #11, "Abuse of the mail and sign-in"):
// a compose job that runs again enqueues no second delivery, and a portal without SMTP logs each
// mail once, as not sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPortal, type Caller, type TestPortal } from '../support/portal.ts';
import { SmtpPeer } from './smtp-peer.ts';

const until = async (what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('a compose job that runs again', () => {
  let t: TestPortal;
  let smtp: SmtpPeer;
  let alice: Caller;
  beforeAll(async () => {
    smtp = new SmtpPeer();
    await smtp.start();
    t = await startTestPortal({ now: '2026-03-20T09:00:00Z', env: { SMTP_URL: smtp.url, MAIL_REMINDER_MINUTES: 'none', PUBLIC_URL: 'https://meet.example.org' } });
    alice = await t.user('member', (await t.institution()).id, 'Alice');
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.stop();
  });

  /**
   * Runs the one compose job `where` finds again once it has completed, as if its worker had died
   * after enqueuing the mails but before pg-boss marked the job done (or as a late job would run).
   */
  async function runAgain(where: string, params: unknown[] = []): Promise<void> {
    const pool = t.db.database.pool;
    const jobs = async () => (await pool.query<{ id: string; state: string }>(`SELECT id, state FROM pgboss.job WHERE name = 'mail-compose' AND ${where}`, params)).rows;
    const [job] = await jobs();
    expect(job, `a compose job where ${where}`).toBeDefined();
    await until('the compose job to complete', async () => (await jobs())[0]?.state === 'completed');
    await pool.query(`UPDATE pgboss.job SET state = 'retry', retry_count = retry_count + 1, start_after = now(), completed_on = NULL WHERE id = $1`, [job!.id]);
    await until('the compose job to run again', async () => (await jobs())[0]?.state === 'completed');
  }

  it('enqueues no second delivery: the invitee gets the invitation once', async () => {
    const room = t.rooms.find((r) => r.capacity === 50)!.id;
    const booking = await t.api('POST', '/api/v1/bookings', { as: alice, body: { title: 'Once only', seats: 5, roomId: room, start: '2026-03-30T10:00', end: '2026-03-30T11:00' } });
    expect(booking.status).toBe(201);
    // The booking's own invitation first (it goes to the booker alone: the next test).
    await smtp.waitFor((m) => (m.parsed.subject ?? '').includes('Once only'));
    const added = await t.api('POST', `/api/v1/bookings/${booking.body.id}/invitees`, { as: alice, body: { email: 'once@uni.example', locale: 'en' } });
    expect(added.status).toBe(201);
    await smtp.waitFor((m) => m.to.includes('once@uni.example'));
    await runAgain(`data->'to'->>'email' = 'once@uni.example'`);
    const deliveries = await t.db.database.pool.query(`SELECT id FROM pgboss.job WHERE name = 'mail-deliver' AND data->>'to' = 'once@uni.example'`);
    expect(deliveries.rows).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 1500));
    expect(smtp.inbox.filter((m) => m.to.includes('once@uni.example'))).toHaveLength(1);
  });

  it('a new booking’s own job, run after someone was invited, goes to the booker alone: they get one invitation, their own', async () => {
    const room = t.rooms.find((r) => r.capacity === 50)!.id;
    const booking = await t.api('POST', '/api/v1/bookings', { as: alice, body: { title: 'Booked then invited', seats: 5, roomId: room, start: '2026-03-31T10:00', end: '2026-03-31T11:00' } });
    expect(booking.status).toBe(201);
    await smtp.waitFor((m) => (m.parsed.subject ?? '').includes('Booked then invited'));
    expect((await t.api('POST', `/api/v1/bookings/${booking.body.id}/invitees`, { as: alice, body: { email: 'late@uni.example', locale: 'en' } })).status).toBe(201);
    await smtp.waitFor((m) => m.to.includes('late@uni.example'));
    // The booking's own compose job runs again now, as a late one would run the first time.
    await runAgain(`data->>'id' = $1 AND data->>'action' = 'created' AND data->'to' IS NULL`, [booking.body.id]);
    await new Promise((r) => setTimeout(r, 1500));
    expect(smtp.inbox.filter((m) => m.to.includes('late@uni.example'))).toHaveLength(1);
  });

  it('an update’s job, run after someone else was invited, goes to those invited when the change was made', async () => {
    const room = t.rooms.find((r) => r.capacity === 50)!.id;
    const booking = await t.api('POST', '/api/v1/bookings', { as: alice, body: { title: 'Changed then invited', seats: 5, roomId: room, start: '2026-04-01T10:00', end: '2026-04-01T11:00' } });
    const id = booking.body.id as string;
    expect((await t.api('POST', `/api/v1/bookings/${id}/invitees`, { as: alice, body: { email: 'before@uni.example', locale: 'en' } })).status).toBe(201);
    expect((await t.api('PATCH', `/api/v1/bookings/${id}`, { as: alice, body: { title: 'Changed then invited, renamed' } })).status).toBe(200);
    await smtp.waitFor((m) => m.to.includes('before@uni.example') && m.parsed.subject === 'Updated: Changed then invited, renamed');
    expect((await t.api('POST', `/api/v1/bookings/${id}/invitees`, { as: alice, body: { email: 'after@uni.example', locale: 'en' } })).status).toBe(201);
    await smtp.waitFor((m) => m.to.includes('after@uni.example'));
    // The update's job runs again now, as a late one would run the first time.
    await runAgain(`data->>'id' = $1 AND data->>'action' = 'updated' AND data->'to' IS NULL`, [id]);
    await new Promise((r) => setTimeout(r, 1500));
    // Their invitation already shows the meeting as changed: no update besides it.
    expect(smtp.inbox.filter((m) => m.to.includes('after@uni.example')).map((m) => m.parsed.subject)).toEqual(['Invitation: Changed then invited, renamed']);
  });
});

describe('without SMTP', () => {
  let t: TestPortal;
  const logs: Record<string, unknown>[] = [];
  beforeAll(async () => {
    t = await startTestPortal({ now: '2026-03-20T09:00:00Z', env: { MAIL_REMINDER_MINUTES: 'none' }, logs });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('logs each mail once, as mail.not-sent, and never says it was sent', async () => {
    const alice = await t.user('member', (await t.institution()).id, 'Alice');
    const room = t.rooms.find((r) => r.capacity === 50)!.id;
    const booking = await t.api('POST', '/api/v1/bookings', { as: alice, body: { title: 'Logged only', seats: 5, roomId: room, start: '2026-03-30T10:00', end: '2026-03-30T11:00' } });
    expect(booking.status).toBe(201);
    const about = (to: string) => logs.filter((l) => l.to === to);
    // The booking's own invitation first (it goes to the booker alone).
    await until('the booker’s invitation', () => logs.some((l) => l.event === 'mail.not-sent'));
    for (const email of ['a@uni.example', 'b@uni.example']) {
      expect((await t.api('POST', `/api/v1/bookings/${booking.body.id}/invitees`, { as: alice, body: { email } })).status).toBe(201);
    }
    await until('both invitations to be handled', () => about('a@uni.example').length > 0 && about('b@uni.example').length > 0);
    await new Promise((r) => setTimeout(r, 1500));
    for (const to of ['a@uni.example', 'b@uni.example']) {
      expect(about(to).map((l) => l.event)).toEqual(['mail.not-sent']);
    }
    expect(logs.filter((l) => l.event === 'mail.sent' || l.msg === 'mail sent')).toEqual([]);
  });
});
