// Benchmark: mail throughput of one portal instance, end to end (issue #11: composition handled about
// 60 jobs a minute, 1,765 invitations waited 35 minutes). N invitations of one booking's invitees are
// queued at once, as N invitee additions would queue them; the clock runs from the enqueue to the
// last mail accepted by a real SMTP server (smtp-server, the tests' peer) over TCP. Twice: with the
// previous worker shape as the baseline (one job per fetch, one worker: MAIL_BATCH_SIZE=1,
// MAIL_WORKERS=1) and with the settings' defaults.
import pino from 'pino';
import { loadConfig } from '../src/config.ts';
import { COMPOSE_QUEUE } from '../src/notify/listeners.ts';
import type { ComposeJob } from '../src/notify/compose.ts';
import { createPortal } from '../src/portal.ts';
import { SmtpPeer } from '../test/notify/smtp-peer.ts';
import type { Cleanup } from './cleanup.ts';
import { num, ratio, table, verdict, type Section } from './figures.ts';
import { createScratchDatabase } from './scratch-database.ts';

export type MailBenchOptions = {
  /** PostgreSQL server (a scratch database on it); undefined: PGlite in memory. */
  serverUrl: string | undefined;
  jobs: number;
  baselineJobs: number;
};

type Run = { label: string; jobs: number; seconds: number; perMinute: number };

async function run(cleanup: Cleanup, o: { serverUrl: string | undefined; jobs: number; label: string; env: Record<string, string> }): Promise<Run> {
  const smtp = new SmtpPeer();
  await smtp.start();
  const stopSmtp = cleanup.defer('stop the SMTP sink', () => smtp.stop());
  let databaseUrl: string | undefined;
  let dropDatabase: (() => Promise<void>) | undefined;
  if (o.serverUrl) {
    const scratch = await createScratchDatabase(o.serverUrl);
    dropDatabase = cleanup.defer(`drop database ${scratch.name}`, scratch.drop);
    databaseUrl = scratch.url;
  }
  const config = loadConfig({
    ...(databaseUrl && { DATABASE_URL: databaseUrl }),
    PUBLIC_URL: 'https://meet.example.org',
    SMTP_URL: smtp.url,
    MAIL_REMINDER_MINUTES: 'none',
    SEED_DEFAULT_ROOMS: 'true',
    LOG_LEVEL: 'silent',
    ...o.env,
  });
  const portal = await createPortal(config, { logger: pino({ level: 'silent' }), memory: !databaseUrl });
  const closePortal = cleanup.defer('close the portal', () => portal.close());
  try {
    const repos = portal.services.uow.repos;
    const uni = await repos.institutions.create({ name: 'Bench University', scopes: [], subscriptionStart: '2020-01-01', subscriptionEnd: '2099-12-31', monthlyQuotaHours: null });
    const booker = await repos.users.create({ email: 'booker@bench.example', name: 'Booker', role: 'member', institutionId: uni.id, passwordHash: null });
    const token = (await portal.services.accounts.createToken({ actor: { userId: booker.id, role: 'member', institutionId: uni.id } }, 'bench')).token;
    const room = (await repos.rooms.list()).find((r) => r.capacity >= 10)!;
    const start = new Date(Date.now() + 7 * 86_400_000);
    start.setUTCHours(9, 0, 0, 0);
    const res = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/bookings',
      headers: { authorization: `Bearer ${token}` },
      payload: { title: 'Lecture', description: 'Bench lecture', roomId: room.id, seats: 5, start: start.toISOString(), end: new Date(start.getTime() + 3_600_000).toISOString() },
    });
    if (res.statusCode !== 201) throw new Error(`the booking was answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
    const booking = JSON.parse(res.body) as { id: string };
    // The booker's own invitation first: the workers are running and SMTP is connected.
    await smtp.waitFor((m) => m.to.includes('booker@bench.example'), 60_000);
    smtp.inbox.length = 0;

    const jobs = Array.from({ length: o.jobs }, (_, i) => ({
      id: crypto.randomUUID(),
      data: {
        kind: 'booking',
        id: booking.id,
        sequence: 0,
        action: 'created',
        method: 'REQUEST',
        to: { email: `invitee${i}@bench.example`, locale: i % 2 ? 'en' : 'it', timeZone: null },
      } satisfies ComposeJob,
    }));
    const t0 = performance.now();
    await portal.queue.enqueueMany(COMPOSE_QUEUE, jobs);
    const deadline = Date.now() + 15 * 60_000;
    while (smtp.inbox.length < o.jobs) {
      if (Date.now() > deadline) throw new Error(`${o.label}: only ${smtp.inbox.length} of ${o.jobs} mails within 15 minutes`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const seconds = (performance.now() - t0) / 1000;
    const line = `  ${o.label}: ${o.jobs} invitations composed and accepted by SMTP in ${num(seconds, 2)} s = ${num((o.jobs / seconds) * 60, 0)} jobs/minute`;
    console.log(line);
    return { label: o.label, jobs: o.jobs, seconds, perMinute: (o.jobs / seconds) * 60 };
  } finally {
    await closePortal();
    await dropDatabase?.();
    await stopSmtp();
  }
}

export async function mailBenchmark(cleanup: Cleanup, o: MailBenchOptions): Promise<Section> {
  const where = o.serverUrl ? 'PostgreSQL' : 'PGlite';
  console.log(`\n== Mail throughput: invitations composed and delivered to a real SMTP server, one instance, ${where} ==`);
  const baseline = await run(cleanup, { serverUrl: o.serverUrl, jobs: o.baselineJobs, label: 'baseline (1 job per fetch, 1 worker)', env: { MAIL_BATCH_SIZE: '1', MAIL_WORKERS: '1' } });
  const current = await run(cleanup, { serverUrl: o.serverUrl, jobs: o.jobs, label: 'now (MAIL_BATCH_SIZE, MAIL_WORKERS defaults)', env: {} });
  const lines = [
    table(
      ['', 'invitations', 'seconds', 'jobs/minute'],
      [baseline, current].map((r) => [r.label, String(r.jobs), num(r.seconds, 2), num(r.perMinute, 0)]),
    ),
    `  speed-up ${ratio(current.perMinute, baseline.perMinute)}×; the issue measured about 60 jobs/minute per instance`,
    `  ${verdict('at least 10× the baseline', current.perMinute >= 10 * baseline.perMinute)}`,
  ];
  console.log(lines.join('\n'));
  return { title: `Mail throughput (${where})`, lines: lines.flatMap((l) => l.split('\n')).map((l) => l.replace(/^ {2}/, '')) };
}
