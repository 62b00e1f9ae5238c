import { describe, expect, it } from 'vitest';
import { EventLoopWatch } from './event-loop.ts';

/** A histogram fed by the test, in nanoseconds as perf_hooks gives them. */
function fakeHistogram() {
  let samples: number[] = [];
  return {
    record: (ms: number) => samples.push(ms * 1e6),
    enable: () => true,
    disable: () => true,
    reset: () => {
      samples = [];
    },
    get count() {
      return samples.length;
    },
    get max() {
      return Math.max(...samples);
    },
    percentile: (p: number) => [...samples].sort((a, b) => a - b)[Math.ceil((p / 100) * samples.length) - 1]!,
  };
}

describe('event loop watch', () => {
  it('reports a stall for the window it happened in and the next one, then forgets it', () => {
    const h = fakeHistogram();
    // Ticks every 20 ms: an interval of 30 ms is 10 ms late.
    const watch = new EventLoopWatch({ histogram: h, resolutionMs: 20 });
    expect(watch.recent()).toEqual({ p50: 0, p99: 0, max: 0 });
    for (let i = 0; i < 99; i++) h.record(30);
    h.record(1520);
    expect(watch.recent().max).toBeCloseTo(1.5);
    expect(watch.recent().p50).toBeCloseTo(0.01);
    watch.rotate();
    h.record(30);
    expect(watch.recent().max).toBeCloseTo(1.5);
    watch.rotate();
    h.record(20);
    expect(watch.recent().max).toBeCloseTo(0.01);
    watch.rotate();
    expect(watch.recent()).toEqual({ p50: 0, p99: 0, max: 0 });
  });
});
