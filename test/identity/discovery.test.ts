// The discovery page and the sign-in API the SPA reads: search over IdP names (Italian and English)
// and domains without JavaScript, a direct link per institution, the last choice remembered.
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeKeyPair } from './support/keys.ts';
import type { TestIdp } from './support/metadata.ts';
import { cookiesOf, startIdentityPortal, type IdentityPortal } from './support/portal.ts';
import { samlEnv } from './support/saml-env.ts';

let t: IdentityPortal;
let padova: TestIdp, milano: TestIdp;

beforeAll(async () => {
  const key = makeKeyPair('idp');
  padova = { entityId: 'https://idp.unipd.test/idp', names: { it: 'Università di Padova', en: 'University of Padua' }, scopes: ['unipd.it'], ssoRedirect: 'https://idp.unipd.test/sso', certBase64: key.certBase64 };
  milano = { entityId: 'https://idp.unimi.test/idp', names: { it: 'Università di Milano', en: 'University of Milan' }, scopes: ['unimi.it'], ssoRedirect: 'https://idp.unimi.test/sso', certBase64: key.certBase64 };
  t = await startIdentityPortal(samlEnv([padova, milano]));
});

afterAll(async () => {
  await t?.close();
});

const html = async (path: string, headers: Record<string, string> = {}) => {
  const res = await fetch(t.baseUrl + path, { headers, redirect: 'manual' });
  return { status: res.status, text: await res.text(), res };
};

