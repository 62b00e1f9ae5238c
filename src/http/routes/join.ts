// The join pages: /join/<booking> for signed-in people (session cookie or API token), /g/<token>
// for guests. They redirect to the provider's URL when the room is open, and otherwise render a
// page (waiting with countdown, preparing, ended, cancelled, invalid link) in Italian or English.
// While the meeting is ahead or on, those pages also show the booking's dial-in, if it has one.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AudioService } from '../../app/audio.ts';
import type { GuestPage, JoinOutcome, JoiningService } from '../../app/joining.ts';
import { AppError } from '../../domain/errors.ts';
import type { GuestPinLimits, PinWait } from '../../domain/guest-pin.ts';
import { isUuid } from '../../domain/ids.ts';
import type { Clock } from '../../ports.ts';
import { callContext } from '../access.ts';
import { keptHtml } from '../security.ts';
import { guestFormPage, messagePage, pickLang, waitingPage, type Lang, type PageDialIn, type PageRecording } from '../join-pages.ts';

export type JoinRouteOptions = {
  joining: JoiningService;
  audio: AudioService;
  clock: Clock;
  guestPinLimits: GuestPinLimits;
  /** The published recordings of an ended meeting, shown on its guest page (the guest link is the right). */
  recordings?: (bookingId: string) => Promise<PageRecording[]>;
};

/**
 * The guest form of a meeting, kept as bytes: a class opening its guest link within the same minute
 * all get the same page, and rendering, encoding and compressing it for each of them was most of
 * what the portal spent per guest (bench/RESULTS.md, issue #13). Kept by the identity of what it shows (the
 * meeting's summary and dial-in, one object each for as long as the join cache keeps them, replaced
 * when they change) and by language, PIN field and link; gone with those objects.
 */
class KeptForms {
  readonly #pages = new WeakMap<object, WeakMap<object, Map<string, Buffer>>>();
  static readonly #noDialIn = {};

  get(meeting: object, dialIn: object | null, key: string, render: () => string): Buffer {
    let byDialIn = this.#pages.get(meeting);
    if (!byDialIn) this.#pages.set(meeting, (byDialIn = new WeakMap()));
    const d = dialIn ?? KeptForms.#noDialIn;
    let pages = byDialIn.get(d);
    if (!pages) byDialIn.set(d, (pages = new Map()));
    let page = pages.get(key);
    if (!page) pages.set(key, (page = keptHtml(render())));
    return page;
  }
}

/** The bodies of the server-rendered pages' forms (a guest's name and PIN, an invitee's answer): small. */
export function acceptForms(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
}

/** A server-rendered page: never kept by a cache, since each shows the state of now. */
export const sendPage = (reply: FastifyReply, status: number, page: string | Buffer) =>
  reply.code(status).header('cache-control', 'no-store').header('content-type', 'text/html; charset=utf-8').send(page);

