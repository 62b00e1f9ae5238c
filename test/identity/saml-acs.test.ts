// What the assertion consumer does with a response beyond its signature (issue #11): where the person
// goes next (RelayState, checked as every return address; never a 500 after the assertion was
// used), IdP-initiated sign-in refused with a page that says why, and an account an administrator
// created ahead linked only through an IdP whose scope holds the address's domain.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeKeyPair } from './support/keys.ts';
import type { TestIdp } from './support/metadata.ts';
import { startIdentityPortal, type IdentityPortal } from './support/portal.ts';
import { samlEnv } from './support/saml-env.ts';
import { OID, samlFlow, type Party } from './support/saml-flow.ts';
import { newId } from './support/saml-response.ts';

let padova: Party, milano: Party;
let t: IdentityPortal;
let flow: ReturnType<typeof samlFlow>;

beforeAll(async () => {
  const party = (n: string, names: { it: string; en: string }): Party => {
    const key = makeKeyPair(`idp-${n}`);
    const idp: TestIdp = { entityId: `https://idp.${n}.test/idp/shibboleth`, names, scopes: [`${n}.it`], ssoRedirect: `https://idp.${n}.test/sso`, certBase64: key.certBase64 };
    return { idp, key };
  };
  padova = party('unipd', { it: 'Università di Padova', en: 'University of Padua' });
  milano = party('unimi', { it: 'Università di Milano', en: 'University of Milan' });
  t = await startIdentityPortal(samlEnv([padova.idp, milano.idp]));
  flow = samlFlow(t);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

const lastRejection = () => t.logs.findLast((l) => l.event === 'saml.response.rejected');

describe('assertion consumer', () => {
  // Issue #11: the RelayState came back as Location unchecked; with a newline the ACS answered 500
  // after it had consumed the assertion (the person lost the sign-in and the log blamed the server).
  it.each(['/\t/evil.example/', '/\n/evil.example/', '/\r\nSet-Cookie: x=1', '/\\evil.example/', '/%2F%2Fevil.example/', '/%5Cevil.example/', '/%09/evil.example/', '/.//evil.example/', 'https://evil.example/'])(
    'signs the person in and sends them to the portal’s home for the RelayState %j',
    async (relayState) => {
      const r = await flow.post(await flow.response(padova), { relayState });
      expect(r.status).toBe(302);
      expect(r.location).toBe('/');
      expect(r.cookies.wm_session).toBeTruthy();
    },
  );

  it('sends the person to the RelayState when it is a path of the portal', async () => {
    const r = await flow.post(await flow.response(padova), { relayState: '/join/6a1f0d8e-3b7c-4f8e-9d3a-1c2b3d4e5f60?lang=it' });
    expect(r.status).toBe(302);
    expect(r.location).toBe('/join/6a1f0d8e-3b7c-4f8e-9d3a-1c2b3d4e5f60?lang=it');
  });

  it('refuses IdP-initiated sign-in with a page that says so in Italian and English, and logs why', async () => {
    const unsolicited = await flow.response(padova, { inResponseTo: null });
    const it_ = await flow.post(unsolicited, { lang: 'it' });
    expect(it_.status).toBe(403);
    expect(it_.cookies.wm_session).toBeUndefined();
    expect(it_.body).toContain('<html lang="it">');
    expect(it_.body).toContain('WebMeetings accetta solo gli accessi avviati da questo portale');
    expect(it_.body).toContain('SAML_UNSOLICITED');
    // A way to start the sign-in properly, with the same IdP, back to where the IdP meant to go.
    expect(it_.body).toContain(`href="/auth/saml/login?idp=${encodeURIComponent(padova.idp.entityId)}&#38;return=%2Fbookings"`);
    expect(it_.body).toContain('Accedi con Università di Padova');
    expect(lastRejection()).toMatchObject({ level: 40, code: 'SAML_UNSOLICITED', idp: padova.idp.entityId, reason: expect.stringMatching(/unsolicited \(IdP-initiated\).*no InResponseTo/) });
    const en = await flow.post(unsolicited, { lang: 'en' });
    expect(en.status).toBe(403);
    expect(en.body).toContain('WebMeetings accepts only sign-ins started from this portal');
    expect(en.body).toContain('Sign in with University of Padua');
    // Nothing was recorded: the assertion id is not consumed.
    const assertionId = /<saml:Assertion [^>]*ID="([^"]+)"/.exec(unsolicited)![1]!;
    expect((await sql`SELECT id FROM saml_consumed_assertions WHERE id = ${assertionId}`.execute(t.db.database.db)).rows).toEqual([]);
  });

  // Issue #11: any IdP of the federation could take over an account an administrator created ahead by
  // asserting its own user with mail=<that address>.
  it('links an account created ahead only through an IdP whose scope holds the address’s domain', async () => {
    const who = newId().slice(1, 9);
    const email = `carol-${who}@studenti.unipd.it`;
    const carol = await t.portal.services.uow.repos.users.create({ email, name: 'Carol Ahead', role: 'member', institutionId: null, passwordHash: null });
    // Milan's IdP (scope unimi.it) answers a real request with its own user and Carol's address.
    const takeover = { attributes: { [OID.eppn]: [`mallory-${who}@unimi.it`], [OID.mail]: [email], [OID.displayName]: ['Mallory'] } };
    const refused = await flow.post(await flow.response(milano, takeover));
    expect(refused.status).toBe(409);
    expect(refused.cookies.wm_session).toBeUndefined();
    expect(refused.body).toContain('EMAIL_OUTSIDE_IDP_SCOPE');
    expect(t.logs.findLast((l) => l.event === 'saml.login.refused')).toMatchObject({ code: 'EMAIL_OUTSIDE_IDP_SCOPE' });
    expect((await t.portal.services.uow.repos.users.findById(carol.id))?.name).toBe('Carol Ahead');
    // Carol's own IdP (scope unipd.it, which holds studenti.unipd.it) links it.
    const genuine = await flow.post(await flow.response(padova, { attributes: { [OID.eppn]: [`carol-${who}@unipd.it`], [OID.mail]: [email], [OID.displayName]: ['Carol Rossi'] } }));
    expect(genuine.status).toBe(302);
    expect((await flow.me(genuine.cookies.wm_session!)).body).toMatchObject({ id: carol.id, name: 'Carol Rossi', email });
    // From then on the other IdP's user still cannot reach it.
    const again = await flow.post(await flow.response(milano, takeover));
    expect(again.status).toBe(409);
    expect(again.cookies.wm_session).toBeUndefined();
  });
});
