// The mails of requests: a new one tells the administrators who decide it (the queue would otherwise
// wait for someone to look), a decision tells the requester (approved, denied, expired), each in the
// reader's language. Enqueued on the durable mail queue in the request's own transaction, so a mail
// exists exactly when the request or the decision does; the booking's invitation follows from it.
import type { RequestListener } from '../app/requests.ts';
import { countMails, type InvitationLimits } from '../app/sender-limits.ts';
import { DELIVER_QUEUE } from '../jobs/mail.ts';
import type { BookingRequest, Clock, Repositories } from '../ports.ts';
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
    newSubject: 'Nuova richiesta di prenotazione',
    newIntro: (who: string, what: string) => `${who} chiede ${what}: serve la decisione di un amministratore.`,
    anyRoom: 'qualsiasi aula adatta',
    seats: 'Posti',
    decide: 'Decidi nel portale',
    expires: 'Se nessuno decide prima dell’inizio, la richiesta scade.',
    codes: {
      DURATION_TOO_LONG: 'una prenotazione più lunga di quanto consentito',
      TOO_FAR_AHEAD: 'una data più lontana di quanto consentito',
      SEATS_OVER_CAPACITY: 'più posti di quelli dell’aula',
      NO_ROOM_FITS: 'più posti di quelli di ogni aula',
      SEATS_OVER_SHARE: 'più posti della quota per prenotazione',
      ROOM_ON_APPROVAL: 'un’aula che si prenota su approvazione',
      NOT_ALLOWED_TO_BOOK: 'una prenotazione senza un abbonamento attivo',
      OUTSIDE_SUBSCRIPTION: 'una data dopo la fine dell’abbonamento',
    } as Record<string, string>,
    other: 'una prenotazione fuori dalle regole',
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
    newSubject: 'New booking request',
    newIntro: (who: string, what: string) => `${who} asks for ${what}: it needs an administrator’s decision.`,
    anyRoom: 'any room that fits',
    seats: 'Seats',
    decide: 'Decide in the portal',
    expires: 'If nobody decides before it starts, the request expires.',
    codes: {
      DURATION_TOO_LONG: 'a longer booking than self-service allows',
      TOO_FAR_AHEAD: 'a date further ahead than self-service allows',
      SEATS_OVER_CAPACITY: 'more seats than the room has',
      NO_ROOM_FITS: 'more seats than any room has',
      SEATS_OVER_SHARE: 'more seats than a booking’s share of the licence',
      ROOM_ON_APPROVAL: 'a room that is booked on approval',
      NOT_ALLOWED_TO_BOOK: 'a booking without an active subscription',
      OUTSIDE_SUBSCRIPTION: 'a date after the subscription ends',
    } as Record<string, string>,
    other: 'a booking outside the rules',
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
  return { to: q.requester.email, subject: `${w.subject[outcome]}: ${q.title}`, ...body(locale, paragraphs, rows, url) };
}

/** The mail that tells an administrator of a new request, with what it asks and where to decide. */
export function newRequestMail(q: BookingRequest, admin: { email: string; name: string; locale: Locale | null }, d: RequestMailDefaults): OutgoingMail {
  const locale = admin.locale ?? d.locale;
  const w = WORDS[locale];
  const zone = q.room?.timeZone ?? d.timeZone;
  const url = new URL('/admin/requests', d.publicUrl).toString();
  const who = q.institution ? `${q.requester.name} (${q.institution.name})` : q.requester.name;
  const rows: [string, string][] = [
    [w.asked, `${q.title} – ${formatRange(q.start, q.end, zone, locale)} – ${q.room ? q.room.name : w.anyRoom}`],
    [w.seats, String(q.seats)],
    [w.why, q.reason],
    [w.decide, url],
  ];
  const paragraphs = [w.hello(admin.name), w.newIntro(who, w.codes[q.askedFor] ?? w.other), w.expires];
  // A reply asks the requester, not the portal's sender address.
  return { to: admin.email, subject: `${w.newSubject}: ${q.title}`, ...body(locale, paragraphs, rows, url), replyTo: q.requester.email };
}

/** A request mail's text and HTML: its paragraphs, then a table of what it is about. */
function body(locale: Locale, paragraphs: string[], rows: [string, string][], url: string): { text: string; html: string } {
  const text = [...paragraphs, '', ...rows.map(([k, v]) => `${k}: ${v}`), '', '-- ', 'WebMeetings'].join('\n');
  const html = [
    `<!doctype html><html lang="${locale}"><body style="font-family:sans-serif">`,
    ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    '<table>',
    ...rows.map(([k, v]) => `<tr><th style="text-align:left;padding-right:1em">${escapeHtml(k)}</th><td>${v === url ? `<a href="${escapeHtml(v)}">${escapeHtml(v)}</a>` : escapeHtml(v)}</td></tr>`),
    '</table></body></html>',
  ].join('\n');
  return { text, html };
}

/** The most administrators one new request is mailed to (bounds a request's mails). */
export const MOST_ADMINS_MAILED = 50;

/** The administrators a new request is mailed to: active, and not having turned it off. */
const deciders = (r: Repositories) => r.users.requestDeciders(MOST_ADMINS_MAILED);

/**
 * A new request is mailed to the administrators; approved, denied and expired ones to their
 * requester; a withdrawal is the requester's own doing.
 */
export const requestMailListener =
  (d: RequestMailDefaults, limits: InvitationLimits, clock: Clock): RequestListener =>
  async (r, e) => {
    if (e.action === 'created') {
      const admins = await deciders(r);
      // The requester's mails to others: filing and withdrawing in a loop must not flood the administrators.
      await countMails(r, e.request.requester.id, limits, clock.now(), admins.length, { refusable: true });
      for (const admin of admins) await r.jobs.enqueue(DELIVER_QUEUE, newRequestMail(e.request, admin, d));
      return;
    }
    if (e.action === 'withdrawn') return;
    const b = e.booking;
    await r.jobs.enqueue(DELIVER_QUEUE, requestMail(e.request, e.action, b ? { roomName: b.roomName, start: b.start, end: b.end, timeZone: b.timeZone } : null, d));
  };
