// The server-rendered join pages (waiting, guest form, ended, cancelled, invalid link), in Italian
// and English. Small on purpose: no framework, one inline style sheet, one tiny script for the
// countdown; accessible (lang, labels, live region, focus order) and usable without JavaScript.
// A booking with an audio conference also shows its dial-in (numbers, one-tap tel: links, PIN, SIP).
import type { DialInDetails } from '../app/audio.ts';
import type { MeetingSummary } from '../app/joining.ts';
import type { PinWait } from '../domain/guest-pin.ts';

export type Lang = 'it' | 'en';

const T = {
  it: {
    waitingTitle: 'La stanza apre tra poco',
    opensIn: 'La stanza apre tra',
    opensAt: 'Apertura alle',
    join: 'Entra nella riunione',
    preparingTitle: 'Stiamo preparando la stanza',
    preparing: 'La stanza virtuale non è ancora pronta. Questa pagina riprova da sola tra pochi secondi.',
    failedTitle: 'La stanza non è disponibile',
    failed: 'Non è stato possibile preparare la stanza virtuale. Gli amministratori vedono il motivo e possono riprovare; torna su questa pagina tra qualche minuto.',
    endedTitle: 'La riunione è terminata',
    recordingsTitle: 'Registrazioni',
    recordingMinutes: 'min',
    ended: 'Questa riunione è terminata. Il collegamento non è più valido.',
    cancelledTitle: 'Riunione annullata',
    cancelled: 'Questa prenotazione è stata annullata da chi l’aveva fatta.',
    invalidTitle: 'Collegamento non valido',
    invalid: 'Questo collegamento per ospiti non esiste o è stato sostituito. Chiedi a chi ti ha invitato il collegamento nuovo.',
    guestTitle: 'Partecipa come ospite',
    name: 'Il tuo nome (come lo vedranno gli altri)',
    pin: 'PIN della riunione',
    nameError: 'Scrivi un nome da 1 a 80 caratteri.',
    pinError: 'Il PIN non è corretto. Controlla il messaggio d’invito.',
    pinRule: (free: number, base: number) => `Dopo ${free} PIN errati, ogni nuovo tentativo su questo collegamento deve attendere sempre di più: ${base} s, poi il doppio ogni volta.`,
    pinNextTry: 'Il prossimo tentativo sarà possibile tra',
    pinLimitedLink: 'Troppi PIN errati per questo collegamento. Riprova tra',
    pinLimitedAddress: 'Troppi PIN errati dal tuo indirizzo di rete. Riprova tra',
    notParticipantTitle: 'Entra con il collegamento per ospiti',
    notParticipant: 'Non sei tra i partecipanti di questa riunione (chi l’ha prenotata, chi la gestisce, chi è stato invitato). Chiedi a chi la organizza il collegamento per ospiti e, se ne ha uno, il suo PIN: è la via d’ingresso per tutti gli altri.',
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
    minutes: 'min',
    seconds: 's',
  },
  en: {
    waitingTitle: 'The room opens soon',
    opensIn: 'The room opens in',
    opensAt: 'Opens at',
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
    minutes: 'min',
    seconds: 's',
  },
} as const;

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

const esc = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);

function when(m: MeetingSummary, lang: Lang): string {
  const fmt = new Intl.DateTimeFormat(lang === 'it' ? 'it-IT' : 'en-GB', { timeZone: m.timeZone, dateStyle: 'full', timeStyle: 'short' });
  const end = new Intl.DateTimeFormat(lang === 'it' ? 'it-IT' : 'en-GB', { timeZone: m.timeZone, timeStyle: 'short' });
  return `${fmt.format(m.start)} – ${end.format(m.end)} (${m.timeZone})`;
}

