// Prometheus metrics: one registry per process, exposed at /metrics.
import { Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'webmeetings_' });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'webmeetings_http_request_duration_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
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
