// The words of the mails, in Italian and English: invitation, update, cancellation, reminder.
// Times appear in the room's zone and, when it differs, in the recipient's.
import { DateTime } from 'luxon';
import type { MeetingDetails } from './meeting-details.ts';

export type Locale = 'it' | 'en';
export type MailKind = 'invitation' | 'update' | 'cancellation' | 'reminder';

export type MailContent = {
  kind: MailKind;
  locale: Locale;
  title: string;
  roomName: string;
  start: Date;
  end: Date;
  roomZone: string;
  recipientZone: string | null;
  details: MeetingDetails;
  /** The booking or series page in the portal. */
  portalUrl: string;
  /**
   * The mail is for someone invited by e-mail: the portal's page is not theirs to see (only those
   * who manage a booking may), and the two ways in are told apart (an account, or none).
   */
  invitee?: boolean | undefined;
  /** For a series: the upcoming dates; for one cancelled occurrence: that date only. */
  dates?: Date[] | undefined;
  /** Only one occurrence of a series is concerned (cancelled, or changed on its own). */
  occurrenceOnly?: boolean;
  minutesBefore?: number | undefined;
  /** A reminder to someone with an account: where they turn reminders off. */
  remindersOffUrl?: string | undefined;
  /** An invitee's own link: whether they will come, or no more mail about this meeting. */
  replyUrl?: string | undefined;
  /** The copy for the person who booked it for its owner (issue #17): the owner's name. */
  bookedFor?: string | undefined;
  /** An update: the time and room as they were, where the change moved them (each null when unchanged). */
  was?: { slot: { start: Date; end: Date } | null; roomName: string | null } | undefined;
  /** false: no signature (a text to paste elsewhere, not a mail). */
  signature?: boolean | undefined;
  /** The invitation sent again, with the links as they are now (an update in the calendar). */
  resent?: boolean | undefined;
  /** The recipient was made a co-host, by this person (null: their name is not known). */
  madeCohostBy?: string | null | undefined;
  /** What the person who changed or cancelled it wrote (`from`: their name, null when unknown). */
  message?: SaidMessage | undefined;
};

export type SaidMessage = { text: string; from: string | null };

export type RenderedMail = { subject: string; text: string; html: string };

/** A series' dates listed in a mail at most (a term of weekly lectures is about 15). */
export const MAX_LISTED_DATES = 60;

