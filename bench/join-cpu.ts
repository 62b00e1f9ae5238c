// CPU per request of a cached join in-process (fastify.inject, PGlite in memory), beside /healthz and
// /livez through the same app: what the portal's own per-request work costs, without sockets or
// load-generator noise. A/B a change by running it before and after, alternately (issue #13).
//
//   node bench/join-cpu.ts               (add --cpu-prof --cpu-prof-dir=DIR before the script for a profile)
import pino from 'pino';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { createPortal } from '../src/portal.ts';
const database = await openDatabase({ memory: true });
await migrate(database.db);
const env = { LOG_LEVEL: 'silent', SEED_DEFAULT_ROOMS: 'false', JITSI_URL: 'https://meet.example.org', JITSI_APP_ID: 'webmeetings', JITSI_APP_SECRET: 'bench-secret-of-enough-length', PROVISIONING_TICK_SECONDS: '0', PROVISIONING_RECONCILE_MINUTES: '0' };
const portal = await createPortal(loadConfig(env), { database, logger: pino({ level: 'silent' }) });
const repos = portal.services.uow.repos;
const year = new Date().getUTCFullYear();
const inst = await repos.institutions.create({ name: 'Bench University', scopes: [], subscriptionStart: `${year - 1}-01-01`, subscriptionEnd: `${year + 1}-12-31`, monthlyQuotaHours: null });
const user = await repos.users.create({ email: 'bench@example.org', name: 'Bench Booker', role: 'member', institutionId: inst.id, passwordHash: null });
const actor = { userId: user.id, role: 'member' as const, institutionId: inst.id };
const { token } = await portal.services.accounts.createToken({ actor }, 'bench');
const room = await repos.rooms.create({ name: 'Bench room', capacity: 10, timeZone: 'Europe/Rome', provider: null, active: true });
const grid = 5 * 60_000;
const start = new Date(Math.ceil((Date.now() + 5 * 60_000) / grid) * grid);
const booking = await portal.services.bookings.create({ actor }, { title: 'Bench', roomId: room.id, start: start.toISOString(), end: new Date(start.getTime() + 3_600_000).toISOString(), seats: 2 });
await portal.provisioning.service.sync(booking.id);
const guestPath = async (bookingId: string, policy: 'open' | 'pin', pin: string | null) =>
  new URL(portal.joining!.guestUrl(await portal.joining!.setGuestPolicy({ actor, requestId: 'bench' }, bookingId, policy, pin))).pathname;
const open = await guestPath(booking.id, 'open', null);
const run = async (url: string, headers: Record<string, string>, n: number, payload?: string) => {
  const t0 = process.cpuUsage();
  for (let i = 0; i < n; i++) await portal.app.inject({ method: payload === undefined ? 'GET' : 'POST', url, headers, ...(payload !== undefined && { payload }) });
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / n;
};
const auth = { authorization: `Bearer ${token}` };
for (let r = 0; r < 3; r++) {
  const j = await run(`/join/${booking.id}`, auth, 5000);
  const h = await run('/healthz', {}, 5000);
  const h2 = await run('/livez', {}, 5000);
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const g = await run(open, form, 2000);
  const gp = await run(open, form, 2000, 'name=Guest+Bench');
  console.log(`CPU per request (inject): join ${j.toFixed(0)} µs, /healthz ${h.toFixed(0)} µs, /livez ${h2.toFixed(0)} µs, guest form ${g.toFixed(0)} µs, guest POST (open link) ${gp.toFixed(0)} µs`);
}
await portal.close();
await database.close();
