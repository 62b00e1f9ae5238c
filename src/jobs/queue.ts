// The durable job queue: pg-boss in the same PostgreSQL (or PGlite) as the bookings, on the same
// pool. A job enqueued inside a booking transaction commits or rolls back with it, so there is no
// booking without its job and no job for a booking that was rolled back. pg-boss claims jobs with
// SKIP LOCKED, so with several server instances each job runs once.
import { PgBoss, fromKysely } from 'pg-boss';
import type { Logger } from 'pino';
import { sqlState, type Database, type Executor } from '../db/database.ts';
import type { StalledJob } from '../ports.ts';

export type EnqueueOptions = {
  startAfter?: Date;
  /** At most one queued job per key (pg-boss singleton). */
  singletonKey?: string;
  retryLimit?: number;
  retryDelaySeconds?: number;
};

export type QueueDefinition = {
  name: string;
  retryLimit?: number;
  retryDelaySeconds?: number;
  retryDelayMaxSeconds?: number;
  /** Jobs that exhausted their retries move here, where admins see them and retry them. */
  deadLetter?: string;
  /** Longest a job may run; past it pg-boss fails it and it is retried. Set from the work's real length. */
  expireInSeconds?: number;
  /**
   * A running job's worker refreshes its heartbeat every half of this; a job whose worker died (a
   * killed process) is failed and retried after it, not after the 15-minute expiry (minimum 10).
   */
  heartbeatSeconds?: number;
};


export type JobHandler<T> = (data: T, job: { id: string; retryCount: number }) => Promise<void>;

export class JobQueue {
  readonly boss: PgBoss;
  private readonly logger: Logger;
  private readonly database: Database;
  private started = false;
  private readonly deleteAfterSeconds: number;

  /** `jobRetentionDays`: how long a finished job (done, failed, cancelled) stays before pg-boss deletes it. */
  constructor(database: Database, logger: Logger, opts: { jobRetentionDays?: number } = {}) {
    this.logger = logger;
    this.database = database;
    this.deleteAfterSeconds = Math.round((opts.jobRetentionDays ?? 7) * 86_400);
    this.boss = new PgBoss({
      db: { executeSql: (text: string, values?: unknown[]) => database.pool.query(text, values as unknown[]) },
      ...(database.kind === 'pglite' ? { backend: 'pglite' as const } : {}),
      schema: 'pgboss',
      // How often expired jobs and jobs without heartbeat are failed (and so retried): every 15 s,
      // so a killed instance's jobs run again within about half a minute.
      superviseIntervalSeconds: 15,
    });
    this.boss.on('error', (err: unknown) => this.logger.error({ err }, 'job queue error'));
  }

