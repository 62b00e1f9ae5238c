// Federation metadata aggregates for tests, signed with xml-crypto as a federation signs its
// aggregate (enveloped signature on the EntitiesDescriptor, exclusive c14n, RSA-SHA256).
import { SignedXml } from 'xml-crypto';
import type { KeyPair } from './keys.ts';

export type TestIdp = {
  entityId: string;
  names: { it: string; en: string };
  scopes: string[];
  ssoRedirect: string;
  slo?: string;
  /** SAML metadata 2.2.2: where LogoutResponses to the SLO endpoint go, when not to `slo` itself. */
  sloResponse?: string;
  certBase64: string;
};

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

export function entityXml(idp: TestIdp): string {
  return `<md:EntityDescriptor entityID="${esc(idp.entityId)}">
  <md:Extensions><shibmd:Scope regexp="false">${idp.scopes[0] ?? ''}</shibmd:Scope></md:Extensions>
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:Extensions>${idp.scopes
      .slice(1)
      .map((s) => `<shibmd:Scope regexp="false">${s}</shibmd:Scope>`)
      .join('')}
      <mdui:UIInfo><mdui:DisplayName xml:lang="it">${esc(idp.names.it)}</mdui:DisplayName><mdui:DisplayName xml:lang="en">${esc(idp.names.en)}</mdui:DisplayName></mdui:UIInfo>
    </md:Extensions>
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${idp.certBase64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    ${idp.slo ? `<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${esc(idp.slo)}"${idp.sloResponse ? ` ResponseLocation="${esc(idp.sloResponse)}"` : ''}/>` : ''}
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${esc(idp.ssoRedirect)}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;
}

export function aggregateXml(idps: (TestIdp | string)[], opts: { validUntil?: Date; cacheDuration?: string; id?: string } = {}): string {
  const validUntil = opts.validUntil ?? new Date(Date.now() + 7 * 86_400_000);
  return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"
  xmlns:mdui="urn:oasis:names:tc:SAML:metadata:ui" xmlns:shibmd="urn:mace:shibboleth:metadata:1.0"
  ID="${opts.id ?? `agg${Date.now()}`}" Name="test-federation" validUntil="${validUntil.toISOString()}"${opts.cacheDuration ? ` cacheDuration="${opts.cacheDuration}"` : ''}>
${idps.map((i) => (typeof i === 'string' ? i.replace(/^<\?xml[^>]*>\s*/, '') : entityXml(i))).join('\n')}
</md:EntitiesDescriptor>`;
}

export function signAggregate(xml: string, federation: KeyPair): string {
  const sig = new SignedXml({ privateKey: federation.keyPem, publicCert: federation.certPem });
  sig.signatureAlgorithm = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
  sig.canonicalizationAlgorithm = 'http://www.w3.org/2001/10/xml-exc-c14n#';
  sig.addReference({
    xpath: "/*[local-name()='EntitiesDescriptor']",
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
  });
  sig.computeSignature(xml, { prefix: 'ds', location: { reference: "/*[local-name()='EntitiesDescriptor']/*[1]", action: 'before' } });
  return sig.getSignedXml();
}
