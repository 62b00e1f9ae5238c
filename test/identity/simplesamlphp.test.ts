// End to end with a real IdP: SimpleSAMLphp (Debian) whose metadata reaches the portal only as a
// signed federation aggregate served over HTTP, and Debian's Chromium going through the whole flow:
// discovery page → IdP login form → back in the portal, signed in from the attributes → logout.
// Skipped when php/simplesamlphp or chromium are missing, except in CI (CI=true), where that fails.
import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible, hasChromium, launchBrowser, newContext } from '../e2e/support/browser.ts';
import { makeKeyPair } from './support/keys.ts';
import { aggregateXml, signAggregate } from './support/metadata.ts';
import { freePort, startIdentityPortal, type IdentityPortal } from './support/portal.ts';
import { groupAlive, hasSimpleSamlPhp, startSimpleSamlIdp, type SimpleSamlIdp } from './support/simplesamlphp.ts';

const runs = (hasSimpleSamlPhp && hasChromium) || process.env.CI === 'true';
const describeIdp = runs ? describe : describe.skip;

const me = async (page: Page) => {
  const res = await page.request.get('/api/v1/me');
  return { status: res.status(), body: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
};

/** Discovery page → the IdP's login form → back in the portal, signed in. */
async function signInThroughIdp(t: IdentityPortal, context: BrowserContext, username: string, password: string, search: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto('/auth/discovery?lang=en');
  await page.getByRole('heading', { level: 1, name: 'Sign in with your institution' }).waitFor();
  await page.getByLabel('Search for your institution').fill(search);
  const link = page.getByRole('link', { name: /University of Padua \(test IdP\)/ });
  await link.waitFor();
  await page.locator('#count', { hasText: /^1 institution$/ }).waitFor();
  await link.click();
  // SimpleSAMLphp's own login form.
  await page.waitForURL(/\/simplesaml\/module\.php\/core\/loginuserpass\.php/);
  await page.locator('input[name="username"]').fill(username);
  await page.locator('input[name="password"]').fill(password);
  await Promise.all([page.waitForURL((u) => u.origin === t.baseUrl && !u.pathname.startsWith('/auth/'), { timeout: 20_000 }), page.locator('input[name="password"]').press('Enter')]);
  return page;
}

/** A portal whose federation aggregate (served over HTTP) holds the SimpleSAMLphp IdP. */
async function portalWithIdp(o: { encryptTo?: 'current' | 'next' } = {}) {
  const fed = makeKeyPair('federation');
  const sp = makeKeyPair('sp');
  const next = makeKeyPair('sp-next');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const idp = await startSimpleSamlIdp({
    entityId: `${base}/auth/saml/metadata`,
    acs: `${base}/auth/saml/acs`,
    slo: `${base}/auth/saml/slo`,
    certBase64: sp.certBase64,
    encrypt: true,
    encryptionCertBase64: o.encryptTo === 'next' ? next.certBase64 : sp.certBase64,
  });
  // The federation's aggregate: SimpleSAMLphp's own metadata, wrapped and signed by the federation.
  const aggregate = signAggregate(aggregateXml([idp.metadataXml], { cacheDuration: 'PT1H' }), fed);
  const metadataServer = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(aggregate));
  const mdPort = await freePort();
  await new Promise<void>((r) => metadataServer.listen(mdPort, '127.0.0.1', r));
  const dir = mkdtempSync(join(tmpdir(), 'wm-ssp-sp-'));
  for (const [name, pem] of [['fed.pem', fed.certPem], ['sp.key', sp.keyPem], ['sp.pem', sp.certPem], ['next.key', next.keyPem], ['next.pem', next.certPem]] as const) writeFileSync(join(dir, name), pem);
  const t = await startIdentityPortal(
    {
      SAML_METADATA_SOURCES: `http://127.0.0.1:${mdPort}/federation-metadata.xml`,
      SAML_FEDERATION_CERT_FILE: join(dir, 'fed.pem'),
      SAML_SP_KEY_FILE: join(dir, 'sp.key'),
      SAML_SP_CERT_FILE: join(dir, 'sp.pem'),
      ...(o.encryptTo ? { SAML_SP_NEXT_KEY_FILE: join(dir, 'next.key'), SAML_SP_NEXT_CERT_FILE: join(dir, 'next.pem') } : {}),
    },
    { port },
  );
  return { idp, t, metadataServer };
}

/** The hooks of a describe block: a portal with its SimpleSAMLphp IdP, Padova as an institution, a browser. */
function usePortalWithIdp(o: { encryptTo?: 'current' | 'next' } = {}) {
  const w = {} as { idp: SimpleSamlIdp; t: IdentityPortal; metadataServer: Server; browser: Browser; padovaId: string };
  beforeAll(async () => {
    Object.assign(w, await portalWithIdp(o));
    w.padovaId = (await w.t.portal.services.uow.repos.institutions.create({ name: 'Università di Padova', scopes: ['unipd.it'], subscriptionStart: '2020-01-01', subscriptionEnd: '2099-12-31', monthlyQuotaHours: null })).id;
    w.browser = await launchBrowser();
  }, 90_000);
  afterAll(async () => {
    await w.browser?.close();
    await w.t?.close();
    await w.idp?.stop();
    await new Promise((r) => w.metadataServer?.close(r));
  });
  return w;
}

