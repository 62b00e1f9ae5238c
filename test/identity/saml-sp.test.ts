// The SAML service provider against forged and tampered responses. A test IdP (keys made for the run)
// signs responses with xml-crypto; the SP knows it only through a signed federation aggregate. Each
// attack must be refused with a log line that names it, and must leave no session behind.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSign } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeKeyPair, type KeyPair } from './support/keys.ts';
import { aggregateXml, signAggregate, type TestIdp } from './support/metadata.ts';
import { b64, newId, responseXml, signAssertion, signResponse, type ResponseInput } from './support/saml-response.ts';
import { cookiesOf, startIdentityPortal, type IdentityPortal } from './support/portal.ts';

const O = {
  eppn: 'urn:oid:1.3.6.1.4.1.5923.1.1.1.6',
  mail: 'urn:oid:0.9.2342.19200300.100.1.3',
  displayName: 'urn:oid:2.16.840.1.113730.3.1.241',
  schac: 'urn:oid:1.3.6.1.4.1.25178.1.2.9',
  affiliation: 'urn:oid:1.3.6.1.4.1.5923.1.1.1.9',
  entitlement: 'urn:oid:1.3.6.1.4.1.5923.1.1.1.7',
};

let fed: KeyPair, keyA: KeyPair, keyB: KeyPair, keyRogue: KeyPair;
let idpA: TestIdp, idpB: TestIdp;
let t: IdentityPortal;
let t2: IdentityPortal; // a second instance on the same database
let t3: IdentityPortal; // over https (Secure cookies): requests are bound to the browser
let acs: string, audience: string;
let unipdId: string;

beforeAll(async () => {
  [fed, keyA, keyB, keyRogue] = ['federation', 'idp-a', 'idp-b', 'rogue'].map(makeKeyPair) as [KeyPair, KeyPair, KeyPair, KeyPair];
  const sp = makeKeyPair('sp');
  idpA = { entityId: 'https://idp.unipd.test/idp/shibboleth', names: { it: 'Università di Padova', en: 'University of Padua' }, scopes: ['unipd.it'], ssoRedirect: 'https://idp.unipd.test/sso', slo: 'https://idp.unipd.test/slo', certBase64: keyA.certBase64 };
  idpB = { entityId: 'https://idp.unimi.test/idp/shibboleth', names: { it: 'Università di Milano', en: 'University of Milan' }, scopes: ['unimi.it'], ssoRedirect: 'https://idp.unimi.test/sso', certBase64: keyB.certBase64 };
  const dir = mkdtempSync(join(tmpdir(), 'wm-saml-'));
  writeFileSync(join(dir, 'fed.pem'), fed.certPem);
  writeFileSync(join(dir, 'sp.key'), sp.keyPem);
  writeFileSync(join(dir, 'sp.pem'), sp.certPem);
  writeFileSync(join(dir, 'aggregate.xml'), signAggregate(aggregateXml([idpA, idpB]), fed));
  const env = {
    SAML_METADATA_SOURCES: join(dir, 'aggregate.xml'),
    SAML_FEDERATION_CERT_FILE: join(dir, 'fed.pem'),
    SAML_SP_KEY_FILE: join(dir, 'sp.key'),
    SAML_SP_CERT_FILE: join(dir, 'sp.pem'),
    SAML_CLOCK_SKEW_SECONDS: '60',
  };
  t = await startIdentityPortal(env);
  // Instances behind one load balancer share the public URL (and so the ACS URL).
  t2 = await startIdentityPortal({ ...env, PUBLIC_URL: t.baseUrl }, { db: t.db });
  t3 = await startIdentityPortal({ ...env, COOKIE_SECURE: 'true' }, { db: t.db });
  acs = `${t.baseUrl}/auth/saml/acs`;
  audience = t.config.saml!.entityId;
  await t.portal.services.uow.repos.rooms.create({ name: 'Sala Galilei', capacity: 50, timeZone: 'Europe/Rome', provider: null, active: true });
  unipdId = (await t.portal.services.uow.repos.institutions.create({ name: 'Università di Padova', scopes: ['unipd.it'], subscriptionStart: '2020-01-01', subscriptionEnd: '2099-12-31', monthlyQuotaHours: null })).id;
}, 60_000);

