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
    const watch = new EventLoopWatch({ histogram: h });
    expect(watch.recent()).toEqual({ p50: 0, p99: 0, max: 0 });
    for (let i = 0; i < 99; i++) h.record(20);
    h.record(1500);
    expect(watch.recent().max).toBe(1.5);
    expect(watch.recent().p50).toBe(0.02);
    watch.rotate();
    h.record(20);
    expect(watch.recent().max).toBe(1.5);
    watch.rotate();
    h.record(20);
    expect(watch.recent()).toEqual({ p50: 0.02, p99: 0.02, max: 0.02 });
  });
});
