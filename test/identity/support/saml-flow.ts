// A test IdP's side of the SAML flows against a running portal: answer a sign-in the portal started
// (HTTP-POST binding), and send signed logout messages (HTTP-Redirect binding, SAML bindings
// 3.4.4.1: DEFLATE, base64, then "SAMLRequest=…&RelayState=…&SigAlg=…" is signed).
import { createSign } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { KeyPair } from './keys.ts';
import type { TestIdp } from './metadata.ts';
import { cookiesOf, type IdentityPortal } from './portal.ts';
import { b64, newId, responseXml, signAssertion, signResponse, type ResponseInput } from './saml-response.ts';

export type Party = { idp: TestIdp; key: KeyPair };

const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
export const OID = {
  eppn: 'urn:oid:1.3.6.1.4.1.5923.1.1.1.6',
  mail: 'urn:oid:0.9.2342.19200300.100.1.3',
  displayName: 'urn:oid:2.16.840.1.113730.3.1.241',
};

export function samlFlow(portal: IdentityPortal) {
  const acs = `${portal.baseUrl}/auth/saml/acs`;
  const slo = `${portal.baseUrl}/auth/saml/slo`;
  const audience = portal.config.saml!.entityId;

  /** Starts a sign-in at the SP and returns the pending AuthnRequest's id. */
  async function requestId(idp: TestIdp): Promise<string> {
    const res = await fetch(`${portal.baseUrl}/auth/saml/login?${new URLSearchParams({ idp: idp.entityId, return: '/bookings' })}`, { redirect: 'manual' });
    if (res.status !== 302) throw new Error(`login answered ${res.status}`);
    const xml = inflateRawSync(Buffer.from(new URL(res.headers.get('location')!).searchParams.get('SAMLRequest')!, 'base64')).toString('utf8');
    return /ID="([^"]+)"/.exec(xml)![1]!;
  }

  /** A response to a fresh request of the portal, signed on the response and the assertion. */
  async function response(p: Party, over: Partial<ResponseInput> = {}): Promise<string> {
    const [user, domain] = [newId().slice(1, 9), p.idp.scopes[0]!];
    const input: ResponseInput = {
      issuer: p.idp.entityId,
      destination: acs,
      recipient: acs,
      audience,
      inResponseTo: await requestId(p.idp),
      attributes: { [OID.eppn]: [`${user}@${domain}`], [OID.mail]: [`${user}@${domain}`], [OID.displayName]: ['Test Person'] },
      ...over,
    };
    return signResponse(signAssertion(responseXml(input), p.key), p.key);
  }

  async function post(xml: string, opts: { relayState?: string; base?: string; cookie?: string; lang?: 'it' | 'en' } = {}) {
    const res = await fetch(`${opts.base ?? portal.baseUrl}/auth/saml/acs${opts.lang ? `?lang=${opts.lang}` : ''}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(opts.cookie ? { cookie: opts.cookie } : {}) },
      body: new URLSearchParams({ SAMLResponse: b64(xml), RelayState: opts.relayState ?? '/bookings' }),
    });
    return { status: res.status, cookies: cookiesOf(res), location: res.headers.get('location'), body: await res.text() };
  }

  /** Signs someone in; returns the session and what a LogoutRequest names them by. */
  async function signIn(p: Party, over: Partial<ResponseInput> = {}) {
    const nameId = over.nameId ?? `nid-${newId()}`;
    const sessionIndex = over.sessionIndex ?? `si-${newId()}`;
    const r = await post(await response(p, { ...over, nameId, sessionIndex }));
    if (r.status !== 302 || !r.cookies.wm_session) throw new Error(`sign-in answered ${r.status}: ${r.body.slice(0, 300)}`);
    return { session: r.cookies.wm_session, nameId, sessionIndex };
  }

  function redirectUrl(kind: 'SAMLRequest' | 'SAMLResponse', xml: string, key: KeyPair | null, relayState?: string, base = portal.baseUrl) {
    let query = `${kind}=${encodeURIComponent(deflateRawSync(Buffer.from(xml)).toString('base64'))}`;
    if (relayState !== undefined) query += `&RelayState=${encodeURIComponent(relayState)}`;
    if (key) {
      query += `&SigAlg=${encodeURIComponent(RSA_SHA256)}`;
      query += `&Signature=${encodeURIComponent(createSign('RSA-SHA256').update(query).sign(key.keyPem, 'base64'))}`;
    }
    return `${base}/auth/saml/slo?${query}`;
  }

  /** An IdP's LogoutRequest for someone, as the URL the browser is sent to. */
  function logoutRequest(
    p: Party,
    who: { nameId: string; sessionIndex: string },
    o: { destination?: string | null; issueInstant?: Date; notOnOrAfter?: Date; id?: string; signedBy?: KeyPair | null; base?: string } = {},
  ): string {
    const destination = o.destination === undefined ? slo : o.destination;
    const xml = `<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${o.id ?? newId()}" Version="2.0" IssueInstant="${(o.issueInstant ?? new Date()).toISOString()}"${destination ? ` Destination="${destination}"` : ''}${o.notOnOrAfter ? ` NotOnOrAfter="${o.notOnOrAfter.toISOString()}"` : ''}><saml:Issuer>${p.idp.entityId}</saml:Issuer><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:transient">${who.nameId}</saml:NameID><samlp:SessionIndex>${who.sessionIndex}</samlp:SessionIndex></samlp:LogoutRequest>`;
    return redirectUrl('SAMLRequest', xml, o.signedBy === undefined ? p.key : o.signedBy, undefined, o.base);
  }

  /** An IdP's LogoutResponse (to no request of ours), carrying `relayState`. */
  function logoutResponse(p: Party, relayState: string, o: { destination?: string } = {}): string {
    const xml = `<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${newId()}" Version="2.0" IssueInstant="${new Date().toISOString()}" Destination="${o.destination ?? slo}"><saml:Issuer>${p.idp.entityId}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status></samlp:LogoutResponse>`;
    return redirectUrl('SAMLResponse', xml, p.key, relayState);
  }

  async function me(session: string, base = portal.baseUrl) {
    const res = await fetch(`${base}/api/v1/me`, { headers: { cookie: `wm_session=${session}` } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  return { acs, slo, audience, requestId, response, post, signIn, logoutRequest, logoutResponse, me };
}