afterAll(async () => {
  await t3?.close();
  await t2?.close();
  await t?.close();
});

/** Starts a sign-in at the SP and returns the pending AuthnRequest's id. */
async function authnRequestId(idp = idpA.entityId, base = t.baseUrl): Promise<string> {
  const res = await fetch(`${base}/auth/saml/login?${new URLSearchParams({ idp, return: '/bookings' })}`, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get('location')!);
  const xml = inflateRawSync(Buffer.from(location.searchParams.get('SAMLRequest')!, 'base64')).toString('utf8');
  return /ID="([^"]+)"/.exec(xml)![1]!;
}

async function input(over: Partial<ResponseInput> = {}): Promise<ResponseInput> {
  const who = newId().slice(1, 9);
  return {
    issuer: idpA.entityId,
    destination: acs,
    recipient: acs,
    audience,
    inResponseTo: over.inResponseTo === undefined ? await authnRequestId() : over.inResponseTo,
    attributes: {
      [O.eppn]: [`${who}@unipd.it`],
      [O.mail]: [`${who}@studenti.unipd.it`],
      [O.displayName]: ['Giulia Bianchi'],
      [O.schac]: ['unipd.it'],
      [O.affiliation]: ['student@unipd.it', 'member@unipd.it'],
    },
    ...over,
  };
}

async function post(samlResponseXml: string, opts: { base?: string; cookie?: string } = {}) {
  const res = await fetch(`${opts.base ?? t.baseUrl}/auth/saml/acs`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(opts.cookie ? { cookie: opts.cookie } : {}) },
    body: new URLSearchParams({ SAMLResponse: b64(samlResponseXml), RelayState: '/bookings' }),
  });
  return { status: res.status, cookies: cookiesOf(res), location: res.headers.get('location'), body: await res.text() };
}

