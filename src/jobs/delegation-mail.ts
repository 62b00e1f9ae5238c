// Consent mails to delegates (issue #17): enqueued with the delegation, in its transaction; the
// worker reads the delegation when it runs, so a request withdrawn or answered meanwhile sends nothing.
import type { Logger } from 'pino';
import { DELEGATION_MAIL_QUEUE, type DelegationMailJob, type DelegationService } from '../app/delegation.ts';
import { delegationMail } from '../notify/delegation-mail.ts';
import type { Mailer } from '../notify/mailer.ts';
import type { Locale } from '../notify/messages.ts';
import type { JobQueue } from './queue.ts';

export async function startDelegationMailJobs(deps: {
  queue: JobQueue;
  mailer: Mailer;
  delegation: DelegationService;
  logger: Logger;
  defaultLocale: Locale;
  retry: { limit: number; delaySeconds: number };
}): Promise<void> {
  const { queue, mailer, delegation, logger } = deps;
  await queue.define({ name: DELEGATION_MAIL_QUEUE, retryLimit: deps.retry.limit, retryDelaySeconds: deps.retry.delaySeconds, retryDelayMaxSeconds: 3600 });
  await queue.work<DelegationMailJob>(
    DELEGATION_MAIL_QUEUE,
    async (job) => {
      const mail = await delegation.prepareMail(job);
      if (!mail) return;
      await mailer.send(delegationMail(mail, deps.defaultLocale));
      logger.info({ event: 'mail.sent', to: mail.to, kind: 'delegation-request' }, 'delegation request sent');
    },
    { pollingIntervalSeconds: 1 },
  );
}