describeIdp('sign-in through SimpleSAMLphp in the browser', () => {
  const w = usePortalWithIdp();

  it('signs a Padova member in with name, mail and institution from the attributes, then logs out everywhere', async () => {
    const context = await newContext(w.browser, w.t.baseUrl);
    const page = await signInThroughIdp(w.t, context, 'mrossi', 'padova-pass', 'padova');
    const m = await me(page);
    expect(m.status).toBe(200);
    expect(m.body).toMatchObject({ name: 'Mario Rossi', email: 'mario.rossi@unipd.it', institution: { id: w.padovaId, name: 'Università di Padova' }, canBook: true });
    const login = w.t.logs.findLast((l) => l.event === 'saml.login');
    expect(login?.idp).toBe(w.idp.entityId);

    // The discovery page remembers the last choice.
    await page.goto('/auth/discovery?lang=it');
    await page.getByRole('heading', { name: 'Hai usato l’ultima volta' }).waitFor();
    await expectAccessible(page, 'discovery page');

    // Logout: the session ends here, the IdP's ends through single logout, and the browser comes back.
    const sessionCookie = (await context.cookies()).find((c) => c.name === 'wm_session')!.value;
    await Promise.all([
      page.waitForURL((u) => u.origin === w.t.baseUrl && u.pathname === '/', { timeout: 20_000 }),
      // What the portal's "Sign out" button does: a form POST to /auth/logout with the CSRF token.
      page.evaluate(`(async () => {
        const { csrfToken } = await (await fetch('/api/v1/me')).json();
        const f = document.createElement('form'); f.method = 'post'; f.action = '/auth/logout';
        const i = document.createElement('input'); i.type = 'hidden'; i.name = 'csrf'; i.value = csrfToken;
        f.append(i); document.body.append(f); f.submit();
      })()`),
    ]);
    expect((await me(page)).status).toBe(401);
    expect(w.t.logs.some((l) => l.event === 'saml.logout.completed')).toBe(true);
    const stale = await fetch(`${w.t.baseUrl}/api/v1/me`, { headers: { cookie: `wm_session=${sessionCookie}` } });
    expect(stale.status).toBe(401);
    expect(w.idp.log()).not.toMatch(/Error|Exception/);
    // The IdP session is gone too: a new sign-in asks for the password again.
    await page.goto(`/auth/saml/login?idp=${encodeURIComponent(w.idp.entityId)}`);
    await page.waitForURL(/loginuserpass\.php/);
    await context.close();
  });

  it('ends the portal session when the IdP starts single logout', async () => {
    const context = await newContext(w.browser, w.t.baseUrl);
    const page = await signInThroughIdp(w.t, context, 'mrossi', 'padova-pass', 'unipd.it');
    expect((await me(page)).status).toBe(200);
    const returnTo = `${w.t.baseUrl}/auth/discovery?lang=en`;
    await page.goto(`${w.idp.baseUrl}/simplesaml/saml2/idp/SingleLogoutService.php?ReturnTo=${encodeURIComponent(returnTo)}`);
    await page.waitForURL(returnTo, { timeout: 20_000 }).catch(async (e: unknown) => {
      throw new Error(`${String(e)}\nat ${page.url()}\n${await page.locator("#content").innerText().catch(() => "")}\n${JSON.stringify(w.t.logs.slice(-5))}\n${w.idp.log().slice(-1500)}`);
    });
    expect(w.t.logs.findLast((l) => l.event === 'saml.logout.idp')?.sessions).toBe(1);
    expect((await me(page)).status).toBe(401);
    await context.close();
  });

  it('signs in a member of a non-subscribing institution, who cannot book and is told why', async () => {
    const context = await newContext(w.browser, w.t.baseUrl);
    const page = await signInThroughIdp(w.t, context, 'lverdi', 'milano-pass', 'unimi.it');
    const m = await me(page);
    expect(m.body).toMatchObject({ name: 'Luca Verdi', email: 'luca.verdi@unimi.it', institution: null, canBook: false });
    expect(m.body.cannotBookReason).toMatch(/does not belong to a subscribing institution/);
    await context.close();
  });

  it('keeps a wrong password at the IdP and creates no session', async () => {
    const context = await newContext(w.browser, w.t.baseUrl);
    const page = await context.newPage();
    await page.goto(`/auth/saml/login?idp=${encodeURIComponent(w.idp.entityId)}`);
    await page.locator('input[name="username"]').fill('mrossi');
    await page.locator('input[name="password"]').fill('wrong');
    await page.locator('input[name="password"]').press('Enter');
    await page.waitForLoadState();
    expect(page.url()).toContain('/simplesaml/');
    expect((await context.cookies(w.t.baseUrl)).find((c) => c.name === 'wm_session')).toBeUndefined();
    await context.close();
  });
});

describeIdp('SimpleSAMLphp during a key rollover of the portal', () => {
  // The IdP already encrypts to the next certificate the portal's metadata publishes.
  const w = usePortalWithIdp({ encryptTo: 'next' });

  it('decrypts an assertion encrypted to the next certificate with the next key', async () => {
    const context = await newContext(w.browser, w.t.baseUrl);
    const page = await signInThroughIdp(w.t, context, 'mrossi', 'padova-pass', 'padova');
    expect((await me(page)).body).toMatchObject({ name: 'Mario Rossi', email: 'mario.rossi@unipd.it' });
    await context.close();
  });

  it('stops every php -S process it started, workers included', async () => {
    const group = w.idp.processGroup;
    expect(groupAlive(group)).toBe(true);
    await w.idp.stop();
    expect(groupAlive(group)).toBe(false);
  });
});
