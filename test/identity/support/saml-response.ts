// A test IdP's SAML responses (SAML core 2.0: samlp:Response with one saml:Assertion), signed with
// xml-crypto as an IdP would sign them, so that tests can forge and tamper at will.
import { randomBytes } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import type { KeyPair } from './keys.ts';

export type ResponseInput = {
  issuer: string;
  destination: string | null;
  recipient: string;
  audience: string;
  inResponseTo: string | null;
  nameId?: string;
  notOnOrAfter?: Date;
  notBefore?: Date;
  assertionId?: string;
  attributes: Record<string, string[]>;
  sessionIndex?: string;
};

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
export const newId = () => `_${randomBytes(16).toString('hex')}`;

export function responseXml(r: ResponseInput): string {
  const now = new Date();
  const until = (r.notOnOrAfter ?? new Date(now.getTime() + 5 * 60_000)).toISOString();
  const before = (r.notBefore ?? new Date(now.getTime() - 60_000)).toISOString();
  const aid = r.assertionId ?? newId();
  const irt = r.inResponseTo ? ` InResponseTo="${esc(r.inResponseTo)}"` : '';
  const attrs = Object.entries(r.attributes)
    .map(
      ([name, values]) =>
        `<saml:Attribute Name="${esc(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">${values
          .map((v) => `<saml:AttributeValue xsi:type="xs:string">${esc(v)}</saml:AttributeValue>`)
          .join('')}</saml:Attribute>`,
    )
    .join('');
  return `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${newId()}" Version="2.0" IssueInstant="${now.toISOString()}"${r.destination ? ` Destination="${esc(r.destination)}"` : ''}${irt}><saml:Issuer>${esc(r.issuer)}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status><saml:Assertion xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xs="http://www.w3.org/2001/XMLSchema" ID="${aid}" Version="2.0" IssueInstant="${now.toISOString()}"><saml:Issuer>${esc(r.issuer)}</saml:Issuer><saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:transient">${esc(r.nameId ?? newId())}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${until}" Recipient="${esc(r.recipient)}"${irt}/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="${before}" NotOnOrAfter="${until}"><saml:AudienceRestriction><saml:Audience>${esc(r.audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="${now.toISOString()}" SessionIndex="${esc(r.sessionIndex ?? newId())}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement><saml:AttributeStatement>${attrs}</saml:AttributeStatement></saml:Assertion></samlp:Response>`;
}

function sign(xml: string, key: KeyPair, element: 'Assertion' | 'Response'): string {
  const sig = new SignedXml({ privateKey: key.keyPem, publicCert: key.certPem });
  sig.signatureAlgorithm = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
  sig.canonicalizationAlgorithm = 'http://www.w3.org/2001/10/xml-exc-c14n#';
  const xpath = `//*[local-name()='${element}']`;
  sig.addReference({
    xpath: element === 'Response' ? "/*[local-name()='Response']" : xpath,
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
  });
  // SAML core 5.4.1: the signature sits right after the element's Issuer.
  const issuer = element === 'Response' ? "/*[local-name()='Response']/*[local-name()='Issuer']" : `${xpath}/*[local-name()='Issuer']`;
  sig.computeSignature(xml, { prefix: 'ds', location: { reference: issuer, action: 'after' } });
  return sig.getSignedXml();
}

export function signAssertion(xml: string, key: KeyPair) {
  return sign(xml, key, 'Assertion');
}
export function signResponse(xml: string, key: KeyPair) {
  return sign(xml, key, 'Response');
}
export const b64 = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');
