// Periodic purges of what would otherwise grow forever (idempotency keys, ended sessions, old wrong
// guest PINs; the retention issue adds more). One instance runs each purge per period
// (PgHousekeeping.due), the others skip it, so N instances do not multiply the work.
import type { Logger } from 'pino';
import type { PgHousekeeping } from '../db/housekeeping-repository.ts';

export type Purge = { name: string; everySeconds: number; run(): Promise<number> };

export type Housekeeping = { runNow(): Promise<Record<string, number>>; stop(): Promise<void> };

export function startHousekeeping(d: { store: PgHousekeeping; purges: Purge[]; tickSeconds: number; logger: Logger }): Housekeeping {
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const pass = async (force: boolean) => {
    const removed: Record<string, number> = {};
    for (const p of d.purges) {
      if (!force && !(await d.store.due(`purge.${p.name}`, p.everySeconds - 1))) continue;
      removed[p.name] = await p.run();
      if (removed[p.name]! > 0) d.logger.info({ event: 'housekeeping.purged', what: p.name, rows: removed[p.name] }, `purged ${removed[p.name]} ${p.name}`);
    }
    return removed;
  };
  const timer =
    d.tickSeconds > 0
      ? setInterval(() => {
          if (stopped) return;
          running = running.then(() => pass(false)).catch((err: unknown) => d.logger.warn({ err }, 'housekeeping failed; trying again next time'));
        }, d.tickSeconds * 1000)
      : null;
  timer?.unref();
  return {
    runNow: () => pass(true),
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running.catch(() => {});
    },
  };
}
