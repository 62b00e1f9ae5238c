// Prometheus metrics: one registry per process, exposed at /metrics.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { LoopDelay } from './event-loop.ts';

/**
 * What the database says about the service at one moment, read once per scrape (every instance
 * reports the same figures: alert on any one of them, or on their maximum).
 */
export type OperationsSnapshot = {
  seatPool: number;
  seatsInUse: number;
  seatsBookedNextHour: number;
  meetingsRunning: number;
  /** Latest participant sample of each running meeting (web), and callers on the phone now. */
  participants: { web: number; phone: number };
  /** Jobs not yet done, by queue and state, with the age of the oldest (seconds). */
  jobs: { queue: string; state: string; count: number; oldestSeconds: number }[];
};

/** The pool's own counters (pg.Pool); PGlite has one connection and no queue. */
export type PoolCounts = { total: number; idle: number; waiting: number };

const MAIL_QUEUE = /^mail-(?!dead)/;

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'webmeetings_' });
  let loopDelay: (() => LoopDelay) | null = null;
  let operations: (() => Promise<OperationsSnapshot>) | null = null;
  let pool: (() => PoolCounts) | null = null;
  let ready: (() => Promise<boolean>) | null = null;
  // One database read serves every gauge of a scrape: the first gauge's collect() starts it, the
  // others await the same promise, and the next scrape reads again.
  let pending: Promise<OperationsSnapshot | null> | null = null;
  const snapshot = () => {
    if (!operations) return Promise.resolve(null);
    if (!pending) {
      pending = operations().catch(() => null);
      void pending.finally(() => setTimeout(() => (pending = null), 0));
    }
    return pending;
  };
  // The pool's counts as they were before this scrape's own reads (readiness, snapshot) asked it for
  // connections: pg-pool queues every request for a tick even with a connection idle, so counts read
  // during the scrape counted the scrape (an idle portal reported waiting 3, and the alerts fired for
  // ever). Scrapes at once (Prometheus and Zabbix) share the sample of the first, taken before any.
  let poolSample: PoolCounts | null = null;
  let scrapes = 0;
  const collectAll = registry.metrics.bind(registry);
  registry.metrics = async () => {
    if (scrapes++ === 0) poolSample = pool?.() ?? null;
    try {
      return await collectAll();
    } finally {
      if (--scrapes === 0) poolSample = null;
    }
  };
  /** A gauge of the service, set from the scrape's one database read. */
  const serviceGauge = (name: string, help: string, labelNames: string[], set: (gauge: Gauge, s: OperationsSnapshot) => void) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const s = await snapshot();
        if (s) set(this, s);
      },
    });
  return {
    registry,
    /** Where webmeetings_event_loop_delay_seconds reads from at each scrape (the watch behind /readyz). */
    watchEventLoop(source: () => LoopDelay) {
      loopDelay = source;
    },
    /** Where the service gauges (seats, meetings, participants, jobs, mail) read from at each scrape. */
    watchOperations(source: () => Promise<OperationsSnapshot>) {
      operations = source;
    },
    watchPool(source: () => PoolCounts) {
      pool = source;
    },
    /** What /readyz would answer now (true: 200). */
    watchReadiness(source: () => Promise<boolean>) {
      ready = source;
    },
    ready: new Gauge({
      name: 'webmeetings_ready',
      help: '1 while this instance’s /readyz answers 200 (database reachable, migrations done, event loop free)',
      registers: [registry],
      async collect() {
        if (ready) this.set((await ready().catch(() => false)) ? 1 : 0);
      },
    }),
    bookings: new Counter({
      name: 'webmeetings_bookings_total',
      help: 'Booking requests answered by this instance: action (create, series, change) and outcome (ok, or the refusal code)',
      labelNames: ['action', 'outcome'] as const,
      registers: [registry],
    }),
    providerCalls: new Histogram({
      name: 'webmeetings_provider_call_duration_seconds',
      help: 'Calls to the conferencing services by provider, operation and outcome (ok, error)',
      labelNames: ['provider', 'operation', 'outcome'] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    providerErrors: new Counter({
      name: 'webmeetings_provider_call_errors_total',
      help: 'Failed calls to the conferencing services by provider and operation',
      labelNames: ['provider', 'operation'] as const,
      registers: [registry],
    }),
    seatPool: serviceGauge(
      'webmeetings_seat_pool_seats',
      'The seat pool: the licence (size), seats of meetings running now (in_use), seats booked in the next hour (booked_next_hour)',
      ['state'],
      (g, s) => {
        g.labels('size').set(s.seatPool);
        g.labels('in_use').set(s.seatsInUse);
        g.labels('booked_next_hour').set(s.seatsBookedNextHour);
      },
    ),
    meetingsRunning: serviceGauge('webmeetings_meetings_running', 'Booked meetings in progress now', [], (g, s) => g.set(s.meetingsRunning)),
    participants: serviceGauge('webmeetings_participants', 'People in meetings now: web (the services’ latest counts) and phone (callers in the audio conferences)', ['kind'], (g, s) => {
      g.labels('web').set(s.participants.web);
      g.labels('phone').set(s.participants.phone);
    }),
    jobs: serviceGauge('webmeetings_jobs', 'Durable jobs not yet done, by queue and state (created, retry, active, failed)', ['queue', 'state'], (g, s) => {
      g.reset();
      for (const j of s.jobs) g.labels(j.queue, j.state).set(j.count);
    }),
    jobsOldest: serviceGauge('webmeetings_jobs_oldest_seconds', 'Age of the oldest job by queue and state: waiting (created, retry) since it was due, active since it started', ['queue', 'state'], (g, s) => {
      g.reset();
      for (const j of s.jobs) g.labels(j.queue, j.state).set(j.oldestSeconds);
    }),
    mailQueue: serviceGauge('webmeetings_mail_queue', 'Mail waiting to be composed or delivered: length (messages) and oldest (seconds since the oldest was due)', ['stat'], (g, s) => {
      const waiting = s.jobs.filter((j) => MAIL_QUEUE.test(j.queue) && (j.state === 'created' || j.state === 'retry'));
      g.labels('length').set(waiting.reduce((n, j) => n + j.count, 0));
      g.labels('oldest').set(Math.max(0, ...waiting.map((j) => j.oldestSeconds)));
    }),
    databasePool: new Gauge({
      name: 'webmeetings_db_pool_connections',
      help: 'Database pool of this instance: total, idle, and requests waiting for a connection',
      labelNames: ['state'] as const,
      registers: [registry],
      collect() {
        const p = poolSample ?? pool?.();
        if (!p) return;
        this.labels('total').set(p.total);
        this.labels('idle').set(p.idle);
        this.labels('waiting').set(p.waiting);
      },
    }),
    eventLoopDelay: new Gauge({
      name: 'webmeetings_event_loop_delay_seconds',
      help: 'How late the event loop ran over the last 10-20 s (what /readyz judges): median, 99th percentile and maximum',
      labelNames: ['stat'] as const,
      registers: [registry],
      collect() {
        if (!loopDelay) return;
        const d = loopDelay();
        for (const stat of ['p50', 'p99', 'max'] as const) this.labels(stat).set(d[stat]);
      },
    }),
    httpDuration: new Histogram({
      name: 'webmeetings_http_request_duration_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    overloadRefusals: new Counter({
      name: 'webmeetings_overload_refusals_total',
      help: 'Requests refused with 503 OVERLOADED: too many in progress (in-flight) or the event loop behind (event-loop)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    audioAdmission: new Histogram({
      name: 'webmeetings_audio_admission_seconds',
      help: 'From a caller’s complete PIN to the caller in the conference bridge',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    audioCallers: new Gauge({
      name: 'webmeetings_audio_callers',
      help: 'Phone callers in the audio conferences this instance runs (the ARI holder)',
      registers: [registry],
    }),
    ariConnected: new Gauge({
      name: 'webmeetings_ari_connected',
      help: '1 while this instance holds a connected Asterisk ARI events socket',
      registers: [registry],
    }),
  };
}
