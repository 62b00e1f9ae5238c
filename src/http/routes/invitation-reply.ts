// An invitee's own link, in every mail about a meeting they are invited to (/i/<secret>): a page
// that asks whether they will come and lets them stop the mails, without an account. The secret in
// the address is the only key, as a guest link's is. A GET changes nothing (mail scanners open
// links); the page's forms POST. /i/<secret>/mail-off is the mails' List-Unsubscribe address: a
// POST there (RFC 8058's one-click, from the mail client) stops the mails at once; a GET shows the
// page, asking first.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { InviteeLinkView, InviteeService } from '../../app/invitees.ts';
import type { MeetingDetailsSource } from '../../notify/meeting-details.ts';
import { AppError } from '../../domain/errors.ts';
import type { InviteeReply } from '../../ports.ts';
import { invalidReplyPage, mailOffPage, replyPage, type ReplyDone } from '../invitation-pages.ts';
import { pickLang, type Lang } from '../join-pages.ts';
import { acceptForms, sendPage } from './join.ts';

type Req = FastifyRequest<{ Params: { token: string }; Querystring: { lang?: string; done?: string } }>;
const DONE: readonly string[] = ['yes', 'no', 'mail-off', 'mail-on'] satisfies ReplyDone[];

export async function invitationReplyRoutes(app: FastifyInstance, o: { invitees: InviteeService; details: MeetingDetailsSource }) {
  // The page's forms, and a one-click unsubscribe: RFC 8058 lets the mail client send it as a form
  // or as multipart/form-data. What the one-click address does needs nothing of its body.
  acceptForms(app);
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 4096 }, (_req, _body, done) => done(null, {}));

  // The language asked for, else the one the booker chose for this invitee, else the browser's.
  const langOf = (req: Req, v: InviteeLinkView | null): Lang => {
    const asked = req.query.lang;
    if (asked === 'it' || asked === 'en') return asked;
    return v ? v.invitee.locale : pickLang(undefined, req.headers['accept-language']);
  };
  const pageUrl = (req: Req, lang: Lang) => `/i/${encodeURIComponent(req.params.token)}?lang=${lang}`;
  // The secret is in the address: no Referer carries it on (the page's meta tag says so too).
  const html = (reply: FastifyReply, status: number, page: string) => sendPage(reply.header('referrer-policy', 'no-referrer'), status, page);
  const invalid = (req: Req, reply: FastifyReply) => html(reply, 404, invalidReplyPage(langOf(req, null), `/i/${encodeURIComponent(req.params.token)}`));

  const route = { schema: { hide: true }, config: { access: 'public' as const } };
  // How to join, for a meeting still ahead; a service that does not answer leaves the page without it.
  const detailsOf = (v: InviteeLinkView) => (v.state === 'ahead' ? o.details({ bookingId: v.meeting.bookingId, seriesId: v.meeting.seriesId }).catch(() => null) : Promise.resolve(null));

  app.get<{ Params: { token: string }; Querystring: { lang?: string; done?: string } }>('/i/:token', route, async (req, reply) => {
    const v = await o.invitees.reply(req.params.token);
    if (!v) return invalid(req, reply);
    const lang = langOf(req, v);
    const done = DONE.includes(req.query.done ?? '') ? (req.query.done as ReplyDone) : undefined;
    return html(reply, 200, replyPage(lang, v, pageUrl(req, lang), { done, details: await detailsOf(v) }));
  });

  app.post<{ Params: { token: string }; Querystring: { lang?: string }; Body: { answer?: string; mail?: string } }>('/i/:token', route, async (req, reply) => {
    const body = (req.body ?? {}) as { answer?: unknown; mail?: unknown };
    const change: { reply: InviteeReply } | { muted: boolean } | null =
      body.answer === 'yes' || body.answer === 'no' ? { reply: body.answer } : body.mail === 'off' || body.mail === 'on' ? { muted: body.mail === 'off' } : null;
    if (!change) {
      // Neither answer: the page again, saying what to choose; nothing is changed.
      const v = await o.invitees.reply(req.params.token);
      if (!v) return invalid(req, reply);
      const lang = langOf(req, v);
      return html(reply, 400, replyPage(lang, v, pageUrl(req, lang), { error: 'answer' }));
    }
    try {
      const v = await o.invitees.answer(req.params.token, change);
      if (!v) return invalid(req, reply);
      const lang = langOf(req, v);
      const done: ReplyDone = 'reply' in change ? change.reply : change.muted ? 'mail-off' : 'mail-on';
      // Post/Redirect/Get: a reload does not send the answer again.
      return reply.code(303).header('cache-control', 'no-store').redirect(`${pageUrl(req, lang)}&done=${done}`);
    } catch (e) {
      // An answer to a meeting that was cancelled or is over: the page says so.
      if (!(e instanceof AppError) || e.kind !== 'unprocessable') throw e;
      const v = await o.invitees.reply(req.params.token);
      if (!v) return invalid(req, reply);
      const lang = langOf(req, v);
      return html(reply, 422, replyPage(lang, v, pageUrl(req, lang)));
    }
  });

  app.get<{ Params: { token: string }; Querystring: { lang?: string } }>('/i/:token/mail-off', route, async (req, reply) => {
    const v = await o.invitees.reply(req.params.token);
    if (!v) return invalid(req, reply);
    const lang = langOf(req, v);
    return html(reply, 200, replyPage(lang, v, pageUrl(req, lang), { askMailOff: true }));
  });

  app.post<{ Params: { token: string }; Querystring: { lang?: string } }>('/i/:token/mail-off', route, async (req, reply) => {
    const v = await o.invitees.answer(req.params.token, { muted: true });
    if (!v) return invalid(req, reply);
    const lang = langOf(req, v);
    return html(reply, 200, mailOffPage(lang, v, `/i/${encodeURIComponent(req.params.token)}/mail-off?lang=${lang}`));
  });
}