function layout(lang: Lang, title: string, body: string, opts: { refreshSeconds?: number; selfUrl: string }): string {
  const other: Lang = lang === 'it' ? 'en' : 'it';
  const switchUrl = `${opts.selfUrl.split('?')[0]}?lang=${other}`;
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><meta name="referrer" content="no-referrer">
${opts.refreshSeconds ? `<meta http-equiv="refresh" content="${opts.refreshSeconds}">` : ''}
<title>${esc(title)} · WebMeetings</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f5f6f8;color:#1b1f24}
main{max-width:34rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:12px;box-shadow:0 1px 4px #0002}
h1{font-size:1.5rem;margin-top:0}
.meeting{color:#444}
.count{font-size:2.2rem;font-variant-numeric:tabular-nums;margin:.5rem 0}
a.button,button{display:inline-block;background:#0b57d0;color:#fff;border:0;border-radius:8px;padding:.75rem 1.25rem;font-size:1rem;text-decoration:none;cursor:pointer}
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
footer{max-width:34rem;margin:0 auto;padding:0 2rem;font-size:.9rem}
</style></head>
<body><main>${body}</main>
<footer><a href="${esc(switchUrl)}" hreflang="${other}" lang="${other}">${T[lang].lang}</a></footer>
</body></html>`;
}

/** What a page shows of the dial-in; `hostPin` only for people who may manage the booking. */
export type PageDialIn = DialInDetails & { hostPin?: string | null };

/** "Italia" / "Italy" for IT; the code itself when ICU has no name for it. */
function countryName(code: string, lang: Lang): string {
  try {
    return new Intl.DisplayNames([lang], { type: 'region' }).of(code) ?? code;
  } catch {
    return code;
  }
}

function dialInSection(lang: Lang, d: PageDialIn | null | undefined, timeZone: string): string {
  if (!d) return '';
  const t = T[lang];
  const locale = lang === 'it' ? 'it-IT' : 'en-GB';
  const day = (x: Date) => new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'short' }).format(x);
  const time = (x: Date, withDay: boolean) => new Intl.DateTimeFormat(locale, { timeZone, ...(withDay && { dateStyle: 'short' }), timeStyle: 'short' }).format(x);
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

const meetingLine = (m: MeetingSummary, lang: Lang) => `<p class="meeting"><strong>${esc(m.title)}</strong><br>${T[lang].when}: ${esc(when(m, lang))}</p>`;

/** Counts down to the opening and then shows the join button, without a reload. */
export function waitingPage(lang: Lang, m: MeetingSummary, joinHref: string, now: Date, selfUrl: string, dialIn?: PageDialIn | null): string {
  const t = T[lang];
  const seconds = Math.max(0, Math.ceil((m.opensAt.getTime() - now.getTime()) / 1000));
  const opens = new Intl.DateTimeFormat(lang === 'it' ? 'it-IT' : 'en-GB', { timeZone: m.timeZone, timeStyle: 'short' }).format(m.opensAt);
  const body = `<h1>${t.waitingTitle}</h1>${meetingLine(m, lang)}
<div id="wait"><p>${t.opensIn}</p><p class="count" id="count" role="timer" aria-live="off" data-seconds="${seconds}">${fmtCount(seconds, lang)}</p><p>${t.opensAt} ${esc(opens)}</p></div>
<p id="go" hidden aria-live="polite"><a class="button" href="${esc(joinHref)}">${t.join}</a></p>
<script>
(function(){var el=document.getElementById('count'),left=+el.dataset.seconds,end=Date.now()+left*1000;
function f(s){var m=Math.floor(s/60),r=s%60;return (m>0?m+' ${t.minutes} ':'')+r+' ${t.seconds}';}
function tick(){var s=Math.max(0,Math.ceil((end-Date.now())/1000));el.textContent=f(s);
if(s<=0){document.getElementById('wait').hidden=true;var g=document.getElementById('go');g.hidden=false;g.querySelector('a').focus();return;}
setTimeout(tick,Math.min(1000,s*1000));}tick();})();
</script>
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
  const fmt = new Intl.DateTimeFormat(lang === 'it' ? 'it-IT' : 'en-GB', { timeZone, dateStyle: 'medium', timeStyle: 'short' });
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