describe('discovery', () => {
  it('lists every IdP in Italian by default, with a labelled search box', async () => {
    const { status, text } = await html('/auth/discovery', { 'accept-language': 'it-IT,it;q=0.9' });
    expect(status).toBe(200);
    expect(text).toContain('<html lang="it">');
    expect(text).toContain('Accedi tramite il tuo ente');
    expect(text).toContain('<label for="q">Cerca il tuo ente</label>');
    expect(text).toContain('Università di Padova');
    expect(text).toContain('Università di Milano');
  });

  it('searches by name in English and by domain without JavaScript', async () => {
    const en = await html('/auth/discovery?lang=en&q=padua');
    expect(en.text).toContain('University of Padua');
    expect(en.text).not.toContain('University of Milan');
    expect(en.text).toContain('1 institution');
    const byDomain = await html('/auth/discovery?lang=it&q=unimi.it');
    expect(byDomain.text).toContain('Università di Milano');
    expect(byDomain.text).not.toContain('Università di Padova');
    const none = await html('/auth/discovery?lang=en&q=sorbonne');
    expect(none.text).toContain('No institution found');
  });

  it('answers the search-as-you-type requests of the page', async () => {
    const res = await fetch(`${t.baseUrl}/api/v1/auth/idps?q=milan&lang=en&return=/rooms`);
    const body = (await res.json()) as { items: { entityId: string; name: string; domains: string[]; loginUrl: string }[] };
    expect(body.items).toEqual([
      { entityId: milano.entityId, name: 'University of Milan', domains: ['unimi.it'], logo: null, loginUrl: `/auth/saml/login?idp=${encodeURIComponent(milano.entityId)}&return=%2Frooms` },
    ]);
  });

  it('remembers the last IdP chosen and offers it first', async () => {
    const login = await fetch(`${t.baseUrl}/auth/saml/login?idp=${encodeURIComponent(milano.entityId)}`, { redirect: 'manual' });
    expect(login.status).toBe(302);
    const last = cookiesOf(login).wm_last_idp!;
    const page = await html('/auth/discovery?lang=en', { cookie: `wm_last_idp=${last}` });
    expect(page.text).toMatch(/Last time you used<\/h2><ul><li><a class="idp" href="[^"]+">.*University of Milan/);
    const methods = (await (await fetch(`${t.baseUrl}/api/v1/auth/methods?lang=it`, { headers: { cookie: `wm_last_idp=${last}` } })).json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(methods.institution.lastChoice).toMatchObject({ entityId: milano.entityId, name: 'Università di Milano' });
  });

  it('sends a direct institution link straight to its IdP', async () => {
    const res = await fetch(`${t.baseUrl}/auth/sign-in/unipd.it?return=/rooms`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const next = await fetch(new URL(res.headers.get('location')!, t.baseUrl), { redirect: 'manual' });
    expect(new URL(next.headers.get('location')!).origin).toBe('https://idp.unipd.test');
    const unknown = await html('/auth/sign-in/example.org?lang=en');
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('No sign-in service of the federation declares the domain example.org');
  });

  it('refuses to start a sign-in with an IdP outside the federation, and to return to another site', async () => {
    const rogue = await html('/auth/saml/login?idp=https%3A%2F%2Frogue.example.org%2Fidp&lang=en');
    expect(rogue.status).toBe(404);
    expect(rogue.text).toContain('IDP_UNKNOWN');
    const items = (await (await fetch(`${t.baseUrl}/api/v1/auth/idps?q=padova&return=//evil.example.org`)).json()) as { items: { loginUrl: string }[] };
    expect(items.items[0]!.loginUrl).toContain('return=%2F');
    expect(items.items[0]!.loginUrl).not.toContain('evil');
  });

  it('describes the sign-in methods for the SPA', async () => {
    const body = await (await fetch(`${t.baseUrl}/api/v1/auth/methods`)).json();
    expect(body).toEqual({
      institution: { enabled: true, discoveryUrl: '/auth/discovery', lastChoice: null },
      oidc: [],
      local: { enabled: true, adminsOnly: false, passwordReset: false }, // no mail server here
      logoutUrl: '/auth/logout',
    });
  });

  it('shows administrators which federation metadata is in use', async () => {
    const admin = await t.portal.services.accounts.createAdmin({ email: 'fed-admin@example.org', name: 'Admin', password: 'admin-password-1' });
    const token = (await t.portal.services.accounts.createToken({ actor: { userId: admin.id, role: 'admin', institutionId: null } }, 'x')).token;
    const res = await fetch(`${t.baseUrl}/api/v1/auth/federation`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await res.json()) as { items: Record<string, unknown>[] };
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.items).toEqual([expect.objectContaining({ source: t.config.saml!.metadataSources[0], idps: 2, lastError: null, fetchedAt: expect.any(String) })]);
    expect((await fetch(`${t.baseUrl}/api/v1/auth/federation`)).status).toBe(401);
  });

  // Issue #11: "/\t/evil.example/" came back as Location "/\t/evil.example/", which browsers read
  // as "//evil.example/". The same check guards every entry point; the unit test covers every form.
  const hostile = ['/\t/evil.example/', '/\n/evil.example/', '/\\evil.example/', '/%2F%2Fevil.example/', '/%5Cevil.example/', '/%09/evil.example/', '/.//evil.example/', 'https://evil.example/'];

  /** Follows the portal's redirects up to the IdP and returns the RelayState our AuthnRequest carries. */
  const relayStateVia = async (path: string): Promise<string | null> => {
    let url = new URL(path, t.baseUrl);
    for (let hop = 0; hop < 3 && url.origin === t.baseUrl; hop++) {
      const res = await fetch(url, { redirect: 'manual' });
      expect(res.status, `${url}`).toBe(302);
      const location = res.headers.get('location')!;
      expect(location).not.toMatch(/[\t\n\r\\]/);
      url = new URL(location, t.baseUrl);
    }
    expect(url.origin).toBe('https://idp.unipd.test');
    expect(inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest')!, 'base64')).toString('utf8')).toContain('AuthnRequest');
    return url.searchParams.get('RelayState');
  };

  it.each(hostile)('sends the direct institution link back to the portal’s home, not to %j', async (target) => {
    const res = await fetch(`${t.baseUrl}/auth/sign-in/unipd.it?${new URLSearchParams({ return: target })}`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(new URL(res.headers.get('location')!, t.baseUrl).searchParams.get('return')).toBe('/');
    expect(await relayStateVia(`/auth/sign-in/unipd.it?${new URLSearchParams({ return: target })}`)).toBe('/');
  });

  it.each(hostile)('never puts %j in the RelayState of a SAML login', async (target) => {
    expect(await relayStateVia(`/auth/saml/login?${new URLSearchParams({ idp: padova.entityId, return: target })}`)).toBe('/');
  });

  it('keeps a return address of the portal all the way to the IdP, normalised', async () => {
    expect(await relayStateVia('/auth/sign-in/unipd.it?return=%2Fjoin%2Fabc%3Flang%3Dit')).toBe('/join/abc?lang=it');
    expect(await relayStateVia(`/auth/sign-in/unipd.it?return=${encodeURIComponent(`${t.baseUrl}/rooms/../bookings`)}`)).toBe('/bookings');
  });

  it('puts only checked return addresses in the discovery page, its links and its script', async () => {
    const evil = '/</script><script>alert(1)</script>';
    const page = await html(`/auth/discovery?lang=en&${new URLSearchParams({ return: evil })}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('<script>alert(1)');
    const tab = await html(`/auth/discovery?lang=en&${new URLSearchParams({ return: '/\t/evil.example/' })}`);
    expect(tab.text).not.toContain('evil.example');
    const ok = await html(`/auth/discovery?lang=en&${new URLSearchParams({ return: '/join/abc' })}`);
    expect(ok.text).toContain(`href="/auth/saml/login?idp=${encodeURIComponent(padova.entityId)}&#38;return=%2Fjoin%2Fabc"`);
    // The local account link carries it too, as the `next` the sign-in form sends.
    expect(ok.text).toContain('href="/?next=%2Fjoin%2Fabc"');
  });
});
