// Prometheus metrics: one registry per process, exposed at /metrics.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { LoopDelay } from './event-loop.ts';

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'webmeetings_' });
  let loopDelay: (() => LoopDelay) | null = null;
  return {
    registry,
    /** Where webmeetings_event_loop_delay_seconds reads from at each scrape (the watch behind /readyz). */
    watchEventLoop(source: () => LoopDelay) {
      loopDelay = source;
    },
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
