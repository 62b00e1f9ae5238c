// The page behind the link in an invitee's mails (/i/<secret>), in Italian and English: the meeting,
// "will you come?" (two buttons), and whether they want mail about it. No account, no script: plain
// forms that work in any browser; the answer is said back in a status line after the POST.
import type { InviteeLinkView } from '../app/invitees.ts';
import type { MeetingDetails } from '../notify/meeting-details.ts';
import { formatRange } from '../notify/messages.ts';
import { esc, layout, type Lang } from './join-pages.ts';

const T = {
  it: {
    title: 'Il tuo invito',
    by: (name: string) => `Organizzata da ${name}`,
    when: 'Quando',
    room: 'Aula virtuale',
    series: 'È una serie di incontri: la risposta vale per tutte le date. Qui sopra la prossima.',
    question: 'Parteciperai?',
    yes: 'Sì, parteciperò',
    no: 'No, non potrò esserci',
    answered: { yes: 'Hai risposto che parteciperai.', no: 'Hai risposto che non potrai esserci.' },
    answeredOn: 'Risposta del',
    notYet: 'Non hai ancora risposto.',
    change: 'Puoi cambiare la risposta quando vuoi.',
    thanks: { yes: (name: string) => `Grazie: ${name} vede che parteciperai.`, no: (name: string) => `Grazie: ${name} vede che non potrai esserci. Non ti invieremo promemoria.` },
    mailTitle: 'Email su questa riunione',
    mailOn: 'Ricevi le modifiche, l’eventuale annullamento e i promemoria di questa riunione.',
    mailOff: 'Hai chiesto di non ricevere più email su questa riunione: né modifiche, né annullamento, né promemoria.',
    stop: 'Non inviarmi più email su questa riunione',
    resume: 'Inviami di nuovo le email su questa riunione',
    stopped: 'Fatto: non riceverai più email su questa riunione.',
    resumed: 'Fatto: riceverai di nuovo le email su questa riunione.',
    askStop: 'Vuoi smettere di ricevere email su questa riunione? Conferma con il pulsante qui sotto.',
    cancelled: 'Questa riunione è stata annullata: non c’è nulla a cui rispondere.',
    over: 'Questa riunione è terminata: non c’è nulla a cui rispondere.',
    badAnswer: 'Scegli una delle due risposte.',
    invalidTitle: 'Link non valido',
    waysIn: 'Come entrare',
    withAccount: 'Con l’account del tuo ente',
    asGuest: 'Come ospite (senza account)',
    guestPin: 'PIN per gli ospiti',
    byPhone: 'Per telefono',
    phonePin: 'PIN',
    invalid: 'Questo link non porta più a un invito: forse chi ha organizzato la riunione ti ha tolto dagli invitati. Per saperne di più, rispondi alla sua email.',
  },
  en: {
    title: 'Your invitation',
    by: (name: string) => `Organised by ${name}`,
    when: 'When',
    room: 'Virtual room',
    series: 'This is a series of meetings: your answer is for all its dates. The next one is above.',
    question: 'Will you come?',
    yes: 'Yes, I will come',
    no: 'No, I cannot come',
    answered: { yes: 'You answered that you will come.', no: 'You answered that you cannot come.' },
    answeredOn: 'Answered on',
    notYet: 'You have not answered yet.',
    change: 'You can change your answer at any time.',
    thanks: { yes: (name: string) => `Thank you: ${name} sees that you will come.`, no: (name: string) => `Thank you: ${name} sees that you cannot come. We will send you no reminders.` },
    mailTitle: 'Mail about this meeting',
    mailOn: 'You receive this meeting’s changes, its cancellation if it comes to that, and reminders.',
    mailOff: 'You asked for no more mail about this meeting: no changes, no cancellation, no reminders.',
    stop: 'Send me no more mail about this meeting',
    resume: 'Send me mail about this meeting again',
    stopped: 'Done: you will get no more mail about this meeting.',
    resumed: 'Done: you will get mail about this meeting again.',
    askStop: 'Do you want no more mail about this meeting? Confirm with the button below.',
    cancelled: 'This meeting was cancelled: there is nothing to answer.',
    over: 'This meeting is over: there is nothing to answer.',
    badAnswer: 'Choose one of the two answers.',
    invalidTitle: 'Link not valid',
    waysIn: 'How to join',
    withAccount: 'With your institution’s account',
    asGuest: 'As a guest (no account needed)',
    guestPin: 'Guest PIN',
    byPhone: 'By phone',
    phonePin: 'PIN',
    invalid: 'This link no longer leads to an invitation: the organiser may have taken you off the list. To know more, reply to their mail.',
  },
} as const;


/** What the page says happened, after an answer or a choice (the POST's redirect carries it). */
export type ReplyDone = 'yes' | 'no' | 'mail-off' | 'mail-on';

function fmt(lang: Lang, zone: string, o: Intl.DateTimeFormatOptions) {
  return new Intl.DateTimeFormat(lang === 'it' ? 'it-IT' : 'en-GB', { timeZone: zone, ...o });
}

/** As the mails say it ("Thursday 2 April 2026, 10:00–11:00 (Europe/Rome)"), in the invitee's own zone when they have one. */
const whenText = (lang: Lang, v: InviteeLinkView) => formatRange(v.meeting.start, v.meeting.end, v.invitee.timeZone ?? v.meeting.timeZone, lang);