export async function joinRoutes(app: FastifyInstance, o: JoinRouteOptions) {
  acceptForms(app);

  const langOf = (req: FastifyRequest) => pickLang((req.query as { lang?: string }).lang, req.headers['accept-language']);
  const html = sendPage;

  // A join page's address, keeping the language the request asked for.
  const joinUrl = (bookingId: string, req: FastifyRequest<{ Querystring: { lang?: string } }>) => `/join/${encodeURIComponent(bookingId)}${req.query.lang ? `?lang=${langOf(req)}` : ''}`;
  const joinSelfUrl = (req: FastifyRequest<{ Params: { bookingId: string }; Querystring: { lang?: string } }>) => joinUrl(req.params.bookingId, req);
  // Without a session the page explains and links to the sign-in, which brings the person back here.
  const signInFirst = (req: FastifyRequest, reply: FastifyReply) => {
    const selfUrl = joinSelfUrl(req as FastifyRequest<{ Params: { bookingId: string }; Querystring: { lang?: string } }>);
    return html(reply, 401, messagePage(langOf(req), 'signIn', null, selfUrl, { signInHref: `/?next=${encodeURIComponent(selfUrl)}` }));
  };

  // Only where the meeting is ahead or on: a phone conference can still be reached when the room failed.
  const showsDialIn = (kind: GuestPage['kind']) => kind === 'waiting' || kind === 'preparing' || kind === 'failed' || kind === 'form';

  function render(reply: FastifyReply, lang: Lang, outcome: Exclude<JoinOutcome, { kind: 'redirect' | 'not-participant' }>, selfUrl: string, dialIn: PageDialIn | null, recordings: PageRecording[] = []) {
    switch (outcome.kind) {
      case 'waiting':
        return html(reply, 200, waitingPage(lang, outcome.meeting, selfUrl, o.clock.now(), selfUrl, dialIn));
      case 'preparing':
        return html(reply, 503, messagePage(lang, 'preparing', outcome.meeting, selfUrl, { dialIn }));
      case 'failed':
        return html(reply, 503, messagePage(lang, 'failed', outcome.meeting, selfUrl, { dialIn }));
      case 'ended':
        return html(reply, 410, messagePage(lang, 'ended', outcome.meeting, selfUrl, { recordings }));
      case 'cancelled':
        return html(reply, 410, messagePage(lang, 'cancelled', outcome.meeting, selfUrl));
    }
  }

  app.get<{ Params: { bookingId: string }; Querystring: { lang?: string } }>('/join/:bookingId', { schema: { hide: true }, config: { access: 'signed-in', anonymous: signInFirst } }, async (req, reply) => {
    if (!isUuid(req.params.bookingId)) return html(reply, 404, messagePage(langOf(req), 'invalid', null, joinSelfUrl(req)));
    try {
      const ctx = callContext(req);
      const outcome = await o.joining.join(ctx, req.params.bookingId);
      if (outcome.kind === 'redirect') return reply.code(302).header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').redirect(outcome.url);
      // A page to show: only now its language and address (the burst of joins is redirects).
      const lang = langOf(req);
      const selfUrl = joinSelfUrl(req);
      // Not the guest link itself: that would hand an open link to anyone who saw the booking id.
      if (outcome.kind === 'not-participant') return html(reply, 403, messagePage(lang, 'notParticipant', null, selfUrl));
      if (outcome.kind === 'next-occurrence') {
        return reply.code(302).header('cache-control', 'no-store').redirect(joinUrl(outcome.bookingId, req));
      }
      const bookingId = outcome.meeting.bookingId;
      // From the join cache, as the join itself: a class arriving early sees the waiting page without a query.
      const dialIn = showsDialIn(outcome.kind) && o.audio.configured ? o.audio.dialInFor(await o.joining.conference(bookingId), await o.joining.hosts(ctx, bookingId)) : null;
      return render(reply, lang, outcome, selfUrl, dialIn);
    } catch (e) {
      if (e instanceof AppError && e.kind === 'not-found') return html(reply, 404, messagePage(langOf(req), 'invalid', null, joinSelfUrl(req)));
      throw e;
    }
  });

  /**
   * Guests see the participant PIN, never the host PIN; and not while the link asks for a web PIN
   * they have not given, since the phone PIN would let them round it. Pages past the web PIN check
   * (the room still preparing or failed) carry no `needsPin`.
   */
  async function guestDialIn(page: Exclude<GuestPage | JoinOutcome, { kind: 'invalid' | 'redirect' | 'not-participant' }>): Promise<PageDialIn | null> {
    if (!showsDialIn(page.kind) || ('needsPin' in page && page.needsPin) || !o.audio.configured) return null;
    // From the join cache: a hundred guests opening the form at once read the conference once.
    return o.audio.dialInOf(await o.joining.conference(page.meeting.bookingId));
  }

  const forms = new KeptForms();
  const pinNotice = (needsPin: boolean, wait?: PinWait | null) =>
    needsPin ? { pinNotice: { freeAttempts: o.guestPinLimits.freeAttempts, delayBaseSeconds: o.guestPinLimits.delayBaseSeconds, wait } } : {};

  app.get<{ Params: { token: string }; Querystring: { lang?: string } }>('/g/:token', { schema: { hide: true }, config: { access: 'public' } }, async (req, reply) => {
    const lang = langOf(req);
    const selfUrl = `/g/${encodeURIComponent(req.params.token)}`;
    const page = await o.joining.guestPage(req.params.token);
    if (page.kind === 'invalid') return html(reply, 404, messagePage(lang, 'invalid', null, selfUrl));
    const dialIn = await guestDialIn(page);
    if (page.kind === 'form') {
      const action = `${selfUrl}?lang=${lang}`;
      return html(reply, 200, forms.get(page.meeting, dialIn, `${page.needsPin} ${action}`, () => guestFormPage(lang, page.meeting, action, { needsPin: page.needsPin, dialIn, ...pinNotice(page.needsPin) })));
    }
    // A service that does not answer leaves the page without its recordings, never without the page.
    const recordings = page.kind === 'ended' && o.recordings ? await o.recordings(page.meeting.bookingId).catch(() => []) : [];
    return render(reply, lang, page, selfUrl, dialIn, recordings);
  });

  app.post<{ Params: { token: string }; Querystring: { lang?: string }; Body: { name?: string; pin?: string } }>('/g/:token', { schema: { hide: true }, config: { access: 'public' } }, async (req, reply) => {
    const lang = langOf(req);
    const selfUrl = `/g/${encodeURIComponent(req.params.token)}`;
    const body = (req.body ?? {}) as { name?: unknown; pin?: unknown };
    const name = typeof body.name === 'string' ? body.name : '';
    const pin = typeof body.pin === 'string' ? body.pin : undefined;
    const outcome = await o.joining.guestJoin(req.params.token, { name, pin, address: req.ip });
    if (outcome.kind === 'redirect') return reply.code(303).header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').redirect(outcome.url);
    if (outcome.kind === 'invalid') return html(reply, 404, messagePage(lang, 'invalid', null, selfUrl));
    if (outcome.kind === 'form' && outcome.error === 'limited' && outcome.wait) {
      // Refused without looking at the PIN: 429 with Retry-After; scripts asking for JSON get the
      // problem+json answer with the same code.
      reply.header('retry-after', String(outcome.wait.seconds));
      if (/json/.test(req.headers.accept ?? '')) {
        throw new AppError('rate-limited', 'GUEST_PIN_LIMITED', `Too many wrong PINs ${outcome.wait.scope === 'address' ? 'from your network address' : 'for this guest link'}; try again in ${outcome.wait.seconds} seconds.`, { retryAfterSeconds: outcome.wait.seconds }, { it: `Troppi PIN errati ${outcome.wait.scope === 'address' ? 'dal tuo indirizzo di rete' : 'per questo link'}; riprova tra ${outcome.wait.seconds} secondi.` });
      }
      return html(reply, 429, guestFormPage(lang, outcome.meeting, `${selfUrl}?lang=${lang}`, { needsPin: outcome.needsPin, error: 'limited', name, ...pinNotice(true, outcome.wait) }));
    }
    if (outcome.kind === 'form' && outcome.error === 'pin' && outcome.wait) {
      req.log.warn({ event: 'guest.pin.limited', bookingId: outcome.meeting.bookingId, scope: outcome.wait.scope, waitSeconds: outcome.wait.seconds, address: req.ip }, 'guest PIN tries on this link now wait');
    }
    const dialIn = await guestDialIn(outcome);
    if (outcome.kind === 'form') return html(reply, 422, guestFormPage(lang, outcome.meeting, `${selfUrl}?lang=${lang}`, { needsPin: outcome.needsPin, error: outcome.error, name, dialIn, ...pinNotice(outcome.needsPin, outcome.wait) }));
    return render(reply, lang, outcome, selfUrl, dialIn);
  });
}
