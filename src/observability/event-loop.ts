// How late the event loop runs, for /readyz and /metrics. One request that computes for seconds
// stalls every other request of the instance (a health check waited 22 s behind one rule
// expansion); an instance in that state should leave the load balancer's rotation until it
// recovers. Node's perf_hooks.monitorEventLoopDelay samples the delay of a timer every
// `resolution` ms in native code; its histogram is read, and emptied, once per window, and "recent"
// is the worse of the last full window and the current one, so a stall shows for one to two windows.
import { monitorEventLoopDelay, type ELDHistogram } from 'node:perf_hooks';

/** Seconds. */
export type LoopDelay = { p50: number; p99: number; max: number };

type Histogram = Pick<ELDHistogram, 'enable' | 'disable' | 'reset' | 'percentile' | 'max' | 'count'>;

const NS = 1e9;
// The histogram holds the interval between two ticks of a `resolution` ms timer: what exceeds the
// resolution is how late the loop ran.
const read = (h: Histogram, resolutionMs: number): LoopDelay => {
  const late = (ns: number) => Math.max(0, ns / NS - resolutionMs / 1000);
  return h.count === 0 ? { p50: 0, p99: 0, max: 0 } : { p50: late(h.percentile(50)), p99: late(h.percentile(99)), max: late(h.max) };
};

export class EventLoopWatch {
  private readonly histogram: Histogram;
  private readonly windowMs: number;
  private readonly resolutionMs: number;
  private last: LoopDelay = { p50: 0, p99: 0, max: 0 };
  private timer: NodeJS.Timeout | null = null;

  constructor(opts: { windowMs?: number; resolutionMs?: number; histogram?: Histogram } = {}) {
    this.windowMs = opts.windowMs ?? 10_000;
    this.resolutionMs = opts.resolutionMs ?? 20;
    this.histogram = opts.histogram ?? monitorEventLoopDelay({ resolution: this.resolutionMs });
  }

  start(): void {
    this.histogram.enable();
    this.timer = setInterval(() => this.rotate(), this.windowMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.histogram.disable();
  }

  /** Ends the current window. */
  rotate(): void {
    this.last = read(this.histogram, this.resolutionMs);
    this.histogram.reset();
  }

  recent(): LoopDelay {
    const now = read(this.histogram, this.resolutionMs);
    return { p50: Math.max(now.p50, this.last.p50), p99: Math.max(now.p99, this.last.p99), max: Math.max(now.max, this.last.max) };
  }
}
