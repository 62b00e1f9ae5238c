// The mail jobs: compose (a change → one mail per recipient, enqueued together), deliver (one SMTP
// send, retried with backoff while the server refuses or is down), and the reminder sweep (every
// minute, claims the reminders that are due). All state is in the database, so any number of
// instances share the work and each mail goes out once.
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
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

export type MailJobs = { composer: MailComposer; sweepReminders(): Promise<number> };

export async function startMailJobs(deps: { queue: JobQueue; database: Database; mailer: Mailer; clock: Clock; config: MailConfig; logger: Logger }): Promise<MailJobs> {
  const { queue, database, mailer, clock, config, logger } = deps;
  const composer = new MailComposer({ bookings: new PgBookingRepository(database.db), people: new PgMailRepository(database.db), config, details: noMeetingDetails });
  await queue.define({ name: COMPOSE_QUEUE, retryLimit: 5, retryDelaySeconds: config.retryDelaySeconds });
  await queue.define({ name: DELIVER_QUEUE, retryLimit: config.retryLimit, retryDelaySeconds: config.retryDelaySeconds, retryDelayMaxSeconds: 3600, deadLetter: DEAD_MAIL_QUEUE });
  await queue.define({ name: REMINDER_QUEUE, retryLimit: 1 });

  await queue.work<ComposeJob>(
    COMPOSE_QUEUE,
    async (job) => {
      const mails = await composer.compose(job);
      // All of a change's mails are enqueued together or not at all (a retry does not double them).
      await database.db.transaction().execute(async (trx) => {
        for (const mail of mails) await queue.enqueue(trx, DELIVER_QUEUE, mail);
      });
    },
    { pollingIntervalSeconds: 1 },
  );
  await queue.work<OutgoingMail>(
    DELIVER_QUEUE,
    async (mail, job) => {
      try {
        await mailer.send(mail);
        logger.info({ event: 'mail.sent', to: mail.to, subject: mail.subject, method: mail.calendar?.method }, 'mail sent');
      } catch (err) {
        logger.warn({ event: 'mail.failed', to: mail.to, attempt: job.retryCount + 1, err }, 'mail not accepted by the SMTP server; the queue retries it');
        throw err;
      }
    },
    { pollingIntervalSeconds: 1 },
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
