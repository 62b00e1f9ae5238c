// The join pages: /join/<booking> for signed-in people (session cookie or API token), /g/<token>
// for guests. They redirect to the provider's URL when the room is open, and otherwise render a
// page (waiting with countdown, preparing, ended, cancelled, invalid link) in Italian or English.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccountService } from '../../app/accounts.ts';
import type { JoinOutcome, JoiningService } from '../../app/joining.ts';
import type { Actor } from '../../domain/access.ts';
import { AppError } from '../../domain/errors.ts';
import type { Clock } from '../../ports.ts';
import { SESSION_COOKIE } from '../auth.ts';
import { guestFormPage, messagePage, pickLang, waitingPage, type Lang } from '../join-pages.ts';

export type JoinRouteOptions = { joining: JoiningService; accounts: AccountService; clock: Clock };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function joinRoutes(app: FastifyInstance, o: JoinRouteOptions) {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  const langOf = (req: FastifyRequest) => pickLang((req.query as { lang?: string }).lang, req.headers['accept-language']);
  const html = (reply: FastifyReply, status: number, page: string) =>
    reply.code(status).header('cache-control', 'no-store').header('content-type', 'text/html; charset=utf-8').send(page);

  async function actorOf(req: FastifyRequest): Promise<Actor | null> {
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ')) return o.accounts.actorForToken(auth.slice(7).trim());
    const sid = req.cookies[SESSION_COOKIE];
    return sid ? ((await o.accounts.actorForSession(sid))?.actor ?? null) : null;
  }

  function render(reply: FastifyReply, lang: Lang, outcome: Exclude<JoinOutcome, { kind: 'redirect' }>, selfUrl: string) {
    switch (outcome.kind) {
      case 'waiting':
        return html(reply, 200, waitingPage(lang, outcome.meeting, selfUrl, o.clock.now(), selfUrl));
      case 'preparing':
        return html(reply, 503, messagePage(lang, 'preparing', outcome.meeting, selfUrl));
      case 'failed':
        return html(reply, 503, messagePage(lang, 'failed', outcome.meeting, selfUrl));
      case 'ended':
        return html(reply, 410, messagePage(lang, 'ended', outcome.meeting, selfUrl));
      case 'cancelled':
        return html(reply, 410, messagePage(lang, 'cancelled', outcome.meeting, selfUrl));
    }
  }

  app.get<{ Params: { bookingId: string }; Querystring: { lang?: string } }>('/join/:bookingId', { schema: { hide: true } }, async (req, reply) => {
    const lang = langOf(req);
    const selfUrl = `/join/${encodeURIComponent(req.params.bookingId)}${(req.query as { lang?: string }).lang ? `?lang=${lang}` : ''}`;
    if (!UUID.test(req.params.bookingId)) return html(reply, 404, messagePage(lang, 'invalid', null, selfUrl));
    const actor = await actorOf(req);
    if (!actor) return html(reply, 401, messagePage(lang, 'signIn', null, selfUrl, `/?next=${encodeURIComponent(selfUrl)}`));
    try {
      const outcome = await o.joining.join({ actor, requestId: req.id }, req.params.bookingId);
      if (outcome.kind === 'redirect') return reply.code(302).header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').redirect(outcome.url);
      return render(reply, lang, outcome, selfUrl);
    } catch (e) {
      if (e instanceof AppError && e.kind === 'not-found') return html(reply, 404, messagePage(lang, 'invalid', null, selfUrl));
      throw e;
    }
  });

  app.get<{ Params: { token: string }; Querystring: { lang?: string } }>('/g/:token', { schema: { hide: true } }, async (req, reply) => {
    const lang = langOf(req);
    const selfUrl = `/g/${encodeURIComponent(req.params.token)}`;
    const page = await o.joining.guestPage(req.params.token);
    if (page.kind === 'invalid') return html(reply, 404, messagePage(lang, 'invalid', null, selfUrl));
    if (page.kind === 'form') return html(reply, 200, guestFormPage(lang, page.meeting, `${selfUrl}?lang=${lang}`, { needsPin: page.needsPin }));
    return render(reply, lang, page, selfUrl);
  });

  app.post<{ Params: { token: string }; Querystring: { lang?: string }; Body: { name?: string; pin?: string } }>('/g/:token', { schema: { hide: true } }, async (req, reply) => {
    const lang = langOf(req);
    const selfUrl = `/g/${encodeURIComponent(req.params.token)}`;
    const body = (req.body ?? {}) as { name?: unknown; pin?: unknown };
    const name = typeof body.name === 'string' ? body.name : '';
    const pin = typeof body.pin === 'string' ? body.pin : undefined;
    const outcome = await o.joining.guestJoin(req.params.token, { name, pin });
    if (outcome.kind === 'redirect') return reply.code(303).header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').redirect(outcome.url);
    if (outcome.kind === 'invalid') return html(reply, 404, messagePage(lang, 'invalid', null, selfUrl));
    if (outcome.kind === 'form') return html(reply, 422, guestFormPage(lang, outcome.meeting, `${selfUrl}?lang=${lang}`, { needsPin: outcome.needsPin, error: outcome.error, name }));
    return render(reply, lang, outcome, selfUrl);
  });
}
