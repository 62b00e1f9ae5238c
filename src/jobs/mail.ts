// The mail jobs: compose (a change → one mail per recipient, enqueued together), deliver (one SMTP
// send each, in batches, retried with backoff while the server refuses or is down), and the reminder sweep (every
// minute, claims the reminders that are due). All state is in the database, so any number of
// instances share the work and each mail goes out once.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import type { Notices } from '../db/notices.ts';
import { PgBookingRepository } from '../db/booking-repository.ts';
import { PgMailRepository } from '../db/mail-repository.ts';
import type { Clock } from '../ports.ts';
import { MailComposer, type ComposeJob } from '../notify/compose.ts';
import { COMPOSE_QUEUE } from '../notify/listeners.ts';
import type { Mailer, OutgoingMail } from '../notify/mailer.ts';
import { noMeetingDetails } from '../notify/meeting-details.ts';
import type { MailConfig } from '../notify/settings.ts';
import type { JobQueue } from './queue.ts';

export const DELIVER_QUEUE = 'mail-deliver';
export const REMINDER_QUEUE = 'mail-reminders';
export const DEAD_MAIL_QUEUE = 'mail-dead';
// A reminder whose time passed longer ago than this (the portal was down) is no longer sent.
const REMINDER_WINDOW_MINUTES = 30;

/** A UUID (RFC 9562 version 8) from the compose job and the recipient: the same pair, the same delivery. */
export function deliveryId(composeJobId: string, to: string): string {
  const h = createHash('sha256').update(`${composeJobId}\n${to.toLowerCase()}`).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export type MailJobs = { composer: MailComposer; sweepReminders(): Promise<number> };

export async function startMailJobs(deps: { queue: JobQueue; database: Database; notices: Notices; mailer: Mailer; clock: Clock; config: MailConfig; logger: Logger }): Promise<MailJobs> {
  const { queue, database, notices, mailer, clock, config, logger } = deps;
  const composer = new MailComposer({ bookings: new PgBookingRepository(database.db, notices.send), people: new PgMailRepository(database.db), config, details: noMeetingDetails, now: () => clock.now() });
  await queue.define({ name: COMPOSE_QUEUE, retryLimit: 5, retryDelaySeconds: config.retryDelaySeconds });
  await queue.define({ name: DELIVER_QUEUE, retryLimit: config.retryLimit, retryDelaySeconds: config.retryDelaySeconds, retryDelayMaxSeconds: 3600, deadLetter: DEAD_MAIL_QUEUE });
  await queue.define({ name: REMINDER_QUEUE, retryLimit: 1 });

  // Composition reads in batches (jobs of one booking share their reads) and enqueues the whole
  // batch's mails in one statement. A delivery's id is derived from its compose job and recipient, so
  // a compose job that runs again (its worker died after the insert) enqueues nothing new: each mail
  // is delivered once.
  await queue.workBatch<ComposeJob>(
    COMPOSE_QUEUE,
    async (jobs) => {
      const composed = await composer.composeMany(jobs.map((j) => j.data));
      const deliveries = composed.flatMap((r, i) => (r.status === 'fulfilled' ? r.value.map((mail) => ({ id: deliveryId(jobs[i]!.id, mail.to), data: mail })) : []));
      await queue.enqueueMany(DELIVER_QUEUE, deliveries);
      return composed;
    },
    { pollingIntervalSeconds: 1, batchSize: config.batchSize, concurrency: config.workers, settleEach: true },
  );
  // Deliveries go out side by side over the transport's pooled connections; each job is settled on
  // its own, so a refused mail is retried alone and the others of its batch are never sent again.
  await queue.work<OutgoingMail>(
    DELIVER_QUEUE,
    async (mail, job) => {
      try {
        // Without SMTP the mailer logs `mail.not-sent` itself; `mail.sent` only for a mail the server took.
        if ((await mailer.send(mail)) === 'sent') logger.info({ event: 'mail.sent', to: mail.to, subject: mail.subject, method: mail.calendar?.method }, 'mail sent');
      } catch (err) {
        logger.warn({ event: 'mail.failed', to: mail.to, attempt: job.retryCount + 1, err }, 'mail not accepted by the SMTP server; the queue retries it');
        throw err;
      }
    },
    { pollingIntervalSeconds: 1, batchSize: config.batchSize, concurrency: config.workers, settleEach: true },
  );

  const sweepReminders = async () => {
    const now = clock.now();
    let n = 0;
    for (const minutes of config.reminderMinutes) {
      await database.db.transaction().execute(async (trx) => {
        const due = await new PgMailRepository(trx).claimDueReminders(now, minutes, REMINDER_WINDOW_MINUTES);
        for (const d of due) {
          await queue.enqueue(trx, COMPOSE_QUEUE, { kind: 'reminder', id: d.bookingId, minutesBefore: d.minutesBefore, startsAt: d.startsAt.toISOString() } satisfies ComposeJob);
        }
        n += due.length;
      });
    }
    return n;
  };
  if (config.reminderMinutes.length > 0) {
    await queue.work(REMINDER_QUEUE, async () => void (await sweepReminders()));
    await queue.boss.schedule(REMINDER_QUEUE, '* * * * *');
  }
  return { composer, sweepReminders };
}
