// A closed-loop load: N clients, each sending its next request when the previous one answered, for
// a fixed time after a warm-up. Only answers that arrive inside the measured window count, so the
// rate is answers per second of that window and the latencies are of those same answers.

export type LoopResult = {
  /** Answers by outcome label (e.g. "201", "409", "inserted", "error"). */
  outcomes: Map<string, number>;
  latenciesMs: number[];
  seconds: number;
  firstError: string | undefined;
};

export type LoopOptions = {
  clients: number;
  warmupMs: number;
  durationMs: number;
  /** One request; resolves to its outcome label. A throw counts as "error". */
  request: (client: number) => Promise<string>;
  /** Called when the measured window opens and closes (e.g. to sample CPU time). */
  onWindow?: { open(): void; close(): void };
};

export async function runClosedLoop(o: LoopOptions): Promise<LoopResult> {
  const outcomes = new Map<string, number>();
  const latenciesMs: number[] = [];
  let firstError: string | undefined;
  const begin = performance.now();
  const windowStart = begin + o.warmupMs;
  const windowEnd = windowStart + o.durationMs;
  const opened = setTimeout(() => o.onWindow?.open(), o.warmupMs);
  const closed = setTimeout(() => o.onWindow?.close(), o.warmupMs + o.durationMs);

  const client = async (id: number) => {
    while (performance.now() < windowEnd) {
      const t0 = performance.now();
      let outcome: string;
      try {
        outcome = await o.request(id);
      } catch (e) {
        outcome = 'error';
        firstError ??= e instanceof Error ? `${e.message}${'code' in e ? ` (${String(e.code)})` : ''}` : String(e);
      }
      const t1 = performance.now();
      if (t1 >= windowStart && t1 <= windowEnd) {
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        latenciesMs.push(t1 - t0);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: o.clients }, (_, i) => client(i)));
  } finally {
    clearTimeout(opened);
    clearTimeout(closed);
  }
  return { outcomes, latenciesMs, seconds: o.durationMs / 1000, firstError };
}
