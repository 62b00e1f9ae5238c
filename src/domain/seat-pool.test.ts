import { describe, expect, it } from 'vitest';
import { peakSeats, seatTimeline } from './seat-pool.ts';

const at = (h: number, m = 0) => new Date(Date.UTC(2026, 3, 1, h, m));
const use = (s: number, e: number, seats: number) => ({ start: at(s), end: at(e), seats });

describe('seatTimeline', () => {
  it('is one step of zero for an empty day', () => {
    expect(seatTimeline([], at(0), at(24))).toEqual([{ start: at(0), end: at(24), seatsUsed: 0 }]);
  });

  it('adds overlapping meetings and treats end as exclusive', () => {
    const steps = seatTimeline([use(9, 11, 100), use(10, 12, 50), use(12, 13, 50)], at(8), at(14));
    expect(steps.map((s) => [s.start.getUTCHours(), s.end.getUTCHours(), s.seatsUsed])).toEqual([
      [8, 9, 0],
      [9, 10, 100],
      [10, 11, 150],
      [11, 13, 50],
      [13, 14, 0],
    ]);
  });

  it('clips meetings that start before or end after the range', () => {
    const steps = seatTimeline([use(6, 10, 20)], at(8), at(12));
    expect(steps.map((s) => s.seatsUsed)).toEqual([20, 0]);
    expect(steps[0]!.start).toEqual(at(8));
  });
});

describe('peakSeats', () => {
  it('finds the highest use and where it is first reached', () => {
    const p = peakSeats([use(9, 11, 100), use(10, 12, 300), use(11, 12, 300)], at(9), at(12));
    expect(p).toEqual({ start: at(11), end: at(12), seatsUsed: 600 });
  });
  it('does not count a meeting that ends when the next begins', () => {
    expect(peakSeats([use(9, 10, 400), use(10, 11, 400)], at(9), at(11)).seatsUsed).toBe(400);
  });
});
