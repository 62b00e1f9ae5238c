// The server-rendered join pages (waiting, guest form, ended, cancelled, invalid link), in Italian
// and English. Small on purpose: no framework, one inline style sheet, one tiny script for the
// countdown; accessible (lang, labels, live region, focus order) and usable without JavaScript.
// A booking with an audio conference also shows its dial-in (numbers, one-tap tel: links, PIN, SIP).
import type { DialInDetails } from '../app/audio.ts';
import { KeptValues } from '../app/kept-reads.ts';
import type { MeetingSummary } from '../app/joining.ts';
import type { PinWait } from '../domain/guest-pin.ts';

export type Lang = 'it' | 'en';

const T = {
  it: {
    waitingTitle: 'La stanza non è ancora aperta',
    opensIn: 'La stanza apre',
    at: 'alle',
    yourTime: 'Nel tuo fuso orario',
    roomTime: 'ora della stanza',
    join: 'Entra nella riunione',
    preparingTitle: 'Stiamo preparando la stanza',
    preparing: 'La stanza virtuale non è ancora pronta. Questa pagina riprova da sola tra pochi secondi.',
    failedTitle: 'La stanza non è disponibile',
    failed: 'Non è stato possibile preparare la stanza virtuale. Gli amministratori vedono il motivo e possono riprovare; torna su questa pagina tra qualche minuto.',
    endedTitle: 'La riunione è terminata',
    recordingsTitle: 'Registrazioni',
    recordingMinutes: 'min',
    ended: 'Questa riunione è terminata. Il link non è più valido.',
    cancelledTitle: 'Riunione annullata',
    cancelled: 'Questa prenotazione è stata annullata da chi l’aveva fatta.',
    invalidTitle: 'Link non valido',
    invalid: 'Questo link per gli ospiti non esiste o è stato sostituito. Chiedi a chi ti ha invitato il link nuovo.',
    guestTitle: 'Partecipa come ospite',
    name: 'Il tuo nome (come lo vedranno gli altri)',
    pin: 'PIN della riunione',
    nameError: 'Scrivi un nome da 1 a 80 caratteri.',
    pinError: 'Il PIN non è corretto. Controlla il messaggio d’invito.',
    pinRule: (free: number, base: number) => `Dopo ${free} PIN errati, ogni nuovo tentativo su questo link deve attendere sempre di più: ${base} s, poi il doppio ogni volta.`,
    pinNextTry: 'Il prossimo tentativo sarà possibile tra',
    pinLimitedLink: 'Troppi PIN errati per questo link. Riprova tra',
    pinLimitedAddress: 'Troppi PIN errati dal tuo indirizzo di rete. Riprova tra',
    notParticipantTitle: 'Entra con il link per gli ospiti',
    notParticipant: 'Non sei tra i partecipanti di questa riunione (chi l’ha prenotata, chi la gestisce, chi è stato invitato). Chiedi a chi la organizza il link per gli ospiti e, se ne ha uno, il suo PIN: è la via d’ingresso per tutti gli altri.',
    signInTitle: 'Accedi per entrare',
    signIn: 'Per entrare in questa riunione devi accedere al portale.',
    signInLink: 'Accedi',
    when: 'Quando',
    dialIn: 'Partecipa per telefono',
    numbers: 'Numeri di telefono',
    oneTap: 'Da un telefono, toccando un numero si chiama e si inserisce il PIN.',
    phonePin: 'Codice PIN',
    hostPin: 'PIN del moderatore',
    hostPinNote: 'Solo per chi gestisce la prenotazione: chi lo usa entra come moderatore, anche in una conferenza bloccata o piena.',
    sip: 'Indirizzo SIP',
    dialOpens: 'Il PIN vale dalle',
    dialCloses: 'alle',
    lang: 'English',
    footer: 'WebMeetings — aule virtuali per la didattica e la ricerca',
    in: 'tra',
    minutes: 'min',
    seconds: 's',
  },
  en: {
    waitingTitle: 'The room is not open yet',
    opensIn: 'The room opens',
    at: 'at',
    yourTime: 'In your time zone',
    roomTime: 'room time',
    join: 'Join the meeting',
    preparingTitle: 'We are preparing the room',
    preparing: 'The virtual room is not ready yet. This page tries again by itself in a few seconds.',
    failedTitle: 'The room is not available',
    failed: 'The virtual room could not be prepared. The administrators see why and can try again; come back to this page in a few minutes.',
    endedTitle: 'The meeting has ended',
    recordingsTitle: 'Recordings',
    recordingMinutes: 'min',
    ended: 'This meeting has ended. The link no longer works.',
    cancelledTitle: 'Meeting cancelled',
    cancelled: 'This booking was cancelled by the person who made it.',
    invalidTitle: 'Link not valid',
    invalid: 'This guest link does not exist or was replaced. Ask the person who invited you for the new link.',
    guestTitle: 'Join as a guest',
    name: 'Your name (as others will see it)',
    pin: 'Meeting PIN',
    nameError: 'Enter a name of 1 to 80 characters.',
    pinError: 'The PIN is not right. Check the invitation.',
    pinRule: (free: number, base: number) => `After ${free} wrong PINs, each further try on this link has to wait longer: ${base} s, then twice as long each time.`,
    pinNextTry: 'You can try again in',
    pinLimitedLink: 'Too many wrong PINs for this link. Try again in',
    pinLimitedAddress: 'Too many wrong PINs from your network address. Try again in',
    notParticipantTitle: 'Join with the guest link',
    notParticipant: 'You are not among this meeting’s participants (the person who booked it, those who manage it, its invitees). Ask the organiser for the guest link and, if it has one, its PIN: that is the way in for everyone else.',
    signInTitle: 'Sign in to join',
    signIn: 'Sign in to the portal to join this meeting.',
    signInLink: 'Sign in',
    when: 'When',
    dialIn: 'Join by phone',
    numbers: 'Telephone numbers',
    oneTap: 'On a phone, tapping a number dials it and enters the PIN.',
    phonePin: 'PIN',
    hostPin: 'Host PIN',
    hostPinNote: 'Only for those who manage the booking: dialling in with it makes you the host, even in a locked or full conference.',
    sip: 'SIP address',
    dialOpens: 'The PIN works from',
    dialCloses: 'to',
    lang: 'Italiano',
    footer: 'WebMeetings — virtual meeting rooms for teaching and research',
    in: 'in',
    minutes: 'min',
    seconds: 's',
  },
} as const;

