// Faults under load (issue #18): a portal process on a throw-away PostgreSQL cluster (never the
// shared server) with 32 clients booking without pause, through `pg_ctl restart -m fast`, a 20 s
// stop, pg_terminate_backend of its connections, a 20 s freeze (SIGSTOP) and SIGTERM; then a shorter soak at about 20 req/s
// with RSS, descriptors and database connections sampled. Prints what clients saw: answers by
// status during each outage, time to the first 201 after the database is back, whether every
// booking answered 201 is in the database, and whether the process lived.
import { readdirSync, readFileSync } from 'node:fs';
import { clusterUnavailable } from '../test/support/postgres-cluster.ts';
import { answersBetween, startOutageRig, timeToServe, type OutageRig } from '../test/support/outage-rig.ts';
import type { Cleanup } from './cleanup.ts';
import type { Section } from './figures.ts';
import { num } from './figures.ts';

export type FaultsOptions = { clients?: number; stopSeconds?: number; soakSeconds?: number };

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));
const byStatus = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ') || 'none';

function processFigures(pid: number): { rssMb: number; fds: number } {
  try {
    const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
    return { rssMb: rss, fds: readdirSync(`/proc/${pid}/fd`).length };
  } catch {
    return { rssMb: NaN, fds: NaN };
  }
}

