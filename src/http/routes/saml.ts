// SAML endpoints: SP metadata at a stable URL, login (HTTP-Redirect AuthnRequest), the assertion
// consumer (HTTP-POST), single logout, and the portal's sign-out that uses it when it can. Every
// refused response is logged with its reason and answered without a session.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.ts';
import type { Identity } from '../../identity/module.ts';
import { safeReturnTarget } from '../../identity/return-target.ts';
import { profileFromSaml } from '../../identity/saml/attributes.ts';
import { idpName } from '../../identity/saml/federation-metadata.ts';
import { SamlRejection } from '../../identity/saml/service-provider.ts';
import { SESSION_COOKIE, sessionCookieOptions } from '../access.ts';
import { esc, LAST_IDP_COOKIE, page, pickLang, sendError, type Lang } from './discovery.ts';

const PENDING_COOKIE = 'wm_saml_requests';

export const samlRoutes: FastifyPluginAsync<{ identity: Identity }> = async (app, { identity }) => {
  // SAML bindings 3.5.4: the HTTP-POST binding sends an HTML form (application/x-www-form-urlencoded).
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 512 * 1024 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  const saml = identity.saml;
  const safeReturn = (raw: unknown) => safeReturnTarget(raw, identity.publicUrl);

  app.get('/auth/saml/metadata', { schema: { hide: true }, config: { access: 'public' } }, async (_req, reply) => {
    if (!saml) return reply.code(404).send({ code: 'SAML_NOT_CONFIGURED', detail: 'SAML is not configured on this portal.' });
    return reply.type('application/samlmetadata+xml').header('content-disposition', 'inline; filename="webmeetings-sp.xml"').send(saml.metadataXml);
  });

  app.get<{ Querystring: { idp?: string; return?: string; force?: string } }>('/auth/saml/login', { schema: { hide: true }, config: { access: 'public' } }, async (req, reply) => {
    if (!saml) return sendError(reply, req, 404, 'SAML_NOT_CONFIGURED', pickLang(req) === 'it' ? 'L’accesso federato non è configurato.' : 'Federated sign-in is not configured.');
    const idp = req.query.idp ?? '';
    try {
      const { url, requestId } = await saml.sp.loginUrl(idp, safeReturn(req.query.return), req.query.force === 'true');
      reply.setCookie(LAST_IDP_COOKIE, idp, { path: '/', httpOnly: true, sameSite: 'lax', secure: identity.cookieSecure, maxAge: 365 * 24 * 3600 });
      if (identity.cookieSecure) {
        // Binds the request to this browser (against login CSRF: someone else's valid response
        // posted into this browser). The IdP's POST is cross-site, so only SameSite=None (which
        // needs Secure) brings the cookie along; over plain http the pending id alone must do.
        const recent = (req.cookies[PENDING_COOKIE] ?? '').split('.').filter(Boolean).slice(-4);
        reply.setCookie(PENDING_COOKIE, [...recent, requestId].join('.'), { path: '/auth/saml/acs', httpOnly: true, sameSite: 'none', secure: true, maxAge: 15 * 60 });
      }
      return reply.redirect(url);
    } catch (e) {
      if (!(e instanceof SamlRejection)) throw e;
      req.log.warn({ event: 'saml.login.refused', code: e.code, idp }, `SAML login refused: ${e.message}`);
      const lang = pickLang(req);
      return sendError(reply, req, 404, e.code, lang === 'it' ? 'Questo servizio di accesso non fa parte della federazione.' : 'This sign-in service is not part of the federation.');
    }
  });

  app.post<{ Body: Record<string, string> | undefined }>('/auth/saml/acs', { schema: { hide: true }, config: { access: 'public' } }, async (req, reply) => {
    if (!saml) return sendError(reply, req, 404, 'SAML_NOT_CONFIGURED');
    const body = req.body ?? {};
    if (typeof body.SAMLResponse !== 'string' || body.SAMLResponse.length === 0) {
      return sendError(reply, req, 400, 'SAML_NO_RESPONSE', pickLang(req) === 'it' ? 'Nessuna risposta SAML ricevuta.' : 'No SAML response was received.');
    }
    try {
      const browserRequests = identity.cookieSecure ? (req.cookies[PENDING_COOKIE] ?? '').split('.').filter(Boolean) : undefined;
      const login = await saml.sp.consume(body.SAMLResponse, body.RelayState ?? null, browserRequests);
      const { profile, dropped } = profileFromSaml(login);
      if (dropped.length > 0) req.log.warn({ event: 'saml.attributes.dropped', idp: login.idp.entityId, dropped }, 'SAML attributes outside the IdP’s scopes were ignored');
      if (!profile.subject) throw new SamlRejection('SAML_NO_SUBJECT', 'no subject-id, pairwise-id, eduPersonPrincipalName, eduPersonTargetedID or persistent NameID', login.idp.entityId);
      const result = await identity.federated.signIn(
        profile,
        { protocol: 'saml', issuer: login.idp.entityId, nameId: login.nameId, nameIdFormat: login.nameIdFormat, nameQualifier: login.nameQualifier, spNameQualifier: login.spNameQualifier, sessionIndex: login.sessionIndex },
        req.id,
      );
      await startSession(req, reply, identity, result.sessionId);
      req.log.info({ event: 'saml.login', idp: login.idp.entityId, userId: result.user.id, institutionId: result.institution?.id ?? null, newUser: result.newUser }, 'SAML sign-in');
      return reply.redirect(safeReturn(login.relayState));
    } catch (e) {
      if (e instanceof SamlRejection) {
        req.log.warn({ event: 'saml.response.rejected', code: e.code, idp: e.idp, reason: e.message }, `SAML response rejected (${e.code}): ${e.message}`);
        if (e.code === 'SAML_UNSOLICITED') {
          const lang = pickLang(req);
          const idp = e.idp ? (saml.registry.find(e.idp) ?? null) : null;
          const retry = idp ? { name: idpName(idp, lang), href: `/auth/saml/login?${new URLSearchParams({ idp: idp.entityId, return: safeReturn(body.RelayState) })}` } : null;
          return reply.code(403).type('text/html; charset=utf-8').send(unsolicitedPage(lang, retry, e.code));
        }
        return sendError(reply, req, 403, e.code);
      }
      if (e instanceof AppError) {
        req.log.warn({ event: 'saml.login.refused', code: e.code }, `SAML sign-in refused: ${e.message}`);
        return sendError(reply, req, e.kind === 'conflict' ? 409 : 403, e.code, (pickLang(req) === 'it' && e.translations.it) || e.message);
      }
      throw e;
    }
  });

  // IdP-initiated logout (LogoutRequest) and the IdP's answer to ours (LogoutResponse), HTTP-Redirect.
  app.get('/auth/saml/slo', { schema: { hide: true }, config: { access: 'public' } }, async (req, reply) => {
    if (!saml) return sendError(reply, req, 404, 'SAML_NOT_CONFIGURED');
    const raw = req.url.split('?')[1] ?? '';
    try {
      const msg = await saml.slo.receive(raw);
      if (msg.kind === 'response') {
        req.log.info({ event: 'saml.logout.completed', idp: msg.idp.entityId }, 'single logout completed at the IdP');
        return reply.redirect(safeReturn(msg.relayState));
      }
      const ended = await identity.sessions.destroyFederatedOnce(msg.request, msg.nameId, msg.sessionIndex);
      if (ended === null) throw new SamlRejection('SAML_REPLAY', `LogoutRequest ${msg.request.id} was already acted on`, msg.idp.entityId);
      req.log.info({ event: 'saml.logout.idp', idp: msg.idp.entityId, sessions: ended }, 'IdP-initiated logout');
      if (msg.responseUrl) return reply.redirect(msg.responseUrl);
      // No SLO endpoint in the IdP's metadata: nowhere to answer, so the browser stays here.
      req.log.warn({ event: 'saml.logout.no-endpoint', idp: msg.idp.entityId }, 'the IdP has no SingleLogoutService in its metadata; no LogoutResponse sent');
      return reply.type('text/html; charset=utf-8').send(signedOutPage(pickLang(req)));
    } catch (e) {
      if (!(e instanceof SamlRejection)) throw e;
      req.log.warn({ event: 'saml.logout.rejected', code: e.code, idp: e.idp, reason: e.message }, `SAML logout message rejected (${e.code}): ${e.message}`);
      return sendError(reply, req, 403, e.code);
    }
  });

  // The portal's sign-out: the session ends here always; with an IdP that supports single logout the
  // browser then goes there to end the IdP session too. A POST with the session's CSRF token (the
  // `csrf` form field or the header), so another site cannot sign people out; without a live
  // session there is nothing to end and the browser just goes home.
  const signedOut = (_req: FastifyRequest, reply: FastifyReply) => reply.clearCookie(SESSION_COOKIE, { path: '/' }).redirect('/', 303);
  app.post('/auth/logout', { schema: { hide: true }, config: { access: 'signed-in', anonymous: signedOut } }, async (req, reply) => {
    const sid = req.cookies[SESSION_COOKIE];
    const federated = sid ? await identity.sessions.federated(sid) : null;
    if (sid) await identity.sessions.destroy(sid);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    if (federated?.protocol === 'saml' && saml) {
      try {
        const url = await saml.slo.logoutUrl(federated as never, '/');
        if (url) return reply.redirect(url, 303);
      } catch (e) {
        req.log.warn({ err: e, idp: federated.issuer }, 'could not build the SAML LogoutRequest; signed out locally only');
      }
    }
    return reply.redirect('/', 303);
  });
};

