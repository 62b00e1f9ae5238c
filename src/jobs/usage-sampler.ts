// Once a minute, over all instances, one run records how many people are in each running meeting
// (usage statistics, issue #15): the service's head count on the web and the callers on the phone.
// pg-boss's schedule makes the one job a minute; the samples' key (booking, minute) makes a retried
// or repeated run add nothing.
import type { Logger } from 'pino';
import type { Clock } from '../ports.ts';
import type { PgUsageRepository } from '../db/usage-repository.ts';
import type { JobQueue } from './queue.ts';

export const USAGE_QUEUE = 'usage-sample';
/** More meetings than this at once is more than any licence this portal serves; the rest wait a minute. */
const MAX_MEETINGS = 500;
/** Services asked at once: a slow service must not hold the minute's other samples back. */
const PARALLEL = 8;

export type UsageSampler = { sampleNow(): Promise<number> };

export async function startUsageSampler(d: {
  queue: JobQueue;
  usage: PgUsageRepository;
  clock: Clock;
  logger: Logger;
  /** The service's count, or null when it cannot count (then no web figure is recorded). */
  webHeadCount: (bookingId: string) => Promise<number | null>;
  schedule: boolean;
  /** Told of each minute's running meetings after their samples (attendance); its failure is logged. */
  onSample?: (minute: Date, bookingIds: string[]) => Promise<void>;
}): Promise<UsageSampler> {
  async function sampleNow(): Promise<number> {
    const now = d.clock.now();
    const minute = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
    const running = await d.usage.running(now, MAX_MEETINGS);
    const samples: { bookingId: string; web: number | null; phone: number }[] = [];
    for (let i = 0; i < running.length; i += PARALLEL) {
      const batch = running.slice(i, i + PARALLEL);
      const counts = await Promise.all(
        batch.map((m) =>
          d.webHeadCount(m.bookingId).catch((err: unknown) => {
            d.logger.warn({ err, bookingId: m.bookingId }, 'participant count failed; this minute has no sample for the meeting');
            return undefined;
          }),
        ),
      );
      batch.forEach((m, j) => {
        const web = counts[j];
        // No answer: no row (a missing minute, not a false "nobody there"). No counter: web unknown.
        if (web !== undefined) samples.push({ bookingId: m.bookingId, web, phone: m.phone });
      });
    }
    const recorded = await d.usage.record(minute, samples);
    if (d.onSample && running.length > 0) {
      await d.onSample(minute, running.map((m) => m.bookingId)).catch((err: unknown) => d.logger.warn({ err }, 'attendance sample failed; the next minute tries again'));
    }
    return recorded;
  }
  if (d.schedule) {
    await d.queue.define({ name: USAGE_QUEUE, retryLimit: 0 });
    await d.queue.work(USAGE_QUEUE, async () => void (await sampleNow()));
    await d.queue.boss.schedule(USAGE_QUEUE, '* * * * *');
  }
  return { sampleNow };
}
