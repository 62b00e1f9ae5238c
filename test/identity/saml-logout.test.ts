// Single logout started by an IdP (SAML profiles 4.4, HTTP-Redirect binding), issue #11: a
// LogoutRequest must be addressed to this portal, recent, and is acted on once on every instance;
// the answer goes only to the IdP's own SLO endpoint from the federation metadata; the browser comes
// back only to the portal.
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeKeyPair, type KeyPair } from './support/keys.ts';
import type { TestIdp } from './support/metadata.ts';
import { startIdentityPortal, type IdentityPortal } from './support/portal.ts';
import { samlEnv } from './support/saml-env.ts';
import { samlFlow, type Party } from './support/saml-flow.ts';

let fed: KeyPair;
let a: Party, b: Party, c: Party;
let t: IdentityPortal, t2: IdentityPortal;
let flow: ReturnType<typeof samlFlow>;

beforeAll(async () => {
  fed = makeKeyPair('federation');
  const [keyA, keyB, keyC] = ['idp-a', 'idp-b', 'idp-c'].map(makeKeyPair) as [KeyPair, KeyPair, KeyPair];
  const idp = (n: string, key: KeyPair, slo: Partial<TestIdp>): TestIdp => ({
    entityId: `https://idp.${n}.test/idp/shibboleth`,
    names: { it: `Ateneo ${n}`, en: `University ${n}` },
    scopes: [`${n}.it`],
    ssoRedirect: `https://idp.${n}.test/sso`,
    certBase64: key.certBase64,
    ...slo,
  });
  a = { idp: idp('unipd', keyA, { slo: 'https://idp.unipd.test/slo' }), key: keyA };
  b = { idp: idp('unimi', keyB, {}), key: keyB };
  c = { idp: idp('unito', keyC, { slo: 'https://idp.unito.test/slo', sloResponse: 'https://idp.unito.test/slo/response' }), key: keyC };
  const env = samlEnv([a.idp, b.idp, c.idp], fed);
  t = await startIdentityPortal(env);
  t2 = await startIdentityPortal({ ...env, PUBLIC_URL: t.baseUrl }, { db: t.db });
  flow = samlFlow(t);
}, 120_000);

afterAll(async () => {
  await t2?.close();
  await t?.close();
});

