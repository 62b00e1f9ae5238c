// "Sign in with your institution": a server-rendered discovery page (works without JavaScript, and
// filters as you type with it), a direct sign-in link per institution domain, and the JSON the SPA's
// sign-in page reads (which methods exist, IdP search). Italian and English.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { adminOnly } from '../../domain/errors.ts';
import type { Identity } from '../../identity/module.ts';
import { idpName } from '../../identity/saml/federation-metadata.ts';
import { safeReturnTarget } from '../../identity/return-target.ts';
import { callContext } from '../access.ts';
import * as S from '../schemas.ts';
import type { Services } from '../services.ts';

export type Lang = 'it' | 'en';
export const LAST_IDP_COOKIE = 'wm_last_idp';

export function pickLang(req: FastifyRequest): Lang {
  const q = (req.query as Record<string, unknown> | undefined)?.lang;
  if (q === 'it' || q === 'en') return q;
  const accept = req.headers['accept-language'] ?? '';
  const it = accept.search(/\bit\b/i);
  const en = accept.search(/\ben\b/i);
  if (it >= 0 && (en < 0 || it < en)) return 'it';
  return en >= 0 ? 'en' : 'it';
}

/**
 * The discovery page's search-as-you-type: a fixed text (its strings and the return address are
 * data attributes of the search field), allowed by the Content Security Policy by its hash.
 */
export const DISCOVERY_SCRIPT = `
(() => {
  const input = document.getElementById('q'); if (!input) return;
  const list = document.getElementById('results'), count = document.getElementById('count'), d = input.dataset;
  const esc = (s) => s.replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';');
  let seq = 0;
  input.addEventListener('input', async () => {
    const mine = ++seq;
    const res = await fetch('/api/v1/auth/idps?' + new URLSearchParams({ q: input.value, lang: d.lang, return: d.return }));
    if (!res.ok || mine !== seq) return;
    const { items } = await res.json();
    list.innerHTML = items.map((i) => '<li><a class="idp" href="' + esc(i.loginUrl) + '">' + (i.logo ? '<img class="logo" src="' + esc(i.logo) + '" alt="">' : '') +
      '<span>' + esc(i.name) + (i.domains.length ? ' <small>' + esc(i.domains.join(', ')) + '</small>' : '') + '</span></a></li>').join('');
    count.textContent = items.length === 0 ? d.none : items.length === 1 ? d.one : d.many.replace('2', String(items.length));
  });
})();
`;

export const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const T = {
  it: {
    title: 'Accedi tramite il tuo ente',
    intro: 'Cerca la tua università o ente per nome o per dominio (ad esempio unipd.it) e scegli il suo servizio di accesso.',
    search: 'Cerca il tuo ente',
    go: 'Cerca',
    last: 'Hai usato l’ultima volta',
    none: 'Nessun ente trovato. Prova con il dominio della tua e-mail istituzionale.',
    count: (n: number) => (n === 1 ? '1 ente' : `${n} enti`),
    other: 'Altri modi di accedere',
    local: 'Account locale',
    noFederation: 'L’accesso federato non è configurato su questo portale.',
    errorTitle: 'Accesso non riuscito',
    errorBack: 'Torna alla scelta dell’ente',
    switchLang: 'English',
  },
  en: {
    title: 'Sign in with your institution',
    intro: 'Search for your university or organisation by name or by domain (for example unipd.it) and choose its sign-in service.',
    search: 'Search for your institution',
    go: 'Search',
    last: 'Last time you used',
    none: 'No institution found. Try the domain of your institutional e-mail.',
    count: (n: number) => (n === 1 ? '1 institution' : `${n} institutions`),
    other: 'Other ways to sign in',
    local: 'Local account',
    noFederation: 'Federated sign-in is not configured on this portal.',
    errorTitle: 'Sign-in failed',
    errorBack: 'Back to choosing your institution',
    switchLang: 'Italiano',
  },
} as const;

