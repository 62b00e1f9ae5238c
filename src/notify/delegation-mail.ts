// The mail that asks a delegate for their consent to book for someone (issue #17), in Italian or
// English: who asks, what it lets them do, and where to accept or decline.
import type { DelegationMail } from '../app/delegation.ts';
import type { OutgoingMail } from './mailer.ts';
import type { Locale } from './messages.ts';

const WORDS = {
  it: {
    subject: (person: string) => `${person} ti chiede di prenotare per suo conto su WebMeetings`,
    hello: (name: string) => `Buongiorno ${name},`,
    intro: (person: string, email: string) => `${person} (${email}) ti ha nominato suo delegato sul portale WebMeetings.`,
    rights: 'Se accetti, potrai prenotare stanze virtuali per suo conto: riceverà lui l’invito, i diritti di ingresso e il PIN del moderatore, e potrete entrambi modificare e annullare le prenotazioni.',
    answer: 'Accetta o rifiuta dalla pagina "Deleghe" del tuo account:',
    ignore: 'Finché non accetti, non puoi prenotare per suo conto.',
  },
  en: {
    subject: (person: string) => `${person} asks you to book for them on WebMeetings`,
    hello: (name: string) => `Hello ${name},`,
    intro: (person: string, email: string) => `${person} (${email}) named you their delegate on the WebMeetings portal.`,
    rights: 'If you accept, you can book virtual rooms for them: they get the invitation, the join rights and the host PIN, and both of you can change and cancel the bookings.',
    answer: 'Accept or decline on the "Delegates" page of your account:',
    ignore: 'Until you accept, you cannot book for them.',
  },
} as const;

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function delegationMail(m: DelegationMail, defaultLocale: Locale): OutgoingMail {
  const locale = m.locale ?? defaultLocale;
  const w = WORDS[locale];
  const paragraphs = [w.hello(m.name), w.intro(m.personName, m.personEmail), w.rights, w.answer, m.url, w.ignore];
  const html = paragraphs.map((p) => (p === m.url ? `<p><a href="${escapeHtml(p)}">${escapeHtml(p)}</a></p>` : `<p>${escapeHtml(p)}</p>`)).join('\n');
  return { to: m.to, subject: w.subject(m.personName), text: paragraphs.join('\n\n'), html: `<!doctype html><html lang="${locale}"><body>${html}</body></html>` };
}