/**
 * The ways in, as their mails give them (the same details): the lost mail is no lost meeting. What
 * the meeting has not yet (a room prepared later, no guest link) is left out.
 */
function waysIn(lang: Lang, d: MeetingDetails | null | undefined): string {
  if (!d) return '';
  const t = T[lang];
  const link = (href: string) => `<a href="${esc(href)}">${esc(href)}</a>`;
  const rows: [string, string][] = [
    ...(d.joinUrl ? [[t.withAccount, link(d.joinUrl)] as [string, string]] : []),
    ...(d.guestUrl ? [[t.asGuest, link(d.guestUrl)] as [string, string]] : []),
    ...(d.guestUrl && d.guestPin ? [[t.guestPin, `<span class="pin">${esc(d.guestPin)}</span>`] as [string, string]] : []),
    ...(d.dialIn && d.dialIn.numbers.length ? [[t.byPhone, d.dialIn.numbers.map((n) => esc(n)).join(', ')] as [string, string]] : []),
    ...(d.dialIn?.pin ? [[t.phonePin, `<span class="pin">${esc(d.dialIn.pin)}</span>`] as [string, string]] : []),
  ];
  if (rows.length === 0) return '';
  return `<section aria-labelledby="ways-in"><h2 id="ways-in">${t.waysIn}</h2><dl>${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl></section>`;
}

export function replyPage(
  lang: Lang,
  v: InviteeLinkView,
  action: string,
  o: { done?: ReplyDone | undefined; askMailOff?: boolean; error?: 'answer' | undefined; details?: MeetingDetails | null } = {},
): string {
  const t = T[lang];
  const m = v.meeting;
  const i = v.invitee;
  const head = `<h1>${t.title}</h1>
<p class="meeting"><strong>${esc(m.title)}</strong><br>${esc(t.by(m.bookerName))}</p>
<dl><dt>${t.when}</dt><dd>${esc(whenText(lang, v))}</dd><dt>${t.room}</dt><dd>${esc(m.roomName)}</dd></dl>
${m.series ? `<p class="hint">${t.series}</p>` : ''}`;
  if (v.state !== 'ahead') {
    return layout(lang, t.title, `<div class="reply">${head}<p class="notice" role="status">${v.state === 'cancelled' ? t.cancelled : t.over}</p></div>`, { selfUrl: action });
  }
  const doneText =
    o.done === 'yes' || o.done === 'no' ? t.thanks[o.done](m.bookerName) : o.done === 'mail-off' ? t.stopped : o.done === 'mail-on' ? t.resumed : null;
  const done = doneText ? `<p class="done" role="status">${esc(doneText)}</p>` : '';
  const repliedOn = i.repliedAt ? ` <span class="hint">(${t.answeredOn} ${esc(fmt(lang, i.timeZone ?? m.timeZone, { dateStyle: 'medium', timeStyle: 'short' }).format(i.repliedAt))})</span>` : '';
  const state = i.reply ? `<p id="answer-state">${t.answered[i.reply]}${repliedOn} ${t.change}</p>` : `<p id="answer-state">${t.notYet}</p>`;
  const error = o.error ? `<p class="error" role="alert">${t.badAnswer}</p>` : '';
  const answer = `<form method="post" action="${esc(action)}"><fieldset aria-describedby="answer-state"><legend>${t.question}</legend>${state}${error}
<div class="choices"><button type="submit" name="answer" value="yes" aria-pressed="${i.reply === 'yes'}">${t.yes}</button>
<button type="submit" name="answer" value="no" aria-pressed="${i.reply === 'no'}">${t.no}</button></div></fieldset></form>`;
  const ask = o.askMailOff && !i.muted ? `<p class="notice">${t.askStop}</p>` : '';
  const mail = `<form method="post" action="${esc(action)}"><fieldset><legend>${t.mailTitle}</legend>${ask}<p>${i.muted ? t.mailOff : t.mailOn}</p>
<button type="submit" name="mail" value="${i.muted ? 'on' : 'off'}">${i.muted ? t.resume : t.stop}</button></fieldset></form>`;
  // Someone who came to stop the mails finds that first.
  const body = o.askMailOff ? `${head}${done}${mail}${answer}` : `${head}${done}${answer}${waysIn(lang, o.details)}${mail}`;
  return layout(lang, t.title, `<div class="reply">${body}</div>`, { selfUrl: action });
}

/** The one-click unsubscribe's answer (RFC 8058: a 200, no redirect), readable if a person opens it. */
export function mailOffPage(lang: Lang, v: InviteeLinkView, selfUrl: string): string {
  const t = T[lang];
  return layout(lang, t.title, `<div class="reply"><h1>${t.title}</h1><p class="meeting"><strong>${esc(v.meeting.title)}</strong></p><p class="done" role="status">${t.stopped}</p></div>`, { selfUrl });
}

export function invalidReplyPage(lang: Lang, selfUrl: string): string {
  const t = T[lang];
  return layout(lang, t.invalidTitle, `<h1>${t.invalidTitle}</h1><p>${t.invalid}</p>`, { selfUrl });
}
