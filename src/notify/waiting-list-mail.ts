// The mail that tells a person waiting that their slot is held for them, in Italian or English: which
// room and time, until when the hold lasts, and where to confirm or let go. Times in the room's zone.
import { DateTime } from 'luxon';
import type { HoldOffer } from '../app/waiting-list.ts';
import type { OutgoingMail } from './mailer.ts';
import type { Locale } from './messages.ts';

const WORDS = {
  it: {
    subject: (title: string) => `Posto libero, tenuto per te: ${title}`,
    hello: (name: string) => `Buongiorno ${name},`,
    freed: (room: string, when: string) => `si è liberato il posto che aspettavi: ${room}, ${when}.`,
    held: (until: string) => `Lo teniamo per te fino al ${until}. Confermalo (o lascialo a chi aspetta dopo di te) da «Le mie prenotazioni»:`,
    after: 'Se non confermi entro quell’ora, il posto passa alla persona successiva in lista d’attesa.',
    format: { when: "cccc d LLLL yyyy, HH:mm", until: "d LLLL 'alle' HH:mm ZZZZ", locale: 'it-IT' },
  },
  en: {
    subject: (title: string) => `A slot freed up and is held for you: ${title}`,
    hello: (name: string) => `Hello ${name},`,
    freed: (room: string, when: string) => `the slot you were waiting for is free: ${room}, ${when}.`,
    held: (until: string) => `We hold it for you until ${until}. Confirm it (or let it go to whoever waits after you) in "My bookings":`,
    after: 'If you do not confirm by then, the slot goes to the next person on the waiting list.',
    format: { when: "cccc d LLLL yyyy, HH:mm", until: "d LLLL 'at' HH:mm ZZZZ", locale: 'en-GB' },
  },
} as const;

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function holdMail(offer: HoldOffer, to: { email: string; name: string; locale: Locale }, publicUrl: string): OutgoingMail {
  const w = WORDS[to.locale];
  const at = (d: Date, f: string) => DateTime.fromJSDate(d, { zone: offer.room.timeZone }).setLocale(w.format.locale).toFormat(f);
  const { entry, room } = offer;
  const when = `${at(entry.start, w.format.when)}–${at(entry.end, 'HH:mm')}`;
  const url = `${publicUrl.replace(/\/$/, '')}/bookings`;
  const paragraphs = [w.hello(to.name), w.freed(room.name, when), w.held(at(entry.holdExpiresAt!, w.format.until)), url, w.after];
  const html = paragraphs.map((p) => (p === url ? `<p><a href="${escapeHtml(p)}">${escapeHtml(p)}</a></p>` : `<p>${escapeHtml(p)}</p>`)).join('\n');
  return { to: to.email, subject: w.subject(entry.title), text: paragraphs.join('\n\n'), html: `<!doctype html><html lang="${to.locale}"><body>${html}</body></html>` };
}