async function me(session: string, base = t.baseUrl) {
  const res = await fetch(`${base}/api/v1/me`, { headers: { cookie: `wm_session=${session}` } });
  return { status: res.status, body: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** The refusal: 403 HTML, no session cookie, one log line with the code. */
async function expectRejected(r: Awaited<ReturnType<typeof post>>, code: string, reason?: RegExp, portal = t) {
  expect(r.status).toBe(403);
  expect(r.cookies.wm_session).toBeUndefined();
  expect(r.body).toContain(code);
  const line = portal.logs.findLast((l) => l.event === 'saml.response.rejected');
  expect(line?.code).toBe(code);
  expect(line?.level).toBe(40);
  if (reason) expect(String(line?.reason)).toMatch(reason);
}

const inTwoDays = (hour: number) => {
  const d = new Date(Date.now() + 2 * 86_400_000);
  d.setUTCHours(hour, 0, 0, 0);
  return d.toISOString();
};

const signedBoth = (xml: string, key = keyA) => signResponse(signAssertion(xml, key), key);

describe('SAML service provider', () => {
  it('serves its metadata at a stable URL with mdui names in Italian and English and the R&S category', async () => {
    const res = await fetch(`${t.baseUrl}/auth/saml/metadata`);
    expect(res.headers.get('content-type')).toContain('application/samlmetadata+xml');
    const xml = await res.text();
    expect(xml).toContain(`entityID="${audience}"`);
    expect(xml).toContain(`Location="${acs}"`);
    expect(xml).toContain(`Location="${t.baseUrl}/auth/saml/slo"`);
    expect(xml).toMatch(/<mdui:DisplayName xml:lang="it">[^<]+<\/mdui:DisplayName>/);
    expect(xml).toMatch(/<mdui:DisplayName xml:lang="en">[^<]+<\/mdui:DisplayName>/);
    expect(xml).toContain('http://refeds.org/category/research-and-scholarship');
    expect(xml).toContain('KeyDescriptor use="signing"');
    expect(xml).toContain('KeyDescriptor use="encryption"');
    expect(xml).toContain(`Name="${O.mail}"`);
  });

  it('signs in a person from a genuine response: account from the attributes, institution from the scope', async () => {
    const i = await input();
    const r = await post(signedBoth(responseXml(i)));
    expect(r.status).toBe(302);
    expect(r.location).toBe('/bookings');
    expect(r.cookies.wm_session).toBeTruthy();
    const m = await me(r.cookies.wm_session!);
    expect(m.status).toBe(200);
    expect(m.body.name).toBe('Giulia Bianchi');
    expect(m.body.email).toBe(i.attributes[O.mail]![0]);
    expect(m.body.institution).toEqual({ id: unipdId, name: 'Università di Padova' });
    expect(m.body.canBook).toBe(true);
  });

  it('updates the account at every sign-in', async () => {
    const i = await input();
    const first = await post(signedBoth(responseXml(i)));
    const again = await input({ attributes: { ...i.attributes, [O.displayName]: ['Giulia Bianchi Rossi'] } });
    const second = await post(signedBoth(responseXml(again)));
    const a = await me(first.cookies.wm_session!);
    const b = await me(second.cookies.wm_session!);
    expect(b.body.id).toBe(a.body.id);
    expect(b.body.name).toBe('Giulia Bianchi Rossi');
  });

  it('accepts a response signed on the assertion only (as most federation IdPs send)', async () => {
    const r = await post(signAssertion(responseXml(await input()), keyA));
    expect(r.status).toBe(302);
    expect(r.cookies.wm_session).toBeTruthy();
  });

  it('rejects a response whose NameID was changed after signing', async () => {
    const xml = signedBoth(responseXml(await input({ nameId: 'alice' })));
    await expectRejected(await post(xml.replace('>alice<', '>mallory<')), 'SAML_INVALID', /signature/i);
  });

  it('rejects a response whose attribute was changed after signing', async () => {
    const i = await input();
    const xml = signAssertion(responseXml(i), keyA);
    const mail = i.attributes[O.mail]![0]!;
    await expectRejected(await post(xml.replace(mail, 'rector@unipd.it')), 'SAML_INVALID', /signature/i);
  });

  // Somorovsky et al., "On Breaking SAML" (2012): wrapping attacks move the signed assertion so that
  // the signature still verifies while the application reads another, unsigned one.
  const wrap = async (place: (original: string, evil: string) => string) => {
    const i = await input();
    const signed = signAssertion(responseXml(i), keyA);
    const original = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(signed)![0];
    const evil = original
      .replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '')
      .replace(/ID="[^"]+"/, `ID="${newId()}"`)
      .replace(i.attributes[O.mail]![0]!, 'rector@unipd.it')
      .replace(i.attributes[O.eppn]![0]!, 'rector@unipd.it');
    return signed.replace(original, place(original, evil));
  };

  it('rejects XML signature wrapping: an unsigned assertion placed before the signed one (XSW3)', async () => {
    await expectRejected(await post(await wrap((orig, evil) => evil + orig)), 'SAML_INVALID');
  });

  it('rejects XML signature wrapping: the signed assertion hidden inside an unsigned one (XSW4)', async () => {
    await expectRejected(await post(await wrap((orig, evil) => evil.replace('</saml:Subject>', `</saml:Subject>${orig}`))), 'SAML_INVALID');
  });

  it('rejects XML signature wrapping: the signed assertion moved into the response Extensions (XSW2-style)', async () => {
    const xml = await wrap((orig, evil) => evil);
    const signed = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(signAssertion(responseXml(await input()), keyA))![0];
    await expectRejected(await post(xml.replace('<samlp:Status>', `<samlp:Extensions>${signed}</samlp:Extensions><samlp:Status>`)), 'SAML_INVALID');
  });

  it('rejects the replay of a consumed response, also on another instance', async () => {
    const xml = signedBoth(responseXml(await input()));
    expect((await post(xml)).status).toBe(302);
    await expectRejected(await post(xml, { base: t2.baseUrl }), 'SAML_REPLAY', /already used/, t2);
    await expectRejected(await post(xml), 'SAML_REPLAY', /already used/);
  });

  it('lets only one of two simultaneous posts of the same response through', async () => {
    const xml = signedBoth(responseXml(await input()));
    const results = await Promise.all([post(xml), post(xml, { base: t2.baseUrl })]);
    expect(results.map((r) => r.status).sort()).toEqual([302, 403]);
    expect(results.filter((r) => r.cookies.wm_session).length).toBe(1);
  });

  it('rejects a wrong Audience', async () => {
    await expectRejected(await post(signedBoth(responseXml(await input({ audience: 'https://other-sp.example.org/shibboleth' })))), 'SAML_INVALID', /audience/i);
  });

  it('rejects a wrong Recipient', async () => {
    await expectRejected(await post(signedBoth(responseXml(await input({ recipient: 'https://other-sp.example.org/acs' })))), 'SAML_WRONG_RECIPIENT', /Recipient/);
  });

  it('rejects a wrong Destination', async () => {
    await expectRejected(await post(signedBoth(responseXml(await input({ destination: 'https://other-sp.example.org/acs' })))), 'SAML_WRONG_DESTINATION', /Destination/);
  });

  it('rejects an assertion expired beyond the allowed clock skew, and accepts one inside it', async () => {
    const old = new Date(Date.now() - 3 * 60_000);
    await expectRejected(await post(signedBoth(responseXml(await input({ notOnOrAfter: new Date(Date.now() - 90_000), notBefore: old })))), 'SAML_INVALID', /expired|NotOnOrAfter|subject confirmation/i);
    const r = await post(signedBoth(responseXml(await input({ notOnOrAfter: new Date(Date.now() - 20_000), notBefore: old }))));
    expect(r.status).toBe(302);
  });

  it('rejects an unsigned assertion', async () => {
    await expectRejected(await post(responseXml(await input())), 'SAML_INVALID', /signature/i);
  });

  it('rejects an unsigned assertion inside a signed response', async () => {
    await expectRejected(await post(signResponse(responseXml(await input()), keyA)), 'SAML_INVALID', /signature|signed/i);
  });

  it('rejects an IdP that is not in the federation metadata', async () => {
    const i = await input({ issuer: 'https://rogue.example.org/idp' });
    await expectRejected(await post(signedBoth(responseXml(i), keyRogue)), 'IDP_UNKNOWN', /not an IdP of the federation/);
  });

  it('rejects a response claiming one IdP but signed with another federation IdP’s key', async () => {
    await expectRejected(await post(signedBoth(responseXml(await input()), keyB)), 'SAML_INVALID', /signature/i);
  });

  it('rejects an assertion issued by another IdP than the response names', async () => {
    const xml = responseXml(await input());
    // The Response says IdP A (whose key signs); the assertion inside claims to come from IdP B.
    const lastIssuer = xml.lastIndexOf(`<saml:Issuer>${idpA.entityId}</saml:Issuer>`);
    const mixed = xml.slice(0, lastIssuer) + `<saml:Issuer>${idpB.entityId}</saml:Issuer>` + xml.slice(lastIssuer + `<saml:Issuer>${idpA.entityId}</saml:Issuer>`.length);
    await expectRejected(await post(signedBoth(mixed, keyA)), 'SAML_ISSUER_MISMATCH', /issued by/);
  });

  it('rejects an unknown InResponseTo', async () => {
    await expectRejected(await post(signedBoth(responseXml(await input({ inResponseTo: newId() })))), 'SAML_INVALID', /InResponseTo/);
  });

  it('rejects a response to a request made of another IdP', async () => {
    const forB = await authnRequestId(idpB.entityId);
    await expectRejected(await post(signedBoth(responseXml(await input({ inResponseTo: forB })))), 'SAML_INVALID', /InResponseTo/);
  });

  it('does not let a forged post cancel a genuine sign-in in progress', async () => {
    const i = await input();
    await expectRejected(await post(responseXml(i)), 'SAML_INVALID');
    expect((await post(signedBoth(responseXml(i)))).status).toBe(302);
  });

  it('signs in a person of a non-subscribing institution who then cannot book, and says why', async () => {
    const who = newId().slice(1, 9);
    const i = await input({
      issuer: idpB.entityId,
      inResponseTo: await authnRequestId(idpB.entityId),
      attributes: { [O.eppn]: [`${who}@unimi.it`], [O.mail]: [`${who}@unimi.it`], [O.displayName]: ['Luca Verdi'], [O.schac]: ['unimi.it'] },
    });
    const r = await post(signedBoth(responseXml(i), keyB));
    expect(r.status).toBe(302);
    const m = await me(r.cookies.wm_session!);
    expect(m.body.name).toBe('Luca Verdi');
    expect(m.body.institution).toBeNull();
    expect(m.body.canBook).toBe(false);
    expect(m.body.cannotBookReason).toMatch(/subscribing institution/);
    const booking = await fetch(`${t.baseUrl}/api/v1/bookings`, {
      method: 'POST',
      headers: { cookie: `wm_session=${r.cookies.wm_session}`, 'x-csrf-token': m.body.csrfToken, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Seminario', seats: 5, start: inTwoDays(9), end: inTwoDays(10) }),
    });
    const answer = await booking.json();
    expect(answer, JSON.stringify(answer)).toMatchObject({ status: 403, code: 'NOT_ALLOWED_TO_BOOK' });
  });

  it('ignores scoped attributes for a domain the IdP does not declare (no institution from them)', async () => {
    const who = newId().slice(1, 9);
    const i = await input({
      issuer: idpB.entityId,
      inResponseTo: await authnRequestId(idpB.entityId),
      attributes: { [O.eppn]: [`${who}@unimi.it`], [O.mail]: [`${who}@unimi.it`], [O.displayName]: ['Finto Padovano'], [O.schac]: ['unipd.it'], [O.affiliation]: ['staff@unipd.it'] },
    });
    const r = await post(signedBoth(responseXml(i), keyB));
    expect(r.status).toBe(302);
    expect((await me(r.cookies.wm_session!)).body.institution).toBeNull();
    expect(t.logs.findLast((l) => l.event === 'saml.attributes.dropped')?.dropped).toEqual(expect.arrayContaining([expect.stringContaining('unipd.it')]));
  });

  it('applies an institution’s required entitlement', async () => {
    const admin = await t.portal.services.uow.repos.users.create({ email: `admin-${newId()}@example.org`, name: 'Admin', role: 'admin', institutionId: null, passwordHash: null });
    const ctx = { actor: { userId: admin.id, role: 'admin' as const, institutionId: null } };
    const ent = 'urn:mace:unipd.it:webmeetings:booker';
    await t.portal.services.uow.repos.institutions.create({ name: 'Ateneo Vincolato', scopes: ['vincolo.unipd.it'], subscriptionStart: '2020-01-01', subscriptionEnd: '2099-12-31', monthlyQuotaHours: null });
    const inst = (await t.portal.services.uow.repos.institutions.list()).find((x) => x.name === 'Ateneo Vincolato')!;
    const res = await fetch(`${t.baseUrl}/api/v1/institutions/${inst.id}/requirements`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${(await t.portal.services.accounts.createToken(ctx, 'x')).token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ requiredEntitlement: ent, requiredAffiliation: null }),
    });
    expect(res.status).toBe(200);
    const attrs = (who: string, extra: Record<string, string[]>) => ({ [O.eppn]: [`${who}@vincolo.unipd.it`], [O.mail]: [`${who}@vincolo.unipd.it`], [O.displayName]: ['V'], ...extra });
    const without = await post(signedBoth(responseXml(await input({ attributes: attrs(newId().slice(1, 9), {}) }))));
    expect((await me(without.cookies.wm_session!)).body.institution).toBeNull();
    const withIt = await post(signedBoth(responseXml(await input({ attributes: attrs(newId().slice(1, 9), { [O.entitlement]: [ent] }) }))));
    expect((await me(withIt.cookies.wm_session!)).body.institution?.id).toBe(inst.id);
  });

  it('changes the session id at sign-in and ends the session the browser had before', async () => {
    const before = await post(signedBoth(responseXml(await input())));
    const old = before.cookies.wm_session!;
    const after = await post(signedBoth(responseXml(await input())), { cookie: `wm_session=${old}` });
    expect(after.cookies.wm_session).toBeTruthy();
    expect(after.cookies.wm_session).not.toBe(old);
    expect((await me(old)).status).toBe(401);
    expect((await me(after.cookies.wm_session!)).status).toBe(200);
  });

  it('ends the session on the server at logout and sends the browser to the IdP’s single logout', async () => {
    const r = await post(signedBoth(responseXml(await input())));
    const sid = r.cookies.wm_session!;
    const csrf = (await me(sid)).body.csrfToken as string;
    const out = await fetch(`${t.baseUrl}/auth/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: `wm_session=${sid}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: `csrf=${encodeURIComponent(csrf)}`,
    });
    expect(out.status).toBe(303);
    const to = new URL(out.headers.get('location')!);
    expect(`${to.origin}${to.pathname}`).toBe('https://idp.unipd.test/slo');
    const logoutRequest = inflateRawSync(Buffer.from(to.searchParams.get('SAMLRequest')!, 'base64')).toString('utf8');
    expect(logoutRequest).toContain('LogoutRequest');
    expect(to.searchParams.get('Signature')).toBeTruthy();
    expect((await me(sid)).status).toBe(401);
    expect((await me(sid, t2.baseUrl)).status).toBe(401);
  });

  // SAML bindings 3.4.4.1: DEFLATE, base64, then the query "SAMLRequest=…&SigAlg=…" is signed.
  const idpLogoutRequest = (nameId: string, sessionIndex: string, key: KeyPair | null) => {
    const xml = `<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${newId()}" Version="2.0" IssueInstant="${new Date().toISOString()}" Destination="${t.baseUrl}/auth/saml/slo"><saml:Issuer>${idpA.entityId}</saml:Issuer><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:transient">${nameId}</saml:NameID><samlp:SessionIndex>${sessionIndex}</samlp:SessionIndex></samlp:LogoutRequest>`;
    let query = `SAMLRequest=${encodeURIComponent(deflateRawSync(Buffer.from(xml)).toString('base64'))}`;
    if (key) {
      query += `&SigAlg=${encodeURIComponent('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256')}`;
      const signature = createSign('RSA-SHA256').update(query).sign(key.keyPem, 'base64');
      query += `&Signature=${encodeURIComponent(signature)}`;
    }
    return `${t.baseUrl}/auth/saml/slo?${query}`;
  };

  it('ends the sessions an IdP names in a signed LogoutRequest, and refuses an unsigned one', async () => {
    const i = await input({ nameId: `nid-${newId()}`, sessionIndex: `si-${newId()}` });
    const r = await post(signedBoth(responseXml(i)));
    const sid = r.cookies.wm_session!;
    const unsigned = await fetch(idpLogoutRequest(i.nameId!, i.sessionIndex!, null), { redirect: 'manual' });
    expect(unsigned.status).toBe(403);
    expect(t.logs.findLast((l) => l.event === 'saml.logout.rejected')?.code).toBe('SAML_UNSIGNED_LOGOUT');
    const forged = await fetch(idpLogoutRequest(i.nameId!, i.sessionIndex!, keyRogue), { redirect: 'manual' });
    expect(forged.status).toBe(403);
    expect((await me(sid)).status).toBe(200);
    const signed = await fetch(idpLogoutRequest(i.nameId!, i.sessionIndex!, keyA), { redirect: 'manual' });
    expect(signed.status).toBe(302);
    const back = new URL(signed.headers.get('location')!);
    expect(`${back.origin}${back.pathname}`).toBe('https://idp.unipd.test/slo');
    expect(inflateRawSync(Buffer.from(back.searchParams.get('SAMLResponse')!, 'base64')).toString()).toContain('urn:oasis:names:tc:SAML:2.0:status:Success');
    expect((await me(sid)).status).toBe(401);
  });

  it('keeps the institution-manager role an administrator gave across sign-ins, and drops it when the person leaves that institution', async () => {
    const admin = await t.portal.services.accounts.createAdmin({ email: `root-${newId()}@example.org`, name: 'Root', password: 'root-password-1' });
    const token = (await t.portal.services.accounts.createToken({ actor: { userId: admin.id, role: 'admin', institutionId: null } }, 'x')).token;
    const dept = await t.portal.services.uow.repos.institutions.create({ name: 'Dipartimento di Fisica', scopes: ['fisica.unipd.it'], subscriptionStart: '2020-01-01', subscriptionEnd: '2099-12-31', monthlyQuotaHours: null });
    const who = newId().slice(1, 9);
    const attributes = { [O.eppn]: [`${who}@fisica.unipd.it`], [O.mail]: [`${who}@fisica.unipd.it`], [O.displayName]: ['Enrico Fermi'] };
    const first = await post(signedBoth(responseXml(await input({ attributes }))));
    const before = (await me(first.cookies.wm_session!)).body;
    // The most specific scope wins: the department, not the university.
    expect(before.institution?.id).toBe(dept.id);
    const patch = await fetch(`${t.baseUrl}/api/v1/users/${before.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'institution-manager' }),
    });
    expect(patch.status).toBe(200);
    const again = await post(signedBoth(responseXml(await input({ attributes }))));
    expect((await me(again.cookies.wm_session!)).body).toMatchObject({ role: 'institution-manager', institution: { id: dept.id } });
    await t.portal.services.uow.repos.institutions.update(dept.id, { scopes: ['fisica.example.org'] });
    const after = await post(signedBoth(responseXml(await input({ attributes }))));
    expect((await me(after.cookies.wm_session!)).body).toMatchObject({ role: 'member', institution: { id: unipdId } });
  });

  it('with secure cookies, accepts a response only in the browser that started the request (no login CSRF)', async () => {
    const start = await fetch(`${t3.baseUrl}/auth/saml/login?idp=${encodeURIComponent(idpA.entityId)}`, { redirect: 'manual' });
    const set = start.headers.getSetCookie().find((c) => c.startsWith('wm_saml_requests='))!;
    expect(set).toMatch(/SameSite=None/i);
    expect(set).toMatch(/Secure/);
    const pending = cookiesOf(start).wm_saml_requests!;
    const xml = inflateRawSync(Buffer.from(new URL(start.headers.get('location')!).searchParams.get('SAMLRequest')!, 'base64')).toString('utf8');
    const requestId = /ID="([^"]+)"/.exec(xml)![1]!;
    const acs3 = `${t3.baseUrl}/auth/saml/acs`;
    const response = signedBoth(responseXml(await input({ inResponseTo: requestId, destination: acs3, recipient: acs3, audience: t3.config.saml!.entityId })));
    // The attacker's own valid response, posted into a victim's browser (which has no such request).
    await expectRejected(await post(response, { base: t3.baseUrl }), 'SAML_OTHER_BROWSER', /not started in this browser/, t3);
    // The genuine browser still signs in: the refusal recorded nothing.
    const ok = await post(response, { base: t3.baseUrl, cookie: `wm_saml_requests=${pending}` });
    expect(ok.status).toBe(302);
    expect(ok.cookies.wm_session).toBeTruthy();
  });
});
