// Expires the requests whose time has come, once a minute on the durable queue (pg-boss schedules
// it once for all instances; RequestService.expireDue is safe even when two sweeps overlap).
import type { Logger } from 'pino';
import type { RequestService } from '../app/requests.ts';
import type { JobQueue } from './queue.ts';

export const REQUEST_EXPIRY_QUEUE = 'request-expiry';

export async function startRequestExpiry(d: { queue: JobQueue; requests: RequestService; logger: Logger }): Promise<void> {
  await d.queue.define({ name: REQUEST_EXPIRY_QUEUE, retryLimit: 1 });
  await d.queue.work(REQUEST_EXPIRY_QUEUE, async () => {
    const n = await d.requests.expireDue();
    if (n > 0) d.logger.info({ event: 'requests.expired', count: n }, `${n} booking requests expired`);
  });
  await d.queue.boss.schedule(REQUEST_EXPIRY_QUEUE, '* * * * *');
}