const LOCALE: Record<Lang, string> = { it: 'it-IT', en: 'en-GB' };

export function pickLang(query: string | undefined, acceptLanguage: string | undefined): Lang {
  if (query === 'it' || query === 'en') return query;
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().toLowerCase().split(';');
      const q = Number(params.find((p) => p.trim().startsWith('q='))?.split('=')[1] ?? 1);
      return { lang: tag!.split('-')[0]!, q: Number.isFinite(q) ? q : 0 };
    })
    .filter((x) => x.lang === 'it' || x.lang === 'en')
    .sort((a, b) => b.q - a.q);
  return (ranked[0]?.lang as Lang | undefined) ?? 'it';
}

// Intl's formatters are costly to make (a DateTimeFormat took over half of the CPU of a guest form
// page) and free to reuse: one per locale, zone and options, kept. The keys come from the rooms'
// zones and the two languages.
const dateFormats = new KeptValues<Intl.DateTimeFormat>(1_000);
const relativeFormats = new KeptValues<Intl.RelativeTimeFormat>(10);
const regionNames = new KeptValues<Intl.DisplayNames>(10);
const dateFormat = (locale: string, o: Intl.DateTimeFormatOptions) => dateFormats.get(`${locale} ${JSON.stringify(o)}`, () => new Intl.DateTimeFormat(locale, o));
const relativeFormat = (locale: string, numeric: 'auto' | 'always' = 'auto') => relativeFormats.get(`${locale} ${numeric}`, () => new Intl.RelativeTimeFormat(locale, { numeric }));

export const esc = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);

