// Password-link mails: the worker makes the link (only its hash is stored), sends the mail at once
// and, when the send fails, drops the link before the queue retries the job with a new one. So the
// secret lives only in the mail, never in the job table. The same queue carries the notice that a
// password changed.
import type { Logger } from 'pino';
import { PASSWORD_MAIL_QUEUE, type PasswordMailJob, type PeopleService } from '../app/people.ts';
import type { Mailer } from '../notify/mailer.ts';
import type { Locale } from '../notify/messages.ts';
import { passwordChangedMail, passwordLinkMail } from '../notify/password-mail.ts';
import type { JobQueue } from './queue.ts';

export async function startPasswordMailJobs(deps: {
  queue: JobQueue;
  mailer: Mailer;
  people: PeopleService;
  logger: Logger;
  defaults: { locale: Locale; timeZone: string };
  retry: { limit: number; delaySeconds: number };
}): Promise<void> {
  const { queue, mailer, people, logger, defaults } = deps;
  await queue.define({ name: PASSWORD_MAIL_QUEUE, retryLimit: deps.retry.limit, retryDelaySeconds: deps.retry.delaySeconds, retryDelayMaxSeconds: 3600 });
  await queue.work<PasswordMailJob>(
    PASSWORD_MAIL_QUEUE,
    async (job, meta) => {
      if (job.kind === 'changed') {
        const notice = await people.prepareChangedMail(job);
        if (!notice) return;
        // Nothing to undo when the send fails: the queue retries the same notice.
        await mailer.send(passwordChangedMail(notice, defaults));
        logger.info({ event: 'mail.sent', to: notice.to, kind: 'password-changed' }, 'password change notice sent');
        return;
      }
      const link = await people.prepareLinkMail(job);
      // No account, a disabled one, or one that signs in elsewhere: nothing is sent, and the person
      // who asked learns nothing either way.
      if (!link) return;
      try {
        await mailer.send(passwordLinkMail(link, defaults));
        logger.info({ event: 'mail.sent', to: link.to, kind: `password-${link.purpose}` }, 'password link sent');
      } catch (err) {
        await people.dropLink(link.linkId);
        logger.warn({ event: 'mail.failed', to: link.to, attempt: meta.retryCount + 1, err }, 'password link not accepted by the SMTP server; the queue retries it');
        throw err;
      }
    },
    { pollingIntervalSeconds: 1 },
  );
}
