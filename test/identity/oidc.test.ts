// OpenID Connect with a real in-process provider (oidc-provider, its development login and consent
// pages): authorization code flow with PKCE (S256, required by the provider) end to end, the same
// user and institution mapping as SAML, and callbacks that must not work twice.
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookiesOf, freePort, startIdentityPortal, type IdentityPortal } from './support/portal.ts';

const PEOPLE: Record<string, Record<string, unknown>> = {
  'anna.neri': {
    email: 'anna.neri@unipd.it',
    email_verified: true,
    name: 'Anna Neri',
    eduperson_principal_name: 'anna.neri@unipd.it',
    eduperson_scoped_affiliation: ['faculty@unipd.it'],
    schac_home_organization: 'unipd.it',
  },
};

let provider: Server;
let issuer: string;
let t: IdentityPortal;
let padovaId: string;

beforeAll(async () => {
  const port = await freePort();
  const portalPort = await freePort();
  issuer = `http://127.0.0.1:${port}`;
  const oidc = new Provider(issuer, {
    clients: [
      {
        client_id: 'webmeetings',
        client_secret: 'webmeetings-test-secret',
        redirect_uris: [`http://127.0.0.1:${portalPort}/auth/oidc/campus/callback`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    // RFC 7636: the provider refuses an authorization request without a code challenge.
    pkce: { required: () => true },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
      eduperson: ['eduperson_principal_name', 'eduperson_scoped_affiliation', 'schac_home_organization'],
    },
    conformIdTokenClaims: false,
    jwks: { keys: [{ ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS256' } as never] },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ sub: id, ...(PEOPLE[id] ?? {}) }) }),
  });
  provider = createServer(oidc.callback());
  await new Promise<void>((r) => provider.listen(port, '127.0.0.1', r));
  t = await startIdentityPortal(
    {
      OIDC_PROVIDERS: JSON.stringify([{ id: 'campus', name: 'Campus login', issuer, clientId: 'webmeetings', clientSecret: 'webmeetings-test-secret', scope: 'openid email profile eduperson' }]),
      OIDC_ALLOW_HTTP: 'true',
    },
    { port: portalPort },
  );
  padovaId = (await t.portal.services.uow.repos.institutions.create({ name: 'Università di Padova', scopes: ['unipd.it'], subscriptionStart: '2020-01-01', subscriptionEnd: '2099-12-31', monthlyQuotaHours: null })).id;
});

afterAll(async () => {
  await t?.close();
  await new Promise((r) => provider?.close(r));
});

/** A minimal browser for the provider's pages: follows redirects, keeps cookies, submits forms. */
async function throughProvider(start: string, login: string): Promise<URL> {
  const jar: Record<string, string> = {};
  let url = start;
  let method = 'GET';
  let body: URLSearchParams | undefined;
  for (let i = 0; i < 20; i++) {
    const res = await fetch(url, {
      method,
      redirect: 'manual',
      headers: { cookie: Object.entries(jar).map(([k, v]) => `${k}=${v}`).join('; '), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body,
    });
    Object.assign(jar, cookiesOf(res));
    method = 'GET';
    body = undefined;
    const location = res.headers.get('location');
    if (location) {
      const next = new URL(location, url);
      if (!next.href.startsWith(issuer)) return next;
      url = next.href;
      continue;
    }
    const html = await res.text();
    const form = /<form[^>]*action="([^"]+)"[^>]*method="post"/.exec(html);
    if (!form) throw new Error(`no form at ${url}: ${html.slice(0, 300)}`);
    const fields = new URLSearchParams();
    for (const m of html.matchAll(/<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) fields.set(m[1]!, m[2]!);
    if (/name="login"/.test(html)) {
      fields.set('login', login);
      fields.set('password', 'any');
    }
    url = new URL(form[1]!, url).href;
    method = 'POST';
    body = fields;
  }
  throw new Error('too many steps at the provider');
}

async function me(session: string) {
  const res = await fetch(`${t.baseUrl}/api/v1/me`, { headers: { cookie: `wm_session=${session}` } });
  return { status: res.status, body: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe('OpenID Connect', () => {
  it('lists the provider among the sign-in methods', async () => {
    const res = await fetch(`${t.baseUrl}/api/v1/auth/methods`);
    const body = (await res.json()) as { oidc: unknown[]; institution: { enabled: boolean } };
    expect(body.oidc).toEqual([{ id: 'campus', name: 'Campus login', loginUrl: '/auth/oidc/campus/login' }]);
    expect(body.institution.enabled).toBe(false);
  });

  it('signs in with the authorization code flow and PKCE, mapping claims to the user and institution', async () => {
    const start = await fetch(`${t.baseUrl}/auth/oidc/campus/login?return=/bookings`, { redirect: 'manual' });
    const authorize = new URL(start.headers.get('location')!);
    expect(authorize.origin).toBe(issuer);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(authorize.searchParams.get('state')).toBeTruthy();
    expect(authorize.searchParams.get('nonce')).toBeTruthy();

    const callback = await throughProvider(authorize.href, 'anna.neri');
    expect(callback.pathname).toBe('/auth/oidc/campus/callback');
    const back = await fetch(callback, { redirect: 'manual' });
    expect(back.status).toBe(302);
    expect(back.headers.get('location')).toBe('/bookings');
    const session = cookiesOf(back).wm_session!;
    const m = await me(session);
    expect(m.body).toMatchObject({ name: 'Anna Neri', email: 'anna.neri@unipd.it', institution: { id: padovaId }, canBook: true });

    // The same callback again (a replayed code and state) is refused and creates no session.
    const again = await fetch(callback, { redirect: 'manual' });
    expect(again.status).toBe(403);
    expect(cookiesOf(again).wm_session).toBeUndefined();
    expect(t.logs.findLast((l) => l.event === 'oidc.response.rejected')?.code).toBe('OIDC_UNKNOWN_STATE');
  });

  it('refuses a callback whose state it never issued', async () => {
    const res = await fetch(`${t.baseUrl}/auth/oidc/campus/callback?code=abc&state=forged`, { redirect: 'manual' });
    expect(res.status).toBe(403);
    expect(cookiesOf(res).wm_session).toBeUndefined();
    expect(t.logs.findLast((l) => l.event === 'oidc.response.rejected')?.code).toBe('OIDC_UNKNOWN_STATE');
  });

  it('refuses a code issued for another sign-in (state and PKCE verifier do not match)', async () => {
    const a = new URL((await fetch(`${t.baseUrl}/auth/oidc/campus/login`, { redirect: 'manual' })).headers.get('location')!);
    const b = new URL((await fetch(`${t.baseUrl}/auth/oidc/campus/login`, { redirect: 'manual' })).headers.get('location')!);
    const cbA = await throughProvider(a.href, 'anna.neri');
    // The attacker's code from sign-in A, delivered with the state of victim sign-in B.
    const mixed = new URL(cbA);
    mixed.searchParams.set('state', b.searchParams.get('state')!);
    const res = await fetch(mixed, { redirect: 'manual' });
    expect(res.status).toBe(403);
    expect(cookiesOf(res).wm_session).toBeUndefined();
    const line = t.logs.findLast((l) => l.event === 'oidc.response.rejected');
    expect(line?.code).toBe('OIDC_INVALID');
  });
});
