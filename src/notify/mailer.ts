// Sends mail through SMTP (nodemailer, configured by URL), or, with no SMTP configured, logs the
// mail it would have sent so an installation without a mail server still works.
import nodemailer from 'nodemailer';
import type { Logger } from 'pino';

export type OutgoingMail = {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The iCalendar part: text/calendar; method=REQUEST|CANCEL (RFC 6047, 2.4). */
  calendar?: { method: 'REQUEST' | 'CANCEL'; content: string } | undefined;
  /** Where a reply goes: the booker, for the people invited to their meeting (the From stays the portal's). */
  replyTo?: string | undefined;
  /** Further header fields (an invitee's List-Unsubscribe). */
  headers?: Record<string, string> | undefined;
};

/** What became of a mail: handed to the SMTP server, or (no SMTP configured) only written to the log. */
export type MailOutcome = 'sent' | 'logged';

export interface Mailer {
  readonly configured: boolean;
  /** Sends one mail; the caller logs `mail.sent` only for 'sent' (the mailer itself logs 'logged'). */
  send(mail: OutgoingMail): Promise<MailOutcome>;
  close(): void;
}

export function createMailer(opts: { smtpUrl: string | undefined; from: string; logger: Logger }): Mailer {
  const { smtpUrl, from, logger } = opts;
  if (!smtpUrl) {
    return {
      configured: false,
      async send(mail) {
        logger.info({ event: 'mail.not-sent', to: mail.to, subject: mail.subject, method: mail.calendar?.method }, 'no SMTP_URL configured: this mail was not sent');
        return 'logged';
      },
      close() {},
    };
  }
  // One pooled transport per process; a failure rejects and the queue retries the job later.
  const transport = nodemailer.createTransport(smtpUrl.includes('?') ? smtpUrl : `${smtpUrl}${smtpUrl.endsWith('/') ? '' : '/'}?pool=true`);
  return {
    configured: true,
    async send(mail) {
      await transport.sendMail({
        from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        ...(mail.calendar && { icalEvent: { method: mail.calendar.method, content: mail.calendar.content, filename: 'invite.ics' } }),
        ...(mail.replyTo && { replyTo: mail.replyTo }),
        ...(mail.headers && { headers: mail.headers }),
      });
      return 'sent';
    },
    close() {
      transport.close();
    },
  };
}
