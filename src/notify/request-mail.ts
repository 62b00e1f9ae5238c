// The mails that tell a requester what became of their request (approved, denied, expired), in
// their language. Enqueued on the durable mail queue in the request's own transaction, so the mail
// exists exactly when the decision does; the booking's own invitation follows from the booking.
import type { RequestListener } from '../app/requests.ts';
import { DELIVER_QUEUE } from '../jobs/mail.ts';
import type { BookingRequest } from '../ports.ts';
import type { OutgoingMail } from './mailer.ts';
import { formatRange, type Locale } from './messages.ts';

type Decided = 'approved' | 'denied' | 'expired';

const WORDS = {
  it: {
    subject: { approved: 'Richiesta approvata', denied: 'Richiesta rifiutata', expired: 'Richiesta scaduta' },
    hello: (name: string) => `Buongiorno ${name},`,
    intro: {
      approved: 'un amministratore ha approvato la tua richiesta: la prenotazione è fatta.',
      denied: 'un amministratore ha rifiutato la tua richiesta.',
      expired: 'la tua richiesta è scaduta: l’orario è arrivato prima che un amministratore la decidesse.',
    },
    asked: 'Chiesto',
    booked: 'Prenotato',
    room: 'Aula',
    why: 'Motivazione',
    note: 'Nota dell’amministratore',
    changed: 'La prenotazione non è esattamente quella chiesta: se non ti va bene, annullala dal portale.',
    portal: 'Le tue richieste nel portale',
  },
  en: {
    subject: { approved: 'Request approved', denied: 'Request denied', expired: 'Request expired' },
    hello: (name: string) => `Hello ${name},`,
    intro: {
      approved: 'an administrator approved your request: the booking is made.',
      denied: 'an administrator denied your request.',
      expired: 'your request expired: its time came before an administrator decided it.',
    },
    asked: 'Asked for',
    booked: 'Booked',
    room: 'Room',
    why: 'Reason',
    note: 'Administrator’s note',
    changed: 'The booking is not exactly what you asked for: if it does not suit you, cancel it in the portal.',
    portal: 'Your requests in the portal',
  },
} as const;

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export type RequestMailDefaults = { locale: Locale; timeZone: string; publicUrl: string };

export function requestMail(q: BookingRequest, outcome: Decided, booked: { roomName: string; start: Date; end: Date; timeZone: string } | null, d: RequestMailDefaults): OutgoingMail {
  const locale = q.requester.locale ?? d.locale;
  const w = WORDS[locale];
  const zone = q.room?.timeZone ?? d.timeZone;
  const url = new URL('/requests', d.publicUrl).toString();
  const different = booked !== null && (booked.start.getTime() !== q.start.getTime() || booked.end.getTime() !== q.end.getTime() || (q.room !== null && q.room.name !== booked.roomName));
  const rows: [string, string][] = [
    [w.asked, `${q.title} – ${formatRange(q.start, q.end, zone, locale)}${q.room ? ` – ${q.room.name}` : ''}`],
    ...(booked ? [[w.booked, `${formatRange(booked.start, booked.end, booked.timeZone, locale)} – ${booked.roomName}`] as [string, string]] : []),
    ...(q.decisionNote ? [[outcome === 'denied' ? w.why : w.note, q.decisionNote] as [string, string]] : []),
    [w.portal, url],
  ];
  const paragraphs = [w.hello(q.requester.name), w.intro[outcome], ...(different ? [w.changed] : [])];
  const text = [...paragraphs, '', ...rows.map(([k, v]) => `${k}: ${v}`), '', '-- ', 'WebMeetings'].join('\n');
  const html = [
    `<!doctype html><html lang="${locale}"><body style="font-family:sans-serif">`,
    ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    '<table>',
    ...rows.map(([k, v]) => `<tr><th style="text-align:left;padding-right:1em">${escapeHtml(k)}</th><td>${v === url ? `<a href="${escapeHtml(v)}">${escapeHtml(v)}</a>` : escapeHtml(v)}</td></tr>`),
    '</table></body></html>',
  ].join('\n');
  return { to: q.requester.email, subject: `${w.subject[outcome]}: ${q.title}`, text, html };
}

/** Approved, denied and expired requests are mailed to their requester; a withdrawal is their own doing. */
export const requestMailListener =
  (d: RequestMailDefaults): RequestListener =>
  async (r, e) => {
    if (e.action === 'created' || e.action === 'withdrawn') return;
    const b = e.booking;
    await r.jobs.enqueue(DELIVER_QUEUE, requestMail(e.request, e.action, b ? { roomName: b.roomName, start: b.start, end: b.end, timeZone: b.timeZone } : null, d));
  };