const WORDS = {
  it: {
    invitation: 'Invito',
    update: 'Aggiornamento',
    cancellation: 'Annullato',
    reminder: 'Promemoria',
    intro: {
      invitation: 'Sei invitato a una riunione virtuale.',
      update: 'La riunione è stata modificata.',
      cancellation: 'La riunione è stata annullata.',
      reminder: 'La riunione sta per iniziare.',
    },
    remindersOff: 'Puoi disattivare questi promemoria in Il mio account',
    reply: 'Parteciperai? Rispondi qui (o chiedi di non ricevere più email su questa riunione)',
    resentLabel: 'Invito inviato di nuovo',
    cohostLabel: 'Co-organizzatore',
    madeCohost: (by: string | null) =>
      `${by ?? 'Chi ha prenotato la riunione'} ti ha nominato co-organizzatore: accedendo con questo indirizzo entri nella riunione come organizzatore (puoi far entrare gli ospiti in attesa e gestire i partecipanti).`,
    resent: 'Ti inviamo di nuovo l’invito con i link attuali della riunione: quelli delle email precedenti potrebbero non funzionare più.',
    occurrenceCancelled: 'È annullata solo questa data della serie.',
    occurrenceChanged: 'Cambia solo questa data della serie.',
    messageFrom: (name: string | null) => (name ? `Messaggio di ${name}:` : 'Messaggio:'),
    bookedFor: (owner: string) => `Hai prenotato questa riunione per ${owner}, che ha ricevuto l’invito.`,
    series: 'Date della serie',
    room: 'Aula',
    when: 'Quando',
    yourTime: 'Nella tua ora',
    wasWhen: 'Prima era',
    wasRoom: 'Aula precedente',
    join: 'Entra nella riunione',
    guest: 'Link per gli ospiti',
    joinWithAccount: 'Entra con l’account del tuo ente',
    joinAsGuest: 'Entra come ospite (senza account)',
    guestPin: 'PIN per gli ospiti',
    dialIn: 'Accesso telefonico',
    pin: 'PIN',
    oneTap: 'Chiamata diretta',
    sip: 'SIP',
    details: 'Dettagli nel portale',
    inMinutes: (m: number) => (m >= 60 * 24 && m % (60 * 24) === 0 ? `tra ${m / 1440 === 1 ? '1 giorno' : `${m / 1440} giorni`}` : m >= 60 && m % 60 === 0 ? `tra ${m / 60} h` : `tra ${m} minuti`),
  },
  en: {
    invitation: 'Invitation',
    update: 'Updated',
    cancellation: 'Cancelled',
    reminder: 'Reminder',
    intro: {
      invitation: 'You are invited to a virtual meeting.',
      update: 'The meeting has changed.',
      cancellation: 'The meeting has been cancelled.',
      reminder: 'The meeting starts soon.',
    },
    remindersOff: 'You can turn these reminders off in My account',
    reply: 'Will you come? Answer here (or ask for no more mail about this meeting)',
    resentLabel: 'Invitation sent again',
    cohostLabel: 'Co-host',
    madeCohost: (by: string | null) =>
      `${by ?? 'The person who booked the meeting'} made you a co-host: signed in with this address, you enter the meeting as host (you may let waiting guests in and manage the participants).`,
    resent: 'Here is the invitation again with the meeting’s current links: those in earlier mails may no longer work.',
    occurrenceCancelled: 'Only this date of the series is cancelled.',
    occurrenceChanged: 'Only this date of the series changes.',
    messageFrom: (name: string | null) => (name ? `Message from ${name}:` : 'Message:'),
    bookedFor: (owner: string) => `You booked this meeting for ${owner}, who received the invitation.`,
    series: 'Dates of the series',
    room: 'Room',
    when: 'When',
    yourTime: 'Your time',
    wasWhen: 'Previously',
    wasRoom: 'Previous room',
    join: 'Join the meeting',
    guest: 'Guest link',
    joinWithAccount: 'Join with your institution’s account',
    joinAsGuest: 'Join as a guest (no account needed)',
    guestPin: 'Guest PIN',
    dialIn: 'Dial-in',
    pin: 'PIN',
    oneTap: 'One-tap dial-in',
    sip: 'SIP',
    details: 'Details in the portal',
    inMinutes: (m: number) => (m >= 60 * 24 && m % (60 * 24) === 0 ? `in ${m / 1440 === 1 ? '1 day' : `${m / 1440} days`}` : m >= 60 && m % 60 === 0 ? `in ${m / 60} h` : `in ${m} minutes`),
  },
} as const;

