// Our SP's metadata (SAML 2.0 Metadata; MDUI 1.0 for names in Italian and English; REFEDS Research
// and Scholarship entity category, which federations such as IDEM use to release the R&S bundle;
// REFEDS Security Contact Metadata Extension 1.0 for the security contact).
import { X509Certificate } from 'node:crypto';
import type { SpOptions } from './service-provider.ts';
import { OID } from './attributes.ts';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
// The DER of the parsed certificate, never the file's text: nothing but a certificate can be published.
const certBody = (pem: string) => new X509Certificate(pem).raw.toString('base64');
const LANGS = ['it', 'en'] as const;

export type SpMetadataInfo = {
  names: { it: string; en: string };
  descriptions: { it: string; en: string };
  informationUrl: string;
  privacyStatementUrl: string | null;
  organization: { name: string; displayName: string; url: string } | null;
  /** Technical contact (federations require one). */
  contactEmail: string | null;
  securityContactEmail: string | null;
};

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
  const key = (use: string, pem: string) => `
    <md:KeyDescriptor use="${use}"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${certBody(pem)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;
  // Key rollover: the next certificate is published beside the current one for signing; for
  // encryption only once its key is configured, since an IdP may encrypt to either.
  const keys = [
    key('signing', sp.certPem),
    key('encryption', sp.certPem),
    ...(sp.nextCertPem ? [key('signing', sp.nextCertPem)] : []),
    ...(sp.nextCertPem && sp.nextPrivateKeyPem ? [key('encryption', sp.nextCertPem)] : []),
  ].join('');
  const perLang = (element: string, value: string) => LANGS.map((l) => `<${element} xml:lang="${l}">${esc(value)}</${element}>`);
  const attrs = REQUESTED.map(
    ([name, friendly, required]) =>
      `
      <md:RequestedAttribute FriendlyName="${friendly}" Name="${name}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri" isRequired="${required}"/>`,
  ).join('');
  const organization = info.organization
    ? `
  <md:Organization>
    ${[...perLang('md:OrganizationName', info.organization.name), ...perLang('md:OrganizationDisplayName', info.organization.displayName), ...perLang('md:OrganizationURL', info.organization.url)].join('\n    ')}
  </md:Organization>`
    : '';
  const contacts = [
    info.contactEmail ? `<md:ContactPerson contactType="technical"><md:EmailAddress>mailto:${esc(info.contactEmail)}</md:EmailAddress></md:ContactPerson>` : '',
    // REFEDS Security Contact Metadata Extension 1.0: contactType "other" qualified by remd:contactType.
    info.securityContactEmail
      ? `<md:ContactPerson contactType="other" remd:contactType="http://refeds.org/metadata/contactType/security"><md:GivenName>Security Response Team</md:GivenName><md:EmailAddress>mailto:${esc(info.securityContactEmail)}</md:EmailAddress></md:ContactPerson>`
      : '',
  ]
    .filter(Boolean)
    .map((c) => `
  ${c}`)
    .join('');
  const privacy = info.privacyStatementUrl ? perLang('mdui:PrivacyStatementURL', info.privacyStatementUrl).map((e) => `
        ${e}`).join('') : '';
  return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"
    xmlns:mdui="urn:oasis:names:tc:SAML:metadata:ui" xmlns:mdattr="urn:oasis:names:tc:SAML:metadata:attribute"
    xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" xmlns:remd="http://refeds.org/metadata" entityID="${esc(sp.entityId)}">
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
        <mdui:InformationURL xml:lang="en">${esc(info.informationUrl)}</mdui:InformationURL>${privacy}
      </mdui:UIInfo>
    </md:Extensions>${keys}
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${esc(sp.sloUrl)}"/>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:transient</md:NameIDFormat>
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${esc(sp.acsUrl)}" index="0" isDefault="true"/>
    <md:AttributeConsumingService index="0">
      <md:ServiceName xml:lang="it">${esc(info.names.it)}</md:ServiceName>
      <md:ServiceName xml:lang="en">${esc(info.names.en)}</md:ServiceName>${attrs}
    </md:AttributeConsumingService>
  </md:SPSSODescriptor>${organization}${contacts}
</md:EntityDescriptor>
`;
}