// Everyone joining one meeting sees the same line: kept per meeting time and language.
const whenLines = new KeptValues<string>(2_000);
function when(m: MeetingSummary, lang: Lang): string {
  return whenLines.get(`${lang} ${m.timeZone} ${m.start.getTime()} ${m.end.getTime()}`, () => {
    const fmt = dateFormat(lang === 'it' ? 'it-IT' : 'en-GB', { timeZone: m.timeZone, dateStyle: 'full', timeStyle: 'short' });
    const end = dateFormat(lang === 'it' ? 'it-IT' : 'en-GB', { timeZone: m.timeZone, timeStyle: 'short' });
    return `${fmt.format(m.start)} – ${end.format(m.end)} (${m.timeZone}, ${T[lang].roomTime})`;
  });
}

/** The frame of every server-rendered page (join, guest, an invitee's reply): bar, language switch, footer. */
export function layout(lang: Lang, title: string, body: string, opts: { refreshSeconds?: number; selfUrl: string }): string {
  const other: Lang = lang === 'it' ? 'en' : 'it';
  const switchUrl = `${opts.selfUrl.split('?')[0]}?lang=${other}`;
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><meta name="referrer" content="no-referrer">
${opts.refreshSeconds ? `<meta http-equiv="refresh" content="${opts.refreshSeconds}">` : ''}
<title>${esc(title)} · WebMeetings</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1b2430;min-height:100vh;display:flex;flex-direction:column}
.portal-bar{background:#1d3a5f;color:#fff;box-shadow:0 1px 0 rgb(0 0 0/15%)}
.portal-bar div{max-width:1600px;margin:0 auto;padding:0 1.25rem;min-height:60px;display:flex;align-items:center;justify-content:space-between;gap:1rem}
.brand{display:inline-flex;align-items:center;gap:.6rem;font-weight:680;font-size:1.1rem;letter-spacing:.01em}
.brand svg{color:#2f5585;flex:none}
.portal-bar a{color:#fff;border:1px solid rgb(255 255 255/35%);border-radius:6px;padding:.3rem .8rem;text-decoration:none}
.portal-bar a:focus{outline:3px solid #ffd166;outline-offset:2px}
main{box-sizing:border-box;width:min(34rem,calc(100% - 1.5rem));margin:2.5rem auto;padding:2rem;background:#fff;border-radius:12px;box-shadow:0 1px 4px #0002;flex:none}
h1{font-size:1.5rem;margin-top:0}
.meeting{color:#444}
.count{font-size:1.35rem;font-weight:600;font-variant-numeric:tabular-nums;margin:.5rem 0}
a.button,button{display:inline-block;background:#1d3a5f;color:#fff;border:0;border-radius:8px;padding:.75rem 1.25rem;font-size:1rem;text-decoration:none;cursor:pointer}
a.button:focus,button:focus,input:focus{outline:3px solid #f29900;outline-offset:2px}
label{display:block;margin:1rem 0 .25rem;font-weight:600}
.dial-in{margin-top:1.5rem;border-top:1px solid #ddd}
.dial-in h2{font-size:1.15rem}
.dial-in ul{list-style:none;padding:0;margin:0}
.dial-in li a{display:inline-block;padding:.25rem 0;font-size:1.15rem;font-variant-numeric:tabular-nums}
.dial-in a:focus{outline:3px solid #f29900;outline-offset:2px}
.dial-in dt{font-weight:600;margin-top:.75rem}
.dial-in dd{margin:0}
.pin{font-size:1.25rem;font-weight:600;letter-spacing:.08em;font-variant-numeric:tabular-nums}
.hint{color:#444;font-size:.9rem}
input{font-size:1rem;padding:.5rem;width:100%;box-sizing:border-box;border:1px solid #888;border-radius:6px}
.error{color:#a50e0e;font-weight:600}
.reply fieldset{border:1px solid #c9ced6;border-radius:8px;margin:1.25rem 0;padding:.75rem 1rem 1rem}
.reply legend{font-weight:650;padding:0 .35rem}
.reply .choices{display:flex;flex-wrap:wrap;gap:.6rem}
.reply dt{font-weight:600}
.reply dd{margin:0 0 .5rem;overflow-wrap:anywhere}
.reply h2{font-size:1.15rem;margin:1.25rem 0 .5rem}
.reply button{background:#fff;color:#1d3a5f;border:2px solid #1d3a5f}
.reply button[aria-pressed=true]{background:#1d3a5f;color:#fff}
.reply .done{background:#e8f3ea;border-left:4px solid #2e7d32;padding:.6rem .8rem;border-radius:4px}
.reply .notice{background:#fff4e5;border-left:4px solid #b26a00;padding:.6rem .8rem;border-radius:4px}
footer{margin-top:auto;padding:1.25rem;text-align:center;color:#5b6573;font-size:.85rem;border-top:1px solid #dfe3e8;background:#fff}
footer p{margin:0}
@media (max-width:480px){main{margin:1rem auto;padding:1.25rem}}
</style></head>
<body><header class="portal-bar"><div><span class="brand"><svg aria-hidden="true" viewBox="0 0 32 32" width="28" height="28"><rect width="32" height="32" rx="7" fill="currentColor"/><rect x="7" y="9" width="18" height="15" rx="2.5" fill="none" stroke="#fff" stroke-width="2"/><path d="M7 14h18M12 6v5M20 6v5" stroke="#fff" stroke-width="2" stroke-linecap="round"/></svg>WebMeetings</span>
<a href="${esc(switchUrl)}" hreflang="${other}" lang="${other}">${T[lang].lang}</a></div></header>
<main>${body}</main>
<footer><p>${T[lang].footer}</p></footer>
</body></html>`;
}

/** What a page shows of the dial-in; `hostPin` only for people who may manage the booking. */
export type PageDialIn = DialInDetails & { hostPin?: string | null };

/** "Italia" / "Italy" for IT; the code itself when ICU has no name for it. */
function countryName(code: string, lang: Lang): string {
  try {
    return regionNames.get(lang, () => new Intl.DisplayNames([lang], { type: 'region' })).of(code) ?? code;
  } catch {
    return code;
  }
}

function dialInSection(lang: Lang, d: PageDialIn | null | undefined, timeZone: string): string {
  if (!d) return '';
  const t = T[lang];
  const locale = lang === 'it' ? 'it-IT' : 'en-GB';
  const day = (x: Date) => dateFormat(locale, { timeZone, dateStyle: 'short' }).format(x);
  const time = (x: Date, withDay: boolean) => dateFormat(locale, { timeZone, ...(withDay && { dateStyle: 'short' }), timeStyle: 'short' }).format(x);
  const withDay = day(d.opensAt) !== day(d.closesAt);
  // The tel: URI ends in ",,<PIN>%23": phones pause at each comma, then send the PIN and # as tones.
  const numbers = d.numbers.length
    ? `<ul aria-label="${t.numbers}">${d.numbers.map((n) => `<li>${n.country ? `${esc(countryName(n.country, lang))}: ` : ''}<a href="${esc(n.tel)}">${esc(n.number)}</a></li>`).join('')}</ul><p class="hint">${t.oneTap}</p>`
    : '';
  const host = d.hostPin ? `<dt>${t.hostPin}</dt><dd><span class="pin">${esc(d.hostPin)}</span><br><span class="hint">${t.hostPinNote}</span></dd>` : '';
  const sip = d.sipUri ? `<dt>${t.sip}</dt><dd><a href="${esc(d.sipUri)}">${esc(d.sipUri)}</a></dd>` : '';
  return `<section class="dial-in" aria-labelledby="dial-in-title"><h2 id="dial-in-title">${t.dialIn}</h2>${numbers}
<dl><dt>${t.phonePin}</dt><dd><span class="pin">${esc(d.pin)}</span></dd>${host}${sip}</dl>
<p class="hint">${t.dialOpens} ${esc(time(d.opensAt, withDay))} ${t.dialCloses} ${esc(time(d.closesAt, withDay))} (${esc(timeZone)}).</p></section>`;
}

/**
 * Title and time in the room's zone; a script adds the same time in the browser's own zone when
 * that differs (a guest abroad), since the server cannot know it.
 */
const meetingLine = (m: MeetingSummary, lang: Lang) =>
  `<p class="meeting"><strong>${esc(m.title)}</strong><br>${T[lang].when}: ${esc(when(m, lang))}<span id="your-time" data-start="${m.start.toISOString()}" data-end="${m.end.toISOString()}" data-zone="${esc(m.timeZone)}" data-locale="${LOCALE[lang]}" hidden><br>${T[lang].yourTime}: <span></span></span></p>
<script>${YOUR_TIME_SCRIPT}</script>`;

// The pages' inline scripts are fixed texts: what differs per page or language is read from data
// attributes. The Content Security Policy names exactly these by hash (JOIN_PAGE_SCRIPTS, in
// http/security.ts), never a hash taken from an answer, so a script that got into a page any other
// way does not run.
const YOUR_TIME_SCRIPT = `
(function(){var el=document.getElementById('your-time'),zone;try{zone=Intl.DateTimeFormat().resolvedOptions().timeZone;}catch(e){return;}
if(!zone||zone===el.dataset.zone)return;var s=new Date(el.dataset.start),e=new Date(el.dataset.end),loc=el.dataset.locale;
var d=new Intl.DateTimeFormat(loc,{timeZone:zone,weekday:'long',day:'numeric',month:'long',hour:'2-digit',minute:'2-digit',hourCycle:'h23'});
var h=new Intl.DateTimeFormat(loc,{timeZone:zone,hour:'2-digit',minute:'2-digit',hourCycle:'h23'});
el.lastElementChild.textContent=d.format(s)+' – '+h.format(e)+' ('+zone+')';el.hidden=false;})();
`;

// The opening time is the room zone's; a browser in another zone gets it in its own, named, as the
// meeting line does (a guest abroad read "opens at 13:45" beside a meeting at 13:00 their time).
const COUNTDOWN_SCRIPT = `
(function(){var el=document.getElementById('count'),left=+el.dataset.seconds,end=Date.now()+left*1000,w=el.dataset,day=w.day,zone;
try{zone=Intl.DateTimeFormat().resolvedOptions().timeZone;}catch(e){}
if(zone&&zone!==w.zone){var at=new Date(w.opens),fmt=function(o){o.timeZone=zone;return new Intl.DateTimeFormat(w.locale,o).format(at);};
day=fmt({weekday:'short',day:'numeric',month:'short'})+' '+w.at+' '+fmt({hour:'2-digit',minute:'2-digit',hourCycle:'h23'})+' ('+zone+')';
el.textContent=w.lead+' '+w.rel+', '+day+'.';}
if(left>3600){setTimeout(function(){location.reload();},Math.min(left-3600,900)*1000);return;}
function f(s){var m=Math.floor(s/60),r=s%60;return w.wordIn+' '+(m>0?m+' '+w.wordMinutes+' ':'')+r+' '+w.wordSeconds;}
function tick(){var s=Math.max(0,Math.ceil((end-Date.now())/1000));el.textContent=w.lead+' '+f(s)+', '+day+'.';
if(s<=0){document.getElementById('wait').hidden=true;var g=document.getElementById('go');g.hidden=false;g.querySelector('a').focus();return;}
setTimeout(tick,Math.min(1000,s*1000));}tick();})();
`;

/** Every inline script the join and guest pages carry. */
export const JOIN_PAGE_SCRIPTS = [YOUR_TIME_SCRIPT, COUNTDOWN_SCRIPT];

/** The calendar day of an instant in a zone, as a day number (for "tomorrow", "in 5 days"). */
const dayNumber = (d: Date, timeZone: string) => Date.parse(`${dateFormat('en-CA', { timeZone }).format(d)}T00:00:00Z`) / 86_400_000;

/** "Tue 8 Dec at 13:45" / "mar 8 dic alle 13:45" in the room's zone; "today at 13:45" on the day itself. */
export function openingDay(at: Date, now: Date, timeZone: string, lang: Lang): string {
  const day =
    dayNumber(at, timeZone) === dayNumber(now, timeZone)
      ? relativeFormat(LOCALE[lang]).format(0, 'day')
      : dateFormat(LOCALE[lang], { timeZone, weekday: 'short', day: 'numeric', month: 'short' }).format(at);
  const time = dateFormat(LOCALE[lang], { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
  return `${day} ${T[lang].at} ${time}`;
}

/**
 * How far off the opening is, as a person says it: "in 5 days", "tomorrow", "in 3 hours"
 * (Intl.RelativeTimeFormat, calendar days in the room's zone); minutes and seconds only in the last hour.
 */
export function countdownText(opensAt: Date, now: Date, timeZone: string, lang: Lang): string {
  const seconds = Math.max(0, Math.ceil((opensAt.getTime() - now.getTime()) / 1000));
  if (seconds <= 3600) return `${T[lang].in} ${fmtCount(seconds, lang)}`;
  const days = dayNumber(opensAt, timeZone) - dayNumber(now, timeZone);
  if (days >= 1) return relativeFormat(LOCALE[lang]).format(days, 'day');
  return relativeFormat(LOCALE[lang], 'always').format(Math.floor(seconds / 3600), 'hour');
}

/**
 * Counts down to the opening ("The room opens in 5 days, Tue 8 Dec at 13:45") and then shows the
 * join button, without a reload. Further than an hour the sentence is the server's, refreshed by a
 * reload now and then; in the last hour the script counts minutes and seconds itself.
 */
export function waitingPage(lang: Lang, m: MeetingSummary, joinHref: string, now: Date, selfUrl: string, dialIn?: PageDialIn | null): string {
  const t = T[lang];
  const seconds = Math.max(0, Math.ceil((m.opensAt.getTime() - now.getTime()) / 1000));
  const day = openingDay(m.opensAt, now, m.timeZone, lang);
  const rel = countdownText(m.opensAt, now, m.timeZone, lang);
  const body = `<h1>${t.waitingTitle}</h1>${meetingLine(m, lang)}
<div id="wait"><p class="count" id="count" role="timer" aria-live="off" data-seconds="${seconds}" data-lead="${esc(t.opensIn)}" data-rel="${esc(rel)}" data-day="${esc(day)}" data-opens="${m.opensAt.toISOString()}" data-zone="${esc(m.timeZone)}" data-locale="${LOCALE[lang]}" data-at="${esc(T[lang].at)}" data-word-in="${esc(t.in)}" data-word-minutes="${esc(t.minutes)}" data-word-seconds="${esc(t.seconds)}">${esc(`${t.opensIn} ${rel}, ${day}`)}.</p></div>
<p id="go" hidden aria-live="polite"><a class="button" href="${esc(joinHref)}">${t.join}</a></p>
<script>${COUNTDOWN_SCRIPT}</script>
<noscript><p><a href="${esc(selfUrl)}">${t.join}</a></p></noscript>${dialInSection(lang, dialIn, m.timeZone)}`;
  return layout(lang, t.waitingTitle, body, { selfUrl });
}

function fmtCount(s: number, lang: Lang) {
  const m = Math.floor(s / 60);
  return `${m > 0 ? `${m} ${T[lang].minutes} ` : ''}${s % 60} ${T[lang].seconds}`;
}

export function messagePage(
  lang: Lang,
  kind: 'ended' | 'cancelled' | 'invalid' | 'preparing' | 'failed' | 'signIn' | 'notParticipant',
  m: MeetingSummary | null,
  selfUrl: string,
  o: { signInHref?: string; dialIn?: PageDialIn | null; recordings?: PageRecording[] } = {},
): string {
  const t = T[lang];
  const texts: Record<typeof kind, [string, string]> = {
    ended: [t.endedTitle, t.ended],
    cancelled: [t.cancelledTitle, t.cancelled],
    invalid: [t.invalidTitle, t.invalid],
    preparing: [t.preparingTitle, t.preparing],
    failed: [t.failedTitle, t.failed],
    signIn: [t.signInTitle, t.signIn],
    notParticipant: [t.notParticipantTitle, t.notParticipant],
  };
  const [title, text] = texts[kind];
  const link = kind === 'signIn' && o.signInHref ? `<p><a class="button" href="${esc(o.signInHref)}">${t.signInLink}</a></p>` : '';
  const dialIn = m ? dialInSection(lang, o.dialIn, m.timeZone) : '';
  const recordings = m && o.recordings?.length ? recordingsSection(lang, o.recordings, m.timeZone) : '';
  return layout(lang, title, `<h1>${title}</h1>${m ? meetingLine(m, lang) : ''}<p>${text}</p>${link}${dialIn}${recordings}`, { selfUrl, ...(kind === 'preparing' ? { refreshSeconds: 10 } : {}) });
}

/** A published recording of an ended meeting, on its guest page (issue #15). */
export type PageRecording = { start: Date; lengthMinutes: number | null; url: string };

function recordingsSection(lang: Lang, list: PageRecording[], timeZone: string): string {
  const t = T[lang];
  const fmt = dateFormat(lang === 'it' ? 'it-IT' : 'en-GB', { timeZone, dateStyle: 'medium', timeStyle: 'short' });
  const items = list
    .map((r) => `<li><a href="${esc(r.url)}" rel="noopener noreferrer">${esc(fmt.format(r.start))}</a>${r.lengthMinutes !== null ? ` (${r.lengthMinutes} ${t.recordingMinutes})` : ''}</li>`)
    .join('');
  return `<section aria-labelledby="recordings-title"><h2 id="recordings-title">${t.recordingsTitle}</h2><ul>${items}</ul></section>`;
}

/** What the guest form says of wrong PINs: the rule, and the wait now in force. */
export type PinNotice = { freeAttempts: number; delayBaseSeconds: number; wait?: PinWait | null | undefined };

export function guestFormPage(
  lang: Lang,
  m: MeetingSummary,
  action: string,
  o: { needsPin: boolean; error?: 'name' | 'pin' | 'limited' | undefined; name?: string; dialIn?: PageDialIn | null; pinNotice?: PinNotice },
): string {
  const t = T[lang];
  const nameErr = o.error === 'name' ? `<p class="error" id="name-error">${t.nameError}</p>` : '';
  const wait = o.pinNotice?.wait;
  const waitText = wait ? fmtCount(wait.seconds, lang) : '';
  // A refused try carries the stable code GUEST_PIN_LIMITED (also in the 429's problem code for scripts).
  const pinErr =
    o.error === 'limited' && wait
      ? `<p class="error" id="pin-error" role="alert" data-code="GUEST_PIN_LIMITED">${wait.scope === 'address' ? t.pinLimitedAddress : t.pinLimitedLink} ${waitText}.</p>`
      : o.error === 'pin'
        ? `<p class="error" id="pin-error" role="alert">${t.pinError}${wait ? ` ${t.pinNextTry} ${waitText}.` : ''}</p>`
        : '';
  const rule = o.pinNotice ? `<p class="hint" id="pin-rule">${t.pinRule(o.pinNotice.freeAttempts, o.pinNotice.delayBaseSeconds)}</p>` : '';
  const body = `<h1>${t.guestTitle}</h1>${meetingLine(m, lang)}
<form method="post" action="${esc(action)}">
<label for="name">${t.name}</label>
<input id="name" name="name" required maxlength="80" autocomplete="name" value="${esc(o.name ?? '')}"${o.error === 'name' ? ' aria-invalid="true" aria-describedby="name-error" autofocus' : ''}>${nameErr}
${o.needsPin ? `<label for="pin">${t.pin}</label><input id="pin" name="pin" required inputmode="numeric" pattern="[0-9]{4,10}" autocomplete="off" aria-describedby="${o.error === 'pin' || o.error === 'limited' ? 'pin-error ' : ''}pin-rule"${o.error === 'pin' || o.error === 'limited' ? ' aria-invalid="true" autofocus' : ''}>${pinErr}${rule}` : ''}
<p><button type="submit">${t.join}</button></p>
</form>${dialInSection(lang, o.dialIn, m.timeZone)}`;
  return layout(lang, t.guestTitle, body, { selfUrl: action });
}
