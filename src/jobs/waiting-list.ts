// The waiting list's durable work: the offer job (a change that freed time enqueues it in its own
// transaction), the sweep that ends due holds and offers their slots (a job at each hold's end and
// every minute, on whichever instance pg-boss gives it to; the sweep itself is safe on several at
// once), and the hold's mail,
// enqueued on the mail queue inside the hold's transaction.
import type { Logger } from 'pino';
import type { BookingService } from '../app/bookings.ts';
import { WAITING_OFFER_QUEUE, type WaitingListService, type WaitingOfferJob } from '../app/waiting-list.ts';
import type { Locale } from '../notify/messages.ts';
import { holdMail } from '../notify/waiting-list-mail.ts';
import { DELIVER_QUEUE } from './mail.ts';
import type { JobQueue } from './queue.ts';

export const WAITING_SWEEP_QUEUE = 'waiting-list-sweep';

export async function startWaitingListJobs(deps: {
  queue: JobQueue;
  waitingList: WaitingListService;
  bookings: BookingService;
  logger: Logger;
  publicUrl: string;
  defaultLocale: Locale;
  /** False in tests that sweep by hand at a fixed clock. */
  schedule?: boolean;
}): Promise<void> {
  const { queue, waitingList, logger } = deps;
  // Registered here, with the queue its offer jobs go to (a portal without a queue has no offers).
  deps.bookings.onChange(waitingList.listener);
  waitingList.onHold = async (r, offer) => {
    const user = await r.users.findById(offer.entry.userId);
    if (!user) return;
    const mail = holdMail(offer, { email: user.email, name: user.name, locale: user.locale ?? deps.defaultLocale }, deps.publicUrl);
    await r.jobs.enqueue(DELIVER_QUEUE, mail);
    // A sweep when the hold ends, so the next person is offered the slot then rather than at the
    // next minute's scheduled sweep (which stays as the backstop). Sweeping twice changes nothing.
    if (offer.entry.holdExpiresAt) await r.jobs.enqueue(WAITING_SWEEP_QUEUE, {}, { startAfter: offer.entry.holdExpiresAt });
    logger.info({ event: 'waiting-list.held', entryId: offer.entry.id, roomId: offer.room.id, until: offer.entry.holdExpiresAt }, 'slot held for a person waiting');
  };
  await queue.define({ name: WAITING_OFFER_QUEUE, retryLimit: 10, retryDelaySeconds: 5 });
  await queue.define({ name: WAITING_SWEEP_QUEUE, retryLimit: 1 });
  await queue.work<WaitingOfferJob>(WAITING_OFFER_QUEUE, async (job) => void (await waitingList.offerFreed({ start: new Date(job.start), end: new Date(job.end) })), { pollingIntervalSeconds: 1 });
  await queue.work(WAITING_SWEEP_QUEUE, async () => {
    const swept = await waitingList.sweep();
    if (swept.expiredHolds + swept.expiredWaiting > 0) logger.info({ event: 'waiting-list.swept', ...swept }, 'waiting-list holds and entries expired');
  });
  if (deps.schedule !== false) await queue.boss.schedule(WAITING_SWEEP_QUEUE, '* * * * *');
}
