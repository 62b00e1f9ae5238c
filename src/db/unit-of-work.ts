import type { JobOptions, JobScheduler, Repositories, RequestKey, RoomRepository, UnitOfWork } from '../ports.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { sqlState, type Db, type Executor } from './database.ts';
import { Notices, type Notice, type NoticeSink } from './notices.ts';
import { claimKey, claimKeys, IdempotentReplay, idempotencyScope, noteResource, noteResources, releaseKeys, type IdempotencyScope } from './idempotency.ts';
import { PgBookingRepository } from './booking-repository.ts';
import { PgRoomRepository } from './room-repository.ts';
import { PgInstitutionRepository } from './institution-repository.ts';
import { PgUserRepository } from './user-repository.ts';
import { PgAuditRepository } from './audit-repository.ts';
import { PgPasswordLinkRepository } from './password-link-repository.ts';
import { PgAudioRepository } from './audio-repository.ts';
import { PgSenderCountRepository } from './sender-count-repository.ts';
import { PgDelegationRepository } from './delegation-repository.ts';
import { PgWaitingListRepository } from './waiting-list-repository.ts';
import { PgBookingRequestRepository } from './request-repository.ts';
import { PgMeetingSchedule } from './provisioning-repository.ts';

type PendingJob = { name: string; data: object; options?: JobOptions | undefined };

/**
 * `notices`: where the repositories' change notices go (the transaction's list, or out at once).
 * `deferJob`: inside a transaction, jobs are collected and inserted in bulk before its commit.
 */
export function repositories(db: Executor, queue: JobQueue | undefined, notices: NoticeSink, deferJob?: (job: PendingJob) => void): Repositories {
  const jobs: JobScheduler = {
    async enqueue(name, data, options) {
      if (!queue) throw new Error(`No job queue: cannot enqueue ${name}`);
      if (deferJob) deferJob({ name, data, options });
      else await queue.enqueue(db, name, data, options);
    },
  };
  return {
    jobs,
    requests: new PgBookingRequestRepository(db),
    audio: new PgAudioRepository(db, notices),
    delegations: new PgDelegationRepository(db),
    senders: new PgSenderCountRepository(db),
    bookings: new PgBookingRepository(db, notices),
    rooms: new PgRoomRepository(db, notices),
    institutions: new PgInstitutionRepository(db),
    users: new PgUserRepository(db, notices),
    passwordLinks: new PgPasswordLinkRepository(db, notices),
    audit: new PgAuditRepository(db),
    waiting: new PgWaitingListRepository(db),
    meetings: new PgMeetingSchedule(db),
  };
}

// 40P01 deadlock (two exclusion checks or row locks waiting on each other), 40001 serialisation.
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 5;

export class PgUnitOfWork implements UnitOfWork {
  readonly repos: Repositories;
  private readonly db: Db;
  private readonly queue: JobQueue | undefined;
  private readonly notices: Notices;
  /**
   * `rooms`: what reads rooms outside a transaction (app/room-cache.ts in a portal). `notices`: this
   * instance's (db/notices.ts), through which its own caches hear each change at once: a
   * transaction's after its commit, before the caller goes on; a repository's outside one, at once.
   */
  constructor(db: Db, queue?: JobQueue, opts: { rooms?: RoomRepository | undefined; notices?: Notices | undefined } = {}) {
    this.db = db;
    this.queue = queue;
    this.notices = opts.notices ?? new Notices(db);
    const repos = repositories(db, queue, this.notices.send);
    this.repos = opts.rooms ? { ...repos, rooms: opts.rooms } : repos;
  }

  currentKey(): RequestKey | null {
    const scope = idempotencyScope.getStore();
    return scope && !scope.committed ? (scope as unknown as RequestKey) : null;
  }

  async transaction<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    // A request with an Idempotency-Key: its key is written in this same transaction.
    const scope = idempotencyScope.getStore();
    const keyed = scope && !scope.committed ? scope : null;
    return this.run(
      async (trx, repos) => {
        if (keyed) await claimKey(trx, keyed);
        const out = await work(repos);
        if (keyed) await noteResource(trx, keyed, out);
        return out;
      },
      () => {
        if (keyed) keyed.committed = true;
      },
    );
  }

  async transactionForEach<T>(keys: readonly (RequestKey | null)[], work: (repos: Repositories, live: readonly number[]) => Promise<(T | Error)[]>): Promise<(T | Error)[]> {
    const scopes = keys as readonly (IdempotencyScope | null)[];
    let kept: IdempotencyScope[] = [];
    const outcome = await this.run(
      async (trx, repos) => {
        const taken = await claimKeys(trx, scopes.filter((s): s is IdempotencyScope => s !== null));
        const live = scopes.flatMap((s, i) => (s && taken.has(s) ? [] : [i]));
        const results = await work(repos, live);
        const all: (T | Error)[] = scopes.map(() => new IdempotentReplay());
        for (const [k, i] of live.entries()) all[i] = results[k]!;
        const keyedLive = live.filter((i) => scopes[i]);
        const made = keyedLive.filter((i) => !(all[i] instanceof Error));
        await releaseKeys(trx, keyedLive.filter((i) => all[i] instanceof Error).map((i) => scopes[i]!));
        await noteResources(trx, made.map((i) => ({ scope: scopes[i]!, result: all[i] })));
        kept = made.map((i) => scopes[i]!);
        return all;
      },
      () => {
        for (const s of kept) s.committed = true;
      },
    );
    return outcome;
  }

  /** A transaction with its deferred jobs and notices, retried on a deadlock or serialisation failure. */
  private async run<T>(work: (trx: Executor, repos: Repositories) => Promise<T>, committed: () => void): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        const notices: Notice[] = [];
        const collect: NoticeSink = async (n) => void notices.push(...n);
        // The jobs of this transaction, inserted just before it commits, one statement per queue: a
        // series of 200 occurrences enqueued 200 provisioning jobs one statement each (a third of
        // its time in the series benchmark). They still commit or roll back with the transaction.
        const jobs: PendingJob[] = [];
        const result = await this.db.transaction().execute(async (trx) => {
          const out = await work(trx, repositories(trx, this.queue, collect, this.queue && ((job) => jobs.push(job))));
          if (jobs.length > 0) await this.queue!.enqueueBatch(trx, jobs);
          return out;
        });
        committed();
        await this.notices.send(notices);
        return result;
      } catch (e) {
        const code = sqlState(e);
        if (!code || !RETRYABLE.has(code) || attempt >= MAX_ATTEMPTS) throw e;
        await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
      }
    }
  }
}