export async function faultsBenchmark(cleanup: Cleanup, o: FaultsOptions = {}): Promise<Section> {
  const title = 'Database faults under load (bench/faults.ts)';
  console.log(`\n== ${title} ==`);
  const why = clusterUnavailable();
  if (why) {
    console.log(`  skipped: ${why}`);
    return { title, lines: [`skipped: ${why}`] };
  }
  const clients = o.clients ?? 32;
  const stopSeconds = o.stopSeconds ?? 20;
  const soakSeconds = o.soakSeconds ?? 120;
  const rig: OutageRig = await startOutageRig({ clients, env: { DATABASE_POOL_SIZE: '20' } });
  const close = cleanup.defer('stop the portal and the throw-away cluster', () => rig.close());
  const lines: string[] = [];
  const say = (line: string) => {
    console.log(`  ${line}`);
    lines.push(line);
  };
  say(`portal process (pid ${rig.portal.pid}, pool 20) on a throw-away PostgreSQL 15 cluster (port ${rig.cluster.port}, fsync off); ${clients} clients POST bookings without pause`);

  // 1. pg_ctl restart -m fast.
  rig.startLoad(clients);
  await settle(3000);
  let from = Date.now();
  rig.cluster.restart();
  let back = Date.now();
  await settle(3000);
  say(`restart -m fast (${back - from} ms): answers meanwhile ${byStatus(answersBetween(rig.answers, from, back))}; first 201 ${num(timeToServe(rig.answers, back) ?? NaN, 0)} ms after the server was back`);

  // 2. A 20 s stop.
  rig.cluster.stop();
  const stopped = Date.now();
  await settle(stopSeconds * 1000);
  const readyz = await fetch(`${rig.portal.baseUrl}/readyz`).then(async (r) => `${r.status} ${((await r.json()) as { status: string }).status}`, (e: unknown) => String(e));
  rig.cluster.start();
  back = Date.now();
  await settle(3000);
  say(`${stopSeconds} s stop: answers while stopped ${byStatus(answersBetween(rig.answers, stopped, back))}; /readyz said ${readyz}; first 201 ${num(timeToServe(rig.answers, back) ?? NaN, 0)} ms after the server was back`);

  // 3. pg_terminate_backend of the portal's connections.
  from = Date.now();
  const terminated = await rig.terminateConnections();
  const killed = Date.now();
  await settle(3000);
  say(`pg_terminate_backend of ${terminated} connections: answers in the next 3 s ${byStatus(answersBetween(rig.answers, from, Date.now()))}; first 201 ${num(timeToServe(rig.answers, killed) ?? NaN, 0)} ms after psql had terminated them`);

  // 4. A database that hangs (SIGSTOP on every server process) for the stop's length: nothing is
  // closed, so only the timeouts (connect, request, /readyz) keep requests from hanging.
  const frozenAt = Date.now();
  rig.cluster.freeze(true);
  await settle(3000);
  const probeFrom = performance.now();
  const frozenReadyz = await fetch(`${rig.portal.baseUrl}/readyz`).then(async (r) => `${r.status} ${((await r.json()) as { status: string }).status}`, (e: unknown) => String(e));
  const probeMs = performance.now() - probeFrom;
  await settle(Math.max(0, stopSeconds * 1000 - 3000 - probeMs));
  rig.cluster.freeze(false);
  const thawed = Date.now();
  await settle(3000);
  say(
    `${stopSeconds} s freeze (SIGSTOP): answers while frozen ${byStatus(answersBetween(rig.answers, frozenAt, thawed))}; /readyz said ${frozenReadyz} after ${num(probeMs, 0)} ms; answers in the 3 s after ${byStatus(answersBetween(rig.answers, thawed, Date.now()))}; first 201 ${num(timeToServe(rig.answers, thawed) ?? NaN, 0)} ms after the thaw`,
  );
  await rig.stopLoad();

  const fiveHundreds = rig.answers.filter((a) => typeof a.status === 'number' && a.status >= 500 && a.status !== 503).length;
  const networkErrors = rig.answers.filter((a) => a.status === 'network error').length;
  const missing = await rig.missingBookings();
  const created = rig.answers.filter((a) => a.status === 201).length;
  say(`all phases: ${rig.answers.length} answers, ${created} bookings answered 201 of which ${missing.length} missing in the database (SQL); other 5xx than 503: ${fiveHundreds}; network errors: ${networkErrors}; process alive: ${rig.alive() ? 'yes' : 'NO'}`);

  // 5. Soak at about 20 requests/s.
  const pauseMs = Math.round((clients / 20) * 1000);
  const soakFrom = Date.now();
  const samples: { rssMb: number; fds: number; connections: number }[] = [];
  rig.startLoad(clients, { pauseMs });
  for (let t = 0; t < soakSeconds; t += 10) {
    await settle(Math.min(10, soakSeconds - t) * 1000);
    samples.push({ ...processFigures(rig.portal.pid), connections: Number((await rig.cluster.psql(`SELECT count(*) FROM pg_stat_activity WHERE datname = 'wm'`)).trim()) });
  }
  await rig.stopLoad();
  const soakAnswers = answersBetween(rig.answers, soakFrom, Date.now());
  const total = Object.values(soakAnswers).reduce((a, b) => a + b, 0);
  const first = samples[0];
  const last = samples.at(-1);
  say(
    `soak ${soakSeconds} s at ~${num(total / soakSeconds, 1)} req/s: ${byStatus(soakAnswers)}; RSS ${num(first?.rssMb, 0)} → ${num(last?.rssMb, 0)} MB (max ${num(Math.max(...samples.map((s) => s.rssMb)), 0)}), descriptors ${first?.fds} → ${last?.fds}, database connections ${first?.connections} → ${last?.connections}`,
  );

  // 6. SIGTERM under load.
  rig.startLoad(clients);
  await settle(2000);
  const term = Date.now();
  process.kill(rig.portal.pid, 'SIGTERM');
  let exitedAfter = NaN;
  for (let i = 0; i < 600; i++) {
    await settle(100);
    if (!rig.alive()) {
      exitedAfter = Date.now() - term;
      break;
    }
  }
  await rig.stopLoad();
  say(`SIGTERM under load (DRAIN_SECONDS=1): answers after it ${byStatus(answersBetween(rig.answers, term, Date.now()))}; exited after ${num(exitedAfter, 0)} ms`);
  const missingAfter = await rig.missingBookings();
  say(`after SIGTERM: ${rig.answers.filter((a) => a.status === 201).length} bookings answered 201 in all, ${missingAfter.length} missing in the database`);
  await close();
  return { title, lines };
}
