// The mail that carries a password link, in Italian or English: an invitation to choose a password,
// or a reset. It says how long the link holds and that it works once; the expiry is shown in the
// portal's default zone. And the notice that a password changed, with the way back if it was not
// the person.
import { DateTime } from 'luxon';
import type { PasswordChangedMail, PasswordLinkMail } from '../app/people.ts';
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
    changed: {
      subject: 'La password di WebMeetings è cambiata',
      body: (when: string) => `la password del tuo account WebMeetings è stata cambiata il ${when}, e le altre sessioni aperte sono state chiuse.`,
      notYou: 'Se non hai fatto tu questa modifica, chiedi subito una nuova password da questa pagina e avvisa un amministratore del portale:',
    },
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
    changed: {
      subject: 'Your WebMeetings password was changed',
      body: (when: string) => `the password of your WebMeetings account was changed on ${when}, and its other open sessions were signed out.`,
      notYou: 'If you did not make this change, ask for a new password at once on this page and tell an administrator of the portal:',
    },
  },
} as const;

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function passwordLinkMail(m: PasswordLinkMail, defaults: { locale: Locale; timeZone: string }): OutgoingMail {
  const locale = m.locale ?? defaults.locale;
  const w = WORDS[locale];
  return mail(m.to, locale, w.subject[m.purpose], [w.hello(m.name), w.intro[m.purpose], m.url, w.expires(at(m.expiresAt, locale, defaults.timeZone)), w.ignore], m.url);
}

export function passwordChangedMail(m: PasswordChangedMail, defaults: { locale: Locale; timeZone: string }): OutgoingMail {
  const locale = m.locale ?? defaults.locale;
  const w = WORDS[locale];
  return mail(m.to, locale, w.changed.subject, [w.hello(m.name), w.changed.body(at(m.at, locale, defaults.timeZone)), w.changed.notYou, m.forgotUrl], m.forgotUrl);
}

const at = (instant: Date, locale: Locale, zone: string) =>
  DateTime.fromJSDate(instant, { zone })
    .setLocale(locale === 'it' ? 'it-IT' : 'en-GB')
    .toFormat(locale === 'it' ? "d LLLL yyyy 'alle' HH:mm ZZZZ" : "d LLLL yyyy 'at' HH:mm ZZZZ");

/** Plain text and HTML of the same paragraphs; the one that is `link` is a link in the HTML. */
function mail(to: string, locale: Locale, subject: string, paragraphs: string[], link: string): OutgoingMail {
  const html = paragraphs.map((p) => (p === link ? `<p><a href="${escapeHtml(p)}">${escapeHtml(p)}</a></p>` : `<p>${escapeHtml(p)}</p>`)).join('\n');
  return { to, subject, text: paragraphs.join('\n\n'), html: `<!doctype html><html lang="${locale}"><body>${html}</body></html>` };
}
