// Our SP's metadata (SAML 2.0 Metadata; MDUI 1.0 for names in Italian and English; REFEDS Research
// and Scholarship entity category, which federations such as IDEM use to release the R&S bundle).
import type { SpOptions } from './service-provider.ts';
import { OID } from './attributes.ts';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const certBody = (pem: string) => pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');

export type SpMetadataInfo = { names: { it: string; en: string }; descriptions: { it: string; en: string }; informationUrl: string; contactEmail: string | null };

const REQUESTED: [string, string, boolean][] = [
  [OID.subjectId, 'subject-id', false],
  [OID.pairwiseId, 'pairwise-id', false],
  [OID.eppn, 'eduPersonPrincipalName', false],
  [OID.eptid, 'eduPersonTargetedID', false],
  [OID.mail, 'mail', true],
  [OID.displayName, 'displayName', false],
  [OID.givenName, 'givenName', false],
  [OID.sn, 'sn', false],
  [OID.schacHomeOrganization, 'schacHomeOrganization', false],
  [OID.scopedAffiliation, 'eduPersonScopedAffiliation', false],
  [OID.entitlement, 'eduPersonEntitlement', false],
];

export function spMetadataXml(sp: SpOptions, info: SpMetadataInfo): string {
  const cert = certBody(sp.certPem);
  const key = (use: string) => `
    <md:KeyDescriptor use="${use}"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;
  const attrs = REQUESTED.map(
    ([name, friendly, required]) =>
      `
      <md:RequestedAttribute FriendlyName="${friendly}" Name="${name}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri" isRequired="${required}"/>`,
  ).join('');
  const contact = info.contactEmail
    ? `
  <md:ContactPerson contactType="technical"><md:EmailAddress>mailto:${esc(info.contactEmail)}</md:EmailAddress></md:ContactPerson>`
    : '';
  return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"
    xmlns:mdui="urn:oasis:names:tc:SAML:metadata:ui" xmlns:mdattr="urn:oasis:names:tc:SAML:metadata:attribute"
    xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" entityID="${esc(sp.entityId)}">
  <md:Extensions>
    <mdattr:EntityAttributes>
      <saml:Attribute Name="http://macedir.org/entity-category" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">
        <saml:AttributeValue>http://refeds.org/category/research-and-scholarship</saml:AttributeValue>
      </saml:Attribute>
    </mdattr:EntityAttributes>
  </md:Extensions>
  <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" AuthnRequestsSigned="true" WantAssertionsSigned="true">
    <md:Extensions>
      <mdui:UIInfo>
        <mdui:DisplayName xml:lang="it">${esc(info.names.it)}</mdui:DisplayName>
        <mdui:DisplayName xml:lang="en">${esc(info.names.en)}</mdui:DisplayName>
        <mdui:Description xml:lang="it">${esc(info.descriptions.it)}</mdui:Description>
        <mdui:Description xml:lang="en">${esc(info.descriptions.en)}</mdui:Description>
        <mdui:InformationURL xml:lang="it">${esc(info.informationUrl)}</mdui:InformationURL>
        <mdui:InformationURL xml:lang="en">${esc(info.informationUrl)}</mdui:InformationURL>
      </mdui:UIInfo>
    </md:Extensions>${key('signing')}${key('encryption')}
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${esc(sp.sloUrl)}"/>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:transient</md:NameIDFormat>
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${esc(sp.acsUrl)}" index="0" isDefault="true"/>
    <md:AttributeConsumingService index="0">
      <md:ServiceName xml:lang="it">${esc(info.names.it)}</md:ServiceName>
      <md:ServiceName xml:lang="en">${esc(info.names.en)}</md:ServiceName>${attrs}
    </md:AttributeConsumingService>
  </md:SPSSODescriptor>${contact}
</md:EntityDescriptor>
`;
}
