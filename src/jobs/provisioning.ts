// The provisioning workers. A booking change enqueues `provisioning.sync` inside the booking's own
// transaction (the listener below), so there is no booking without its job and no job for a
// rolled-back booking; pg-boss hands each job to one instance. Time-driven work (prepare at
// start - lead, retries after their backoff, end + grace) is stored as `due_at` in the portal's
// clock and picked up by a periodic tick; reconcile runs on one instance at a time.
import type { Logger } from 'pino';
import type { ProvisioningService } from '../app/provisioning.ts';
import type { BookingBatchListener, Clock } from '../ports.ts';
import type { JobQueue } from './queue.ts';

export const SYNC_QUEUE = 'provisioning.sync';
export const SYNC_DEAD_LETTER = 'provisioning.sync.dead';
export const SYNC_HEARTBEAT_SECONDS = 10;

/**
 * Runs inside the booking transaction: what it writes commits or rolls back with the booking.
 *
 * A new booking whose room is prepared later (at start - PROVISIONING_LEAD_MINUTES, still ahead)
 * gets its `pending` row here, due then, and no sync job: a sync now would only write that same
 * row, and it cost each booking a job fetch, five statements of the sync in their own commits, a
 * NOTIFY and the job's completion (bench/booking-downstream.ts counts them), which made the
 * booking API several times slower than its own transaction (bench/RESULTS.md, issue #13). The
 * periodic tick prepares the room when the row falls due, as it always did for pending rooms. A
 * booking to prepare now, every change and cancellation, and any booking when the tick is off
 * (PROVISIONING_TICK_SECONDS=0) enqueue the sync job as before.
 */
export function provisioningListener(o: { clock: Clock; leadMinutes: number; tickSeconds: number; defaultProvider: string }): BookingBatchListener {
  return async (repos, events) => {
    const now = o.clock.now().getTime();
    const later: { bookingId: string; roomId: string; dueAt: Date }[] = [];
    for (const event of events) {
      const prepareAt = event.after.start.getTime() - o.leadMinutes * 60_000;
      if (event.action === 'created' && o.tickSeconds > 0 && prepareAt > now) {
        later.push({ bookingId: event.after.id, roomId: event.after.roomId, dueAt: new Date(prepareAt) });
        continue;
      }
      await repos.jobs.enqueue(SYNC_QUEUE, { bookingId: event.after.id, action: event.action });
      if (event.before && event.before.id !== event.after.id) await repos.jobs.enqueue(SYNC_QUEUE, { bookingId: event.before.id, action: event.action });
    }
    await repos.meetings.pending(later, o.defaultProvider);
  };
}

export type ProvisioningWorkers = { stop(): Promise<void>; tickNow(): Promise<number> };

export async function startProvisioningWorkers(deps: {
  queue: JobQueue;
  service: ProvisioningService;
  store: { tryRun(name: string, everySeconds: number): Promise<boolean> };
  logger: Logger;
  /** Deadline of one call to a conferencing service: a sync makes a few, in sequence. */
  providerTimeoutMs: number;
}): Promise<ProvisioningWorkers> {
  const { queue, service, logger } = deps;
  const policy = service.policy;
  // pg-boss's own retries cover database trouble; provider failures are retried by the pipeline in
  // the portal's clock, so the job itself succeeds once the outcome is recorded.
  // A sync makes at most a handful of calls to a service, each bounded by its deadline: a job still
  // running after six of them is stuck. Its worker beats every 5 s; a killed process's jobs are
  // retried once the heartbeat is 10 s old (checked every 15 s), not after pg-boss's 15 minutes.
  await queue.define({
    name: SYNC_QUEUE,
    retryLimit: 5,
    retryDelaySeconds: 2,
    deadLetter: SYNC_DEAD_LETTER,
    expireInSeconds: Math.ceil((6 * deps.providerTimeoutMs) / 1000) + 30,
    heartbeatSeconds: SYNC_HEARTBEAT_SECONDS,
  });
  // Sync is idempotent, so a batch of 16 runs side by side (a failure retries the batch).
  await queue.work<{ bookingId: string }>(SYNC_QUEUE, (data) => service.sync(data.bookingId).then(() => undefined), { pollingIntervalSeconds: 0.5, batchSize: 16 });

  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const guarded = (what: string, fn: () => Promise<unknown>) => {
    if (stopped) return;
    running = running.then(fn).catch((err: unknown) => logger.error({ err }, `provisioning ${what} failed`));
  };
  // At start-up, catch up at once with what fell due while no instance ran (or one was killed).
  guarded('start-up sweep', async () => {
    await service.adoptMissing();
    await service.tick();
  });
  const timers: NodeJS.Timeout[] = [];
  if (policy.tickSeconds > 0) {
    timers.push(setInterval(() => guarded('tick', () => service.tick()), policy.tickSeconds * 1000));
  }
  if (policy.reconcileMinutes > 0) {
    const every = policy.reconcileMinutes * 60;
    timers.push(
      setInterval(
        () =>
          guarded('reconcile', async () => {
            if (await deps.store.tryRun('reconcile', every - 1)) {
              const r = await service.reconcile();
              if (r.released || r.recreated) logger.info(r, 'provisioning reconcile repaired meetings');
            }
          }),
        Math.min(every, 60) * 1000,
      ),
    );
  }
  for (const t of timers) t.unref();
  return {
    tickNow: () => service.tick(),
    async stop() {
      stopped = true;
      for (const t of timers) clearInterval(t);
      await running;
    },
  };
}
