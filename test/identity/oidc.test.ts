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
  // People whose accounts an administrator created ahead (issue #11: linking by address).
  'bruno.ahead': { email: 'bruno.ahead@unipd.it', email_verified: true, name: 'Bruno' },
  'carla.outside': { email: 'carla.outside@uni-b.example.org', email_verified: true, name: 'Carla' },
  'dario.unverified': { email: 'dario.unverified@unipd.it', name: 'Dario' },
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
      OIDC_PROVIDERS: JSON.stringify([{ id: 'campus', name: 'Campus login', issuer, clientId: 'webmeetings', clientSecret: 'webmeetings-test-secret', scope: 'openid email profile eduperson', mailDomains: ['unipd.it'] }]),
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

  /** The whole flow from /auth/oidc/campus/login?return=… to the portal's last redirect. */
  async function signInWith(login: string, returnTo?: string) {
    const start = await fetch(`${t.baseUrl}/auth/oidc/campus/login${returnTo === undefined ? '' : `?${new URLSearchParams({ return: returnTo })}`}`, { redirect: 'manual' });
    const back = await fetch(await throughProvider(start.headers.get('location')!, login), { redirect: 'manual' });
    return { status: back.status, location: back.headers.get('location'), session: cookiesOf(back).wm_session, body: await back.text() };
  }

  it.each(['/\t/evil.example/', '/\n/evil.example/', '/\\evil.example/', '/%2F%2Fevil.example/', '/.//evil.example/', 'https://evil.example/'])(
    'comes back to the portal’s home after sign-in, not to %j',
    async (returnTo) => {
      const r = await signInWith('anna.neri', returnTo);
      expect(r.status).toBe(302);
      expect(r.location).toBe('/');
      expect(r.session).toBeTruthy();
    },
  );

  it('comes back to where the person was going when it is a path of the portal', async () => {
    const r = await signInWith('anna.neri', '/join/6a1f0d8e-3b7c-4f8e-9d3a-1c2b3d4e5f60?lang=en');
    expect(r.location).toBe('/join/6a1f0d8e-3b7c-4f8e-9d3a-1c2b3d4e5f60?lang=en');
  });

  it('links an account created ahead only for a verified address in the provider’s mail domains', async () => {
    const users = t.portal.services.uow.repos.users;
    const ahead = (email: string) => users.create({ email, name: 'Created ahead', role: 'member', institutionId: null, passwordHash: null });
    const bruno = await ahead('bruno.ahead@unipd.it');
    const carla = await ahead('carla.outside@uni-b.example.org');
    await ahead('dario.unverified@unipd.it');
    const linked = await signInWith('bruno.ahead');
    expect(linked.status).toBe(302);
    expect((await me(linked.session!)).body.id).toBe(bruno.id);
    for (const login of ['carla.outside', 'dario.unverified']) {
      const refused = await signInWith(login);
      expect(refused.status).toBe(403);
      expect(refused.session).toBeUndefined();
      expect(refused.body).toContain('EMAIL_OUTSIDE_IDP_SCOPE');
    }
    expect((await users.findById(carla.id))?.name).toBe('Created ahead');
  });
});