export function page(lang: Lang, title: string, body: string): string {
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · WebMeetings</title>
<style>
body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}
a{color:#0b4f9c}a:focus,input:focus,button:focus{outline:3px solid #f0a000;outline-offset:2px}
ul{list-style:none;padding:0}li{margin:.25rem 0}.idp{display:flex;gap:.5rem;align-items:center;padding:.5rem;border:1px solid #ccc;border-radius:4px;text-decoration:none}
.idp small{color:#555}.logo{width:32px;height:32px;object-fit:contain}input[type=search]{width:100%;font-size:1.1rem;padding:.5rem;box-sizing:border-box}
.sr{position:absolute;left:-9999px}.error{border-left:4px solid #b00020;padding-left:1rem}
</style></head><body><main>${body}</main></body></html>`;
}

export function errorPage(lang: Lang, message: string, code: string): string {
  const t = T[lang];
  return page(lang, t.errorTitle, `<h1>${esc(t.errorTitle)}</h1><div class="error" role="alert"><p>${esc(message)}</p><p><small>${esc(code)}</small></p></div>
<p><a href="/auth/discovery?lang=${lang}">${esc(t.errorBack)}</a></p>`);
}

/** A person-readable explanation of a refused sign-in, in both languages. */
export const REFUSAL: Record<Lang, string> = {
  it: 'La risposta del servizio di accesso del tuo ente non è stata accettata. Riprova; se il problema continua, contatta il supporto del tuo ente indicando il codice qui sotto.',
  en: 'The answer from your institution’s sign-in service was not accepted. Try again; if it keeps happening, contact your institution’s support and quote the code below.',
};

type IdpView = { entityId: string; name: string; domains: string[]; logo: string | null; loginUrl: string };

export const discoveryRoutes: FastifyPluginAsyncZod<{ identity: Identity; services: Services }> = async (app, { identity, services }) => {
  const registry = identity.saml?.registry ?? null;
  const safeReturn = (raw: unknown) => safeReturnTarget(raw, identity.publicUrl);
  const view = (entityId: string, lang: Lang, returnTo: string): IdpView | null => {
    const idp = registry?.find(entityId);
    if (!idp) return null;
    return {
      entityId: idp.entityId,
      name: idpName(idp, lang),
      domains: idp.scopes,
      logo: idp.logo,
      loginUrl: `/auth/saml/login?${new URLSearchParams({ idp: idp.entityId, return: returnTo })}`,
    };
  };
  const search = (q: string, lang: Lang, returnTo: string) => (registry?.search(q, lang) ?? []).map((i) => view(i.entityId, lang, returnTo)!);

  const item = (v: IdpView) =>
    `<li><a class="idp" href="${esc(v.loginUrl)}">${v.logo ? `<img class="logo" src="${esc(v.logo)}" alt="">` : ''}<span>${esc(v.name)}${v.domains.length ? ` <small>${esc(v.domains.join(', '))}</small>` : ''}</span></a></li>`;

  app.get('/auth/discovery', {
    config: { access: 'public' },
    schema: { hide: true, querystring: z.object({ q: S.Line(200).optional(), lang: z.enum(['it', 'en']).optional(), return: ReturnTarget }) },
    handler: async (req, reply) => {
      const lang = pickLang(req);
      const t = T[lang];
      const returnTo = safeReturn(req.query.return);
      const q = req.query.q ?? '';
      const last = req.cookies[LAST_IDP_COOKIE] ? view(req.cookies[LAST_IDP_COOKIE], lang, returnTo) : null;
      const results = search(q, lang, returnTo);
      const methods = await methodsFor(identity, services);
      const other = [
        ...methods.oidc.map((p) => `<li><a href="${esc(`${p.loginUrl}?return=${encodeURIComponent(returnTo)}`)}">${esc(p.name)}</a></li>`),
        // The SPA's sign-in form reads `next` (checked again by POST /api/v1/session).
        ...(methods.local.enabled ? [`<li><a href="${esc(returnTo === '/' ? '/' : `/?${new URLSearchParams({ next: returnTo })}`)}">${esc(t.local)}</a></li>`] : []),
      ];
      const body = `<p><a href="?${new URLSearchParams({ lang: lang === 'it' ? 'en' : 'it', q, return: returnTo })}" lang="${lang === 'it' ? 'en' : 'it'}">${t.switchLang}</a></p>
<h1>${esc(t.title)}</h1>
${registry ? `<p id="intro">${esc(t.intro)}</p>
${last ? `<h2>${esc(t.last)}</h2><ul>${item(last)}</ul>` : ''}
<form method="get" action="/auth/discovery" role="search">
<label for="q">${esc(t.search)}</label>
<input type="search" id="q" name="q" value="${esc(q)}" autocomplete="off" aria-describedby="intro" aria-controls="results" data-lang="${lang}" data-return="${esc(returnTo)}" data-none="${esc(t.none)}" data-one="${esc(t.count(1))}" data-many="${esc(t.count(2))}">
<input type="hidden" name="lang" value="${lang}"><input type="hidden" name="return" value="${esc(returnTo)}">
<button type="submit">${esc(t.go)}</button>
</form>
<p id="count" role="status" aria-live="polite">${esc(results.length ? t.count(results.length) : t.none)}</p>
<ul id="results">${results.map(item).join('')}</ul>` : `<p>${esc(t.noFederation)}</p>`}
${other.length ? `<h2>${esc(t.other)}</h2><ul>${other.join('')}</ul>` : ''}
<script>${DISCOVERY_SCRIPT}</script>`;
      return reply.type('text/html; charset=utf-8').send(page(lang, t.title, body));
    },
  });

  // A direct link per institution (for its web pages and e-mails): skips the discovery page.
  app.get('/auth/sign-in/:domain', {
    config: { access: 'public' },
    schema: { hide: true, params: z.object({ domain: S.Line(253) }), querystring: z.object({ return: ReturnTarget, lang: z.enum(['it', 'en']).optional() }) },
    handler: async (req, reply) => {
      const idp = registry?.findByDomain(req.params.domain);
      if (!idp) {
        const lang = pickLang(req);
        const msg = lang === 'it' ? `Nessun servizio di accesso della federazione dichiara il dominio ${req.params.domain}.` : `No sign-in service of the federation declares the domain ${req.params.domain}.`;
        return reply.code(404).type('text/html; charset=utf-8').send(errorPage(lang, msg, 'IDP_NOT_FOUND_FOR_DOMAIN'));
      }
      return reply.redirect(`/auth/saml/login?${new URLSearchParams({ idp: idp.entityId, return: safeReturn(req.query.return) })}`);
    },
  });

  app.get('/api/v1/auth/methods', {
    config: { access: 'public' },
    schema: {
      tags: ['session'],
      summary: 'How one can sign in here: institution (SAML discovery), OIDC providers, local form',
      response: {
        200: z.object({
          institution: z.object({ enabled: z.boolean(), discoveryUrl: z.string(), lastChoice: z.object({ entityId: z.string(), name: z.string(), loginUrl: z.string() }).nullable() }),
          oidc: z.array(z.object({ id: z.string(), name: z.string(), loginUrl: z.string() })),
          local: z.object({ enabled: z.boolean(), adminsOnly: z.boolean(), passwordReset: z.boolean().describe('"Forgot password" links can be mailed (a mail server is configured)') }),
          logoutUrl: z.string(),
        }),
      },
    },
    handler: async (req) => {
      const m = await methodsFor(identity, services);
      const lang = pickLang(req);
      const last = req.cookies[LAST_IDP_COOKIE] ? view(req.cookies[LAST_IDP_COOKIE], lang, '/') : null;
      return { ...m, institution: { ...m.institution, lastChoice: last && { entityId: last.entityId, name: last.name, loginUrl: last.loginUrl } } };
    },
  });

  app.get('/api/v1/auth/idps', {
    config: { access: 'public' },
    schema: {
      tags: ['session'],
      summary: 'Search the federation’s identity providers by name (Italian or English) or domain',
      querystring: z.object({ q: S.Line(200).default(''), lang: z.enum(['it', 'en']).default('it'), return: ReturnTarget }),
      response: { 200: z.object({ items: z.array(z.object({ entityId: z.string(), name: z.string(), domains: z.array(z.string()), logo: z.string().nullable(), loginUrl: z.string() })) }) },
    },
    handler: async (req) => ({ items: search(req.query.q, req.query.lang, safeReturn(req.query.return)) }),
  });

  app.get('/api/v1/auth/settings', {
    config: { access: { role: 'admin' } },
    schema: { tags: ['session'], summary: 'Sign-in settings (admin)', response: { 200: LocalSettings, ...S.errorResponses } },
    handler: async (req) => {
      if (callContext(req).actor.role !== 'admin') throw adminOnly();
      return { localAccounts: await services.accounts.localAccounts() };
    },
  });
  app.put('/api/v1/auth/settings', {
    config: { access: { role: 'admin' } },
    schema: { tags: ['session'], summary: 'Turn local accounts off for everyone but administrators (admin)', body: LocalSettings, response: { 200: LocalSettings, ...S.errorResponses } },
    handler: async (req) => ({ localAccounts: await services.accounts.setLocalAccounts(callContext(req), req.body.localAccounts) }),
  });

  app.get('/api/v1/auth/federation', {
    config: { access: { role: 'admin' } },
    schema: {
      tags: ['session'],
      summary: 'Federation metadata in use: per source the IdPs, when fetched, until when valid, the last refusal (admin)',
      response: {
        200: z.object({
          items: z.array(
            z.object({
              source: z.string(),
              idps: z.number(),
              fetchedAt: z.string().nullable(),
              validUntil: z.string().nullable(),
              refreshAfter: z.string().nullable(),
              lastError: z.string().nullable(),
              lastErrorAt: z.string().nullable(),
            }),
          ),
        }),
        ...S.errorResponses,
      },
    },
    handler: async (req) => {
      if (callContext(req).actor.role !== 'admin') throw adminOnly();
      const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
      const items = (await registry?.status()) ?? [];
      return { items: items.map((i) => ({ ...i, fetchedAt: iso(i.fetchedAt), validUntil: iso(i.validUntil), refreshAfter: iso(i.refreshAfter), lastErrorAt: iso(i.lastErrorAt) })) };
    },
  });

  app.get('/api/v1/institutions/:id/requirements', {
    config: { access: { role: ['admin', 'institution-manager'] } },
    schema: { tags: ['institutions'], summary: 'Entitlement or affiliation an institution requires of its members (admin)', params: S.IdParams, response: { 200: Requirement, ...S.errorResponses } },
    handler: async (req) => {
      const r = await identity.federated.getRequirement(callContext(req), req.params.id);
      return { requiredEntitlement: r?.requiredEntitlement ?? null, requiredAffiliation: r?.requiredAffiliation ?? null };
    },
  });
  app.put('/api/v1/institutions/:id/requirements', {
    config: { access: { role: 'admin' } },
    schema: { tags: ['institutions'], summary: 'Require an entitlement or affiliation for booking (admin)', params: S.IdParams, body: Requirement, response: { 200: Requirement, ...S.errorResponses } },
    handler: async (req) => {
      await identity.federated.setRequirement(callContext(req), { institutionId: req.params.id, ...req.body });
      return req.body;
    },
  });
};

// A return address is judged by the one same-origin check (safeReturn), which sends anything
// unacceptable, control characters included, home: a browser following a link gets a page, not a 400.
const ReturnTarget = z.string().max(2000).optional();
const LocalSettings = z.strictObject({ localAccounts: z.enum(['everyone', 'admins-only']) });
const Requirement = z.strictObject({
  requiredEntitlement: S.Line(500).min(1).nullable(),
  requiredAffiliation: S.Line(200).min(1).nullable(),
});

async function methodsFor(identity: Identity, services: Services) {
  const policy = await services.accounts.localAccounts();
  return {
    institution: { enabled: identity.saml !== null, discoveryUrl: '/auth/discovery' },
    oidc: (identity.oidc?.list() ?? []).map((p) => ({ ...p, loginUrl: `/auth/oidc/${p.id}/login` })),
    local: { enabled: true, adminsOnly: policy === 'admins-only', passwordReset: services.calendar.mailConfigured },
    logoutUrl: '/auth/logout',
  };
}

export function sendError(reply: FastifyReply, req: FastifyRequest, status: number, code: string, message?: string) {
  const lang = pickLang(req);
  return reply.code(status).type('text/html; charset=utf-8').send(errorPage(lang, message ?? REFUSAL[lang], code));
}