const get = async (url: string) => {
  const res = await fetch(url, { redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location'), body: await res.text() };
};

const lastRefusal = (portal = t) => portal.logs.findLast((l) => l.event === 'saml.logout.rejected');

describe('single logout from the IdP', () => {
  it('ends the sessions a signed LogoutRequest names and answers at the IdP’s SLO endpoint', async () => {
    const who = await flow.signIn(a);
    // The other instance has the session in its cache: the logout must reach it too.
    expect((await flow.me(who.session, t2.baseUrl)).status).toBe(200);
    const r = await get(flow.logoutRequest(a, who));
    expect(r.status).toBe(302);
    const to = new URL(r.location!);
    expect(`${to.origin}${to.pathname}`).toBe('https://idp.unipd.test/slo');
    const answer = inflateRawSync(Buffer.from(to.searchParams.get('SAMLResponse')!, 'base64')).toString('utf8');
    expect(answer).toContain('Destination="https://idp.unipd.test/slo"');
    expect(answer).toContain('urn:oasis:names:tc:SAML:2.0:status:Success');
    expect(to.searchParams.get('Signature')).toBeTruthy();
    expect((await flow.me(who.session)).status).toBe(401);
    await expect.poll(async () => (await flow.me(who.session, t2.baseUrl)).status, { timeout: 5000 }).toBe(401);
  });

  it('answers at the ResponseLocation the IdP’s metadata gives for its SLO endpoint', async () => {
    const who = await flow.signIn(c);
    const r = await get(flow.logoutRequest(c, who));
    expect(r.status).toBe(302);
    const to = new URL(r.location!);
    expect(`${to.origin}${to.pathname}`).toBe('https://idp.unito.test/slo/response');
    expect(inflateRawSync(Buffer.from(to.searchParams.get('SAMLResponse')!, 'base64')).toString('utf8')).toContain('Destination="https://idp.unito.test/slo/response"');
    expect((await flow.me(who.session)).status).toBe(401);
  });

  it('ends the sessions of an IdP without an SLO endpoint but answers nowhere (not at its sign-in endpoint)', async () => {
    const who = await flow.signIn(b);
    const r = await get(flow.logoutRequest(b, who) + '&lang=en');
    expect(r.status).toBe(200);
    expect(r.location).toBeNull();
    expect(r.body).toContain('You are signed out of WebMeetings');
    expect(r.body).not.toContain('idp.unimi.test');
    expect((await flow.me(who.session)).status).toBe(401);
    expect(t.logs.findLast((l) => l.event === 'saml.logout.no-endpoint')?.idp).toBe(b.idp.entityId);
  });

  it.each([
    ['another SP’s SLO endpoint', 'https://other-sp.example.org/Shibboleth.sso/SLO/Redirect'],
    ['no Destination at all', null],
  ])('refuses a LogoutRequest addressed to %s, and the session stays', async (_what, destination) => {
    const who = await flow.signIn(a);
    const r = await get(flow.logoutRequest(a, who, { destination }));
    expect(r.status).toBe(403);
    expect(r.body).toContain('SAML_WRONG_DESTINATION');
    expect(lastRefusal()).toMatchObject({ code: 'SAML_WRONG_DESTINATION', idp: a.idp.entityId, reason: expect.stringMatching(/Destination/) });
    expect((await flow.me(who.session)).status).toBe(200);
  });

  it.each([
    ['without NotOnOrAfter', undefined],
    ['with NotOnOrAfter', new Date(Date.now() + 5 * 60_000)],
  ])('refuses a replayed LogoutRequest %s, here and on another instance', async (_what, notOnOrAfter) => {
    const who = await flow.signIn(a);
    const url = flow.logoutRequest(a, who, notOnOrAfter ? { notOnOrAfter } : {});
    expect((await get(url)).status).toBe(302);
    expect((await flow.me(who.session)).status).toBe(401);
    // The same person signs in again (same NameID and SessionIndex): the old request must not end it.
    const again = await flow.signIn(a, { nameId: who.nameId, sessionIndex: who.sessionIndex });
    const replay = await get(url);
    expect(replay.status).toBe(403);
    expect(replay.body).toContain('SAML_REPLAY');
    expect(lastRefusal()?.code).toBe('SAML_REPLAY');
    const elsewhere = await get(url.replace(t.baseUrl, t2.baseUrl));
    expect(elsewhere.status).toBe(403);
    expect(lastRefusal(t2)?.code).toBe('SAML_REPLAY');
    expect((await flow.me(again.session)).status).toBe(200);
  });

  it('acts once on one LogoutRequest sent to two instances at the same time', async () => {
    const who = await flow.signIn(a);
    const url = flow.logoutRequest(a, who);
    const results = await Promise.all([get(url), get(url.replace(t.baseUrl, t2.baseUrl))]);
    expect(results.map((r) => r.status).sort()).toEqual([302, 403]);
  });

  it('refuses a LogoutRequest issued too long ago, though signed and never seen', async () => {
    const who = await flow.signIn(a);
    const r = await get(flow.logoutRequest(a, who, { issueInstant: new Date(Date.now() - 30 * 60_000) }));
    expect(r.status).toBe(403);
    expect(lastRefusal()).toMatchObject({ code: 'SAML_STALE_LOGOUT' });
    expect((await flow.me(who.session)).status).toBe(200);
  });

  it('refuses a query that repeats a parameter (the signature and the message read must agree)', async () => {
    const who = await flow.signIn(a);
    const other = new URL(flow.logoutRequest(a, { nameId: 'someone-else', sessionIndex: 'x' })).searchParams.get('SAMLRequest')!;
    const r = await get(`${flow.logoutRequest(a, who)}&SAMLRequest=${encodeURIComponent(other)}`);
    expect(r.status).toBe(403);
    expect(lastRefusal()?.code).toBe('SAML_MALFORMED');
    expect((await flow.me(who.session)).status).toBe(200);
  });

  it('refuses an unsigned LogoutRequest and one signed by another IdP of the federation', async () => {
    const who = await flow.signIn(a);
    expect((await get(flow.logoutRequest(a, who, { signedBy: null }))).status).toBe(403);
    expect(lastRefusal()?.code).toBe('SAML_UNSIGNED_LOGOUT');
    expect((await get(flow.logoutRequest(a, who, { signedBy: c.key }))).status).toBe(403);
    expect(lastRefusal()?.code).toBe('SAML_INVALID');
    expect((await flow.me(who.session)).status).toBe(200);
  });

  it.each(['/\t/evil.example/', '/\n/evil.example/', '/\\evil.example/', '/%2F%2Fevil.example/', '/%5Cevil.example/', 'https://evil.example/'])(
    'comes back from the IdP’s LogoutResponse to the portal’s home, not to %j',
    async (relayState) => {
      const r = await get(flow.logoutResponse(a, relayState));
      expect(r.status).toBe(302);
      expect(r.location).toBe('/');
    },
  );

  it('comes back to where the LogoutResponse’s RelayState says when it is a path of the portal', async () => {
    const r = await get(flow.logoutResponse(a, '/rooms?lang=it'));
    expect(r.status).toBe(302);
    expect(r.location).toBe('/rooms?lang=it');
  });

  it('refuses a LogoutResponse addressed to another SP', async () => {
    const r = await get(flow.logoutResponse(a, '/', { destination: 'https://other-sp.example.org/slo' }));
    expect(r.status).toBe(403);
    expect(lastRefusal()?.code).toBe('SAML_WRONG_DESTINATION');
  });
});