  async start(): Promise<void> {
    if (this.started) return;
    // Two instances starting together on a fresh database race to create pg-boss's schema; the loser
    // gets 23505 (duplicate key) and, once the winner has installed it, starts normally.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.boss.start();
        break;
      } catch (e) {
        if (sqlState(e) !== '23505' || attempt >= 5) throw e;
        this.logger.info('job queue schema being installed by another instance; starting again');
        await new Promise((r) => setTimeout(r, 250 * attempt));
      }
    }
    this.started = true;
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.boss.stop({ graceful: true, timeout: 10_000 });
  }

  async define(q: QueueDefinition): Promise<void> {
    // pg-boss's own retention (queue option deleteAfterSeconds): its supervision deletes finished
    // jobs older than this, so the job table stays bounded. Dead letters are kept as long.
    const retention = { deleteAfterSeconds: this.deleteAfterSeconds };
    if (q.deadLetter) {
      const made = await this.boss.createQueue(q.deadLetter, retention).then(
        () => true,
        (e: unknown) => (ignoreExists(e), false),
      );
      if (!made) await this.boss.updateQueue(q.deadLetter, retention);
    }
    const options = {
      ...retention,
      retryLimit: q.retryLimit ?? 8,
      retryDelay: q.retryDelaySeconds ?? 5,
      retryBackoff: true,
      ...(q.retryDelayMaxSeconds !== undefined && { retryDelayMax: q.retryDelayMaxSeconds }),
      ...(q.deadLetter !== undefined && { deadLetter: q.deadLetter }),
      ...(q.expireInSeconds !== undefined && { expireInSeconds: q.expireInSeconds }),
      ...(q.heartbeatSeconds !== undefined && { heartbeatSeconds: q.heartbeatSeconds }),
    };
    const created = await this.boss.createQueue(q.name, options).then(
      () => true,
      (e: unknown) => (ignoreExists(e), false),
    );
    // A queue made by an earlier version keeps its old settings unless told.
    if (!created) await this.boss.updateQueue(q.name, options);
  }

  /** Active jobs of these queues whose worker has not beaten for `graceSeconds` (or, without heartbeats, ran that long). */
  async stalled(queues: string[], graceSeconds: number): Promise<StalledJob[]> {
    const { rows } = await this.database.pool.query<{ id: string; name: string; data: unknown; started_on: Date; heartbeat_on: Date | null }>(
      `SELECT id, name, data, started_on, heartbeat_on FROM pgboss.job
        WHERE name = ANY($1) AND state = 'active' AND coalesce(heartbeat_on, started_on) < now() - make_interval(secs => $2)
        ORDER BY started_on LIMIT 100`,
      [queues, graceSeconds],
    );
    return rows.map((r) => ({ id: r.id, queue: r.name, data: r.data, startedAt: r.started_on, heartbeatAt: r.heartbeat_on }));
  }

  /** Enqueues a job, inside `trx` when given (committed or discarded with it). */
  async enqueue(trx: Executor | undefined, name: string, data: object, o: EnqueueOptions = {}): Promise<string | null> {
    const options = {
      ...(o.startAfter && { startAfter: o.startAfter }),
      ...(o.singletonKey && { singletonKey: o.singletonKey }),
      ...(o.retryLimit !== undefined && { retryLimit: o.retryLimit }),
      ...(o.retryDelaySeconds !== undefined && { retryDelay: o.retryDelaySeconds, retryBackoff: true }),
      ...(trx && { db: fromKysely(trx) }),
    };
    return this.boss.send(name, data, options);
  }

  /**
   * Enqueues jobs of any queues inside `trx`: one statement per queue, whatever their number (a
   * transaction collects its jobs and sends them here just before it commits: db/unit-of-work.ts).
   */
  async enqueueBatch(trx: Executor, jobs: readonly { name: string; data: object; options?: EnqueueOptions | undefined }[]): Promise<void> {
    const byQueue = new Map<string, { data: object; options?: EnqueueOptions | undefined }[]>();
    for (const j of jobs) byQueue.set(j.name, [...(byQueue.get(j.name) ?? []), j]);
    for (const [name, list] of byQueue) {
      if (list.length === 1) {
        await this.enqueue(trx, name, list[0]!.data, list[0]!.options);
        continue;
      }
      await this.boss.insert(
        name,
        list.map(({ data, options: o = {} }) => ({
          data,
          ...(o.startAfter && { startAfter: o.startAfter }),
          ...(o.singletonKey && { singletonKey: o.singletonKey }),
          ...(o.retryLimit !== undefined && { retryLimit: o.retryLimit }),
          ...(o.retryDelaySeconds !== undefined && { retryDelay: o.retryDelaySeconds, retryBackoff: true }),
        })),
        { db: fromKysely(trx) },
      );
    }
  }

  /**
   * Enqueues many jobs in one statement. Each has its own id: a job whose id is already in the queue
   * is skipped (pg-boss inserts with ON CONFLICT DO NOTHING), so a retried producer that derives the
   * ids from its own job id cannot enqueue the same work twice.
   */
  async enqueueMany(name: string, jobs: { id: string; data: object }[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.boss.insert(name, jobs);
  }

  /**
   * Runs `handler` for each job. With `batchSize` > 1 a worker fetches that many jobs at once and runs
   * them side by side; if one fails, the batch is retried, so handlers must be idempotent, unless
   * `settleEach` (see `workBatch`). `concurrency` workers run per instance.
   */
  async work<T extends object>(name: string, handler: JobHandler<T>, opts: WorkOptions = {}): Promise<void> {
    await this.workBatch<T>(name, (jobs) => Promise.allSettled(jobs.map((job) => handler(job.data, job))), opts);
  }

  /**
   * Like `work`, but the handler sees the whole batch at once (to share reads between its jobs) and
   * answers one outcome per job, in the same order. With `settleEach` each job is settled on its own
   * (pg-boss `perJobResults`: a failing job is retried alone, the others of its batch are done) and,
   * while fetches come back full, the worker fetches again at once instead of waiting for the poll.
   */
  async workBatch<T extends object>(
    name: string,
    handler: (jobs: { id: string; data: T; retryCount: number }[]) => Promise<PromiseSettledResult<unknown>[]>,
    opts: WorkOptions = {},
  ): Promise<void> {
    const batchSize = opts.batchSize ?? 1;
    const base = { pollingIntervalSeconds: opts.pollingIntervalSeconds ?? 2, batchSize, localConcurrency: opts.concurrency ?? 1 };
    const toJobs = (jobs: { id: string; data: T }[]) => jobs.map((job) => ({ id: job.id, data: job.data, retryCount: (job as { retryCount?: number }).retryCount ?? 0 }));
    if (!opts.settleEach || batchSize === 1) {
      await this.boss.work<T>(name, base, async (jobs) => {
        const failed = (await handler(toJobs(jobs))).find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (failed) throw failed.reason;
      });
      return;
    }
    await this.boss.work<T>(name, { ...base, burstWhenBatchFull: true, perJobResults: true }, async (jobs) => {
      const results = await handler(toJobs(jobs));
      return jobs.map((job, i) => {
        const r = results[i];
        if (r?.status === 'fulfilled') return { id: job.id, status: 'completed' as const };
        const err = r?.reason;
        this.logger.warn({ err, queue: name, jobId: job.id }, 'job failed; the queue retries it');
        return { id: job.id, status: 'failed' as const, output: { message: err instanceof Error ? err.message : String(err) } };
      });
    });
  }
}

export type WorkOptions = { pollingIntervalSeconds?: number; batchSize?: number; concurrency?: number; settleEach?: boolean };

function ignoreExists(e: unknown) {
  if (!/already exists/i.test(String((e as Error)?.message))) throw e;
}
