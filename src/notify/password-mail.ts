// The mail that carries a password link, in Italian or English: an invitation to choose a password,
// or a reset. It says how long the link holds and that it works once; the expiry is shown in the
// portal's default zone.
import { DateTime } from 'luxon';
import type { PasswordLinkMail } from '../app/people.ts';
import type { OutgoingMail } from './mailer.ts';
import type { Locale } from './messages.ts';

const WORDS = {
  it: {
    subject: { invitation: 'Scegli la password per WebMeetings', reset: 'Reimposta la password di WebMeetings' },
    hello: (name: string) => `Buongiorno ${name},`,
    intro: {
      invitation: 'è stato creato per te un account sul portale WebMeetings. Scegli la tua password da questo link:',
      reset: 'qualcuno (speriamo tu) ha chiesto di reimpostare la password del tuo account WebMeetings. Scegli una nuova password da questo link:',
    },
    expires: (when: string) => `Il link funziona una sola volta e scade il ${when}.`,
    ignore: 'Se non te lo aspettavi, ignora questo messaggio: la tua password attuale non cambia.',
  },
  en: {
    subject: { invitation: 'Choose your WebMeetings password', reset: 'Reset your WebMeetings password' },
    hello: (name: string) => `Hello ${name},`,
    intro: {
      invitation: 'an account was created for you on the WebMeetings portal. Choose your password with this link:',
      reset: 'someone (we hope you) asked to reset the password of your WebMeetings account. Choose a new password with this link:',
    },
    expires: (when: string) => `The link works once and expires on ${when}.`,
    ignore: 'If you did not expect this, ignore this message: your current password does not change.',
  },
} as const;

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function passwordLinkMail(m: PasswordLinkMail, defaults: { locale: Locale; timeZone: string }): OutgoingMail {
  const locale = m.locale ?? defaults.locale;
  const w = WORDS[locale];
  const when = DateTime.fromJSDate(m.expiresAt, { zone: defaults.timeZone })
    .setLocale(locale === 'it' ? 'it-IT' : 'en-GB')
    .toFormat(locale === 'it' ? "d LLLL yyyy 'alle' HH:mm ZZZZ" : "d LLLL yyyy 'at' HH:mm ZZZZ");
  const paragraphs = [w.hello(m.name), w.intro[m.purpose], m.url, w.expires(when), w.ignore];
  const html = paragraphs
    .map((p) => (p === m.url ? `<p><a href="${escapeHtml(p)}">${escapeHtml(p)}</a></p>` : `<p>${escapeHtml(p)}</p>`))
    .join('\n');
  return { to: m.to, subject: w.subject[m.purpose], text: paragraphs.join('\n\n'), html: `<!doctype html><html lang="${locale}"><body>${html}</body></html>` };
}