/** A new session id at every sign-in (no fixation); the session the old cookie named, if any, ends. */
export async function startSession(req: FastifyRequest, reply: FastifyReply, identity: Identity, sessionId: string) {
  const old = req.cookies[SESSION_COOKIE];
  if (old) await identity.sessions.destroy(old);
  reply.setCookie(SESSION_COOKIE, sessionId, sessionCookieOptions(identity.cookieSecure, identity.sessionHours));
}

/** The answer to an IdP-initiated (unsolicited) sign-in, which the portal does not accept. */
function unsolicitedPage(lang: Lang, retry: { name: string; href: string } | null, code: string): string {
  const t =
    lang === 'it'
      ? {
          title: 'Accedi partendo da WebMeetings',
          why: 'Il servizio di accesso del tuo ente ha inviato un accesso che WebMeetings non aveva richiesto. Per sicurezza WebMeetings accetta solo gli accessi avviati da questo portale: nessuno può così farti entrare con un account che non è il tuo.',
          retry: (n: string) => `Accedi con ${n}`,
          choose: 'Scegli il tuo ente',
        }
      : {
          title: 'Start signing in at WebMeetings',
          why: 'Your institution’s sign-in service sent a sign-in that WebMeetings had not asked for. For your security WebMeetings accepts only sign-ins started from this portal, so nobody can sign you in to an account that is not yours.',
          retry: (n: string) => `Sign in with ${n}`,
          choose: 'Choose your institution',
        };
  return page(
    lang,
    t.title,
    `<h1>${esc(t.title)}</h1><div class="error" role="alert"><p>${esc(t.why)}</p><p><small>${esc(code)}</small></p></div>
<ul>${retry ? `<li><a href="${esc(retry.href)}">${esc(t.retry(retry.name))}</a></li>` : ''}<li><a href="/auth/discovery?lang=${lang}">${esc(t.choose)}</a></li></ul>`,
  );
}

/** After an IdP-initiated logout from an IdP without a SingleLogoutService to answer to. */
function signedOutPage(lang: Lang): string {
  const t = lang === 'it' ? { title: 'Sei uscito da WebMeetings', back: 'Torna a WebMeetings' } : { title: 'You are signed out of WebMeetings', back: 'Back to WebMeetings' };
  return page(lang, t.title, `<h1>${esc(t.title)}</h1><p><a href="/">${esc(t.back)}</a></p>`);
}
