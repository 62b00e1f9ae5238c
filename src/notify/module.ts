// Wires mail: the SMTP (or logging) mailer, the mail jobs, and the listeners on bookings, series
// and invitees. `setMeetingDetails` is where provisioning and audio plug in the join link, guest
// link and dial-in numbers shown in mails and calendar entries.
import type { Logger } from 'pino';
import type { InviteeService } from '../app/invitees.ts';
import type { BookingService } from '../app/bookings.ts';
import type { RequestService } from '../app/requests.ts';
import { requestMailListener } from './request-mail.ts';
import type { SeriesService } from '../app/series.ts';
import type { PeopleService } from '../app/people.ts';
import { startPasswordMailJobs } from '../jobs/password-mail.ts';
import { startDelegationMailJobs } from '../jobs/delegation-mail.ts';
import type { DelegationService } from '../app/delegation.ts';
import type { Database } from '../db/database.ts';
import type { Notices } from '../db/notices.ts';
import { startMailJobs } from '../jobs/mail.ts';
import type { JobQueue } from '../jobs/queue.ts';
import type { Clock } from '../ports.ts';
import { mailListeners } from './listeners.ts';
import type { InvitationLimits } from '../app/sender-limits.ts';
import { createMailer } from './mailer.ts';
import type { MeetingDetailsSource } from './meeting-details.ts';
import type { MailConfig } from './settings.ts';

export type NotifyModule = {
  mailConfigured: boolean;
  setMeetingDetails(source: MeetingDetailsSource): void;
  /** Enqueues the reminders due now (also run every minute by the queue's schedule). */
  sweepReminders(): Promise<number>;
  close(): void;
};

export async function startNotify(deps: {
  config: MailConfig;
  /** Mails a person's changes may cause per hour (counted where the change enqueues them). */
  limits: InvitationLimits;
  queue: JobQueue;
  database: Database;
  /** The instance's change notices (db/notices.ts). */
  notices: Notices;
  clock: Clock;
  logger: Logger;
  services: { bookings: BookingService; requests: RequestService; series: SeriesService; calendar: { invitees: InviteeService }; people: PeopleService; delegation?: DelegationService };
  /** Zone of the times in mails to people whose own zone is unknown (password links). */
  defaultTimeZone: string;
}): Promise<NotifyModule> {
  const { config, logger, services } = deps;
  const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.from, logger });
  if (!mailer.configured) logger.warn({ event: 'mail.not-configured' }, 'SMTP_URL is not set: mails are written to the log instead of being sent');
  const jobs = await startMailJobs({ ...deps, mailer });
  await startPasswordMailJobs({
    queue: deps.queue,
    mailer,
    people: services.people,
    logger,
    defaults: { locale: config.defaultLocale, timeZone: deps.defaultTimeZone },
    retry: { limit: config.retryLimit, delaySeconds: config.retryDelaySeconds },
  });
  if (services.delegation) {
    await startDelegationMailJobs({
      queue: deps.queue,
      mailer,
      delegation: services.delegation,
      logger,
      defaultLocale: config.defaultLocale,
      retry: { limit: config.retryLimit, delaySeconds: config.retryDelaySeconds },
    });
  }
  const listeners = mailListeners(deps.limits, deps.clock);
  services.bookings.onChange(listeners.booking);
  services.series.onChange(listeners.series);
  services.calendar.invitees.onChange(listeners.invitee);
  services.requests.onChange(requestMailListener({ locale: config.defaultLocale, timeZone: deps.defaultTimeZone, publicUrl: config.publicUrl }, deps.limits, deps.clock));
  return {
    mailConfigured: mailer.configured,
    setMeetingDetails: (source) => {
      jobs.composer.details = source;
    },
    sweepReminders: jobs.sweepReminders,
    close: () => mailer.close(),
  };
}