/** "lunedì 30 marzo 2026, 10:00–11:00 (Europe/Rome)" in the locale's words. */
export function formatRange(start: Date, end: Date, zone: string, locale: Locale): string {
  const s = DateTime.fromJSDate(start, { zone }).setLocale(locale);
  const e = DateTime.fromJSDate(end, { zone }).setLocale(locale);
  const sameDay = s.toISODate() === e.toISODate();
  const day = s.toFormat('cccc d LLLL yyyy');
  return sameDay ? `${day}, ${s.toFormat('HH:mm')}–${e.toFormat('HH:mm')} (${zone})` : `${day} ${s.toFormat('HH:mm')} – ${e.toFormat('cccc d LLLL yyyy HH:mm')} (${zone})`;
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function renderMail(c: MailContent): RenderedMail {
  const w = WORDS[c.locale];
  const label = c.madeCohostBy !== undefined ? w.cohostLabel : c.resent ? w.resentLabel : w[c.kind];
  const subject =
    c.kind === 'reminder' && c.minutesBefore !== undefined ? `${label}: ${c.title} ${w.inMinutes(c.minutesBefore)}` : `${label}: ${c.title}`;
  const lines: [string, string][] = [
    [w.when, formatRange(c.start, c.end, c.roomZone, c.locale)],
    ...(c.recipientZone && c.recipientZone !== c.roomZone ? [[w.yourTime, formatRange(c.start, c.end, c.recipientZone, c.locale)] as [string, string]] : []),
    // An update says what it moved, under the new value: a reader need not remember the old one.
    ...(c.was?.slot ? [[w.wasWhen, formatRange(c.was.slot.start, c.was.slot.end, c.roomZone, c.locale)] as [string, string]] : []),
    [w.room, c.roomName],
    ...(c.was?.roomName ? [[w.wasRoom, c.was.roomName] as [string, string]] : []),
    ...(c.details.joinUrl ? [[c.invitee && c.details.guestUrl ? w.joinWithAccount : w.join, c.details.joinUrl] as [string, string]] : []),
    ...(c.details.guestUrl ? [[c.invitee ? w.joinAsGuest : w.guest, c.details.guestUrl] as [string, string]] : []),
    ...(c.details.guestUrl && c.details.guestPin ? [[w.guestPin, c.details.guestPin] as [string, string]] : []),
    ...(c.details.dialIn ? [[w.dialIn, c.details.dialIn.numbers.join(', ')] as [string, string]] : []),
    ...(c.details.dialIn?.pin ? [[w.pin, c.details.dialIn.pin] as [string, string]] : []),
    ...(c.details.dialIn?.tel ? [[w.oneTap, c.details.dialIn.tel] as [string, string]] : []),
    ...(c.details.dialIn?.sipUri ? [[w.sip, c.details.dialIn.sipUri] as [string, string]] : []),
    ...(c.invitee ? [] : [[w.details, c.portalUrl] as [string, string]]),
  ];
  const about =
    c.madeCohostBy !== undefined
      ? w.madeCohost(c.madeCohostBy)
      : c.resent
        ? w.resent
        : c.occurrenceOnly && c.kind === 'cancellation'
          ? `${w.intro.cancellation} ${w.occurrenceCancelled}`
          : c.occurrenceOnly && c.kind === 'update'
            ? `${w.intro.update} ${w.occurrenceChanged}`
            : w.intro[c.kind];
  const intro = c.bookedFor ? `${w.bookedFor(c.bookedFor)} ${c.kind === 'invitation' ? '' : about}`.trim() : about;
  const dates = (c.dates ?? []).map((d) => DateTime.fromJSDate(d, { zone: c.roomZone }).setLocale(c.locale).toFormat('ccc d LLL yyyy HH:mm'));
  const text = [
    c.title,
    '',
    intro,
    '',
    // Quoted as a mail client quotes (RFC 3676, 4.5): the sender's words set apart from the portal's.
    ...(c.message ? [w.messageFrom(c.message.from), ...c.message.text.split('\n').map((l) => (l ? `> ${l}` : '>')), ''] : []),
    ...lines.map(([k, v]) => `${k}: ${v}`),
    ...(dates.length && !c.occurrenceOnly ? ['', `${w.series}:`, ...dates.map((d) => `  - ${d}`)] : []),
    ...(c.replyUrl ? ['', `${w.reply}: ${c.replyUrl}`] : []),
    ...(c.remindersOffUrl ? ['', `${w.remindersOff}: ${c.remindersOffUrl}`] : []),
    ...(c.signature === false ? [] : ['', '-- ', 'WebMeetings']),
  ].join('\n');
  const link = (v: string) => (/^https?:\/\//.test(v) ? `<a href="${escapeHtml(v)}">${escapeHtml(v)}</a>` : escapeHtml(v));
  const html = [
    `<!doctype html><html lang="${c.locale}"><body style="font-family:sans-serif">`,
    `<h1 style="font-size:1.3em">${escapeHtml(c.title)}</h1>`,
    `<p>${escapeHtml(intro)}</p>`,
    ...(c.message
      ? [`<p>${escapeHtml(w.messageFrom(c.message.from))}</p>`, `<blockquote style="white-space:pre-wrap;border-left:3px solid #888;margin-left:0;padding-left:1em">${escapeHtml(c.message.text)}</blockquote>`]
      : []),
    '<table>',
    ...lines.map(([k, v]) => `<tr><th style="text-align:left;padding-right:1em">${escapeHtml(k)}</th><td>${link(v)}</td></tr>`),
    '</table>',
    ...(dates.length && !c.occurrenceOnly ? [`<p>${escapeHtml(w.series)}:</p><ul>`, ...dates.map((d) => `<li>${escapeHtml(d)}</li>`), '</ul>'] : []),
    ...(c.replyUrl ? [`<p>${escapeHtml(w.reply)}: ${link(c.replyUrl)}</p>`] : []),
    ...(c.remindersOffUrl ? [`<p style="color:#555;font-size:0.9em">${escapeHtml(w.remindersOff)}: ${link(c.remindersOffUrl)}</p>`] : []),
    '</body></html>',
  ].join('\n');
  return { subject, text, html };
}
