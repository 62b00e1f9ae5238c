// The licence seat pool: at any instant, the seats of all confirmed bookings running then, summed
// over every room, must stay within the pool. These functions answer "how many seats are used when"
// from a list of bookings; the database runs the same sweep under locks (db/booking-repository.ts).

export type SeatUsage = { start: Date; end: Date; seats: number };
export type SeatStep = { start: Date; end: Date; seatsUsed: number };

/** Seats in use over [from, to) as a step function: consecutive intervals of constant use. */
export function seatTimeline(usages: readonly SeatUsage[], from: Date, to: Date): SeatStep[] {
  const f = from.getTime();
  const t = to.getTime();
  if (t <= f) return [];
  const deltas = new Map<number, number>();
  const add = (at: number, d: number) => deltas.set(at, (deltas.get(at) ?? 0) + d);
  let initial = 0;
  for (const u of usages) {
    const s = u.start.getTime();
    const e = u.end.getTime();
    if (e <= f || s >= t) continue;
    if (s <= f) initial += u.seats;
    else add(s, u.seats);
    if (e < t) add(e, -u.seats);
  }
  const points = [...deltas.keys()].sort((a, b) => a - b);
  const steps: SeatStep[] = [];
  let used = initial;
  let cursor = f;
  for (const p of points) {
    const d = deltas.get(p) ?? 0;
    if (d === 0) continue;
    if (p > cursor) steps.push({ start: new Date(cursor), end: new Date(p), seatsUsed: used });
    used += d;
    cursor = p;
  }
  steps.push({ start: new Date(cursor), end: new Date(t), seatsUsed: used });
  // Merge neighbours with the same use (a start and an end at one instant may leave the level unchanged).
  return steps.reduce<SeatStep[]>((acc, s) => {
    const last = acc[acc.length - 1];
    if (last && last.seatsUsed === s.seatsUsed) last.end = s.end;
    else acc.push({ ...s });
    return acc;
  }, []);
}

/** The highest use over [from, to) and the first interval where it is reached. */
export function peakSeats(usages: readonly SeatUsage[], from: Date, to: Date): SeatStep {
  const steps = seatTimeline(usages, from, to);
  let peak: SeatStep = { start: from, end: to, seatsUsed: 0 };
  for (const s of steps) if (s.seatsUsed > peak.seatsUsed) peak = s;
  return peak;
}
