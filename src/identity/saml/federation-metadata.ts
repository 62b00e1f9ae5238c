// Federation metadata aggregates (SAML 2.0 Metadata, OASIS saml-metadata-2.0-os; MDUI and Shibboleth
// scope extensions as IDEM and eduGAIN publish them). The aggregate's signature is verified with
// xml-crypto against the federation's certificate, and the IdPs are read only from the XML that the
// signature covers (xml-crypto's getSignedReferences), so nothing wrapped around it is ever trusted.
import { DOMParser, type Element as XElement } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const MDUI = 'urn:oasis:names:tc:SAML:metadata:ui';
const SHIBMD = 'urn:mace:shibboleth:metadata:1.0';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

/** SAML metadata 2.2.2: `responseLocation`, when present, is where responses to this endpoint go. */
export type Endpoint = { binding: string; location: string; responseLocation: string | null };
export type IdentityProvider = {
  entityId: string;
  /** Display names by language ('it', 'en', ...); `default` is the first one found. */
  names: Record<string, string>;
  logo: string | null;
  /** Domains the IdP may assert (shibmd:Scope); also what the discovery search matches. */
  scopes: string[];
  ssoRedirect: string | null;
  ssoPost: string | null;
  slo: Endpoint | null;
  signingCerts: string[];
};

export type ParsedAggregate = {
  idps: IdentityProvider[];
  validUntil: Date | null;
  /** xs:duration from `cacheDuration`, in milliseconds. */
  cacheDurationMs: number | null;
};

export class MetadataError extends Error {}

const parse = (xml: string) => {
  const errors: string[] = [];
  const doc = new DOMParser({ onError: (level, msg) => level !== 'warning' && errors.push(msg) }).parseFromString(xml, 'text/xml');
  if (errors.length > 0 || !doc.documentElement) throw new MetadataError(`metadata is not well-formed XML: ${errors[0] ?? 'empty document'}`);
  return doc;
};

const children = (el: XElement, ns: string, name: string): XElement[] =>
  Array.from(el.childNodes).filter((n): n is XElement => n.nodeType === 1 && (n as XElement).namespaceURI === ns && (n as XElement).localName === name);

const descendants = (el: XElement, ns: string, name: string): XElement[] => Array.from(el.getElementsByTagNameNS(ns, name));

/** Verifies the aggregate's enveloped signature with `federationCertPem` and returns the signed XML. */
export function verifyAggregate(xml: string, federationCertPem: string): string {
  const doc = parse(xml);
  const root = doc.documentElement!;
  if (root.namespaceURI !== MD || !['EntitiesDescriptor', 'EntityDescriptor'].includes(root.localName ?? '')) {
    throw new MetadataError('metadata root is not an md:EntitiesDescriptor or md:EntityDescriptor');
  }
  const signatures = children(root, DS, 'Signature');
  if (signatures.length === 0) throw new MetadataError('metadata aggregate is not signed');
  if (signatures.length > 1) throw new MetadataError('metadata aggregate has more than one signature on its root');
  const rootId = root.getAttribute('ID');
  const sig = new SignedXml({ publicCert: federationCertPem, getCertFromKeyInfo: () => null });
  sig.loadSignature(signatures[0] as unknown as Parameters<SignedXml["loadSignature"]>[0]);
  const refs = sig.getReferences();
  // The one reference must be the whole document: the root by its ID, or "" (the document).
  if (refs.length !== 1 || !(refs[0]!.uri === '' || (rootId && refs[0]!.uri === `#${rootId}`))) {
    throw new MetadataError('metadata signature does not cover the aggregate root');
  }
  let ok: boolean;
  try {
    ok = sig.checkSignature(xml);
  } catch (e) {
    throw new MetadataError(`metadata signature is invalid: ${(e as Error).message}`);
  }
  const signed = sig.getSignedReferences();
  if (!ok || signed.length !== 1) throw new MetadataError('metadata signature is invalid');
  return signed[0]!;
}

/** Reads an aggregate that verifyAggregate returned (signed XML only). */
export function parseAggregate(signedXml: string): ParsedAggregate {
  const root = parse(signedXml).documentElement!;
  const entities = root.localName === 'EntityDescriptor' ? [root] : descendants(root, MD, 'EntityDescriptor');
  const idps: IdentityProvider[] = [];
  for (const entity of entities) {
    const idp = readIdp(entity);
    if (idp) idps.push(idp);
  }
  const validUntil = root.getAttribute('validUntil');
  const cacheDuration = root.getAttribute('cacheDuration');
  return {
    idps,
    validUntil: validUntil ? new Date(validUntil) : null,
    cacheDurationMs: cacheDuration ? parseDuration(cacheDuration) : null,
  };
}

function readIdp(entity: XElement): IdentityProvider | null {
  const entityId = entity.getAttribute('entityID');
  const sso = children(entity, MD, 'IDPSSODescriptor').find((d) => (d.getAttribute('protocolSupportEnumeration') ?? '').includes('urn:oasis:names:tc:SAML:2.0:protocol'));
  if (!entityId || !sso) return null;
  const services = (name: string) =>
    children(sso, MD, name)
      .map((s) => ({ binding: s.getAttribute('Binding') ?? '', location: s.getAttribute('Location') ?? '', responseLocation: s.getAttribute('ResponseLocation') || null }))
      .filter((s) => s.location);
  const ssoServices = services('SingleSignOnService');
  const sloServices = services('SingleLogoutService');
  const signingCerts = children(sso, MD, 'KeyDescriptor')
    .filter((k) => (k.getAttribute('use') ?? 'signing') === 'signing')
    .flatMap((k) => descendants(k, DS, 'X509Certificate'))
    .map((c) => toPem(c.textContent ?? ''))
    .filter((c) => c.length > 0);
  const names: Record<string, string> = {};
  const uiInfo = descendants(sso, MDUI, 'UIInfo')[0];
  for (const n of uiInfo ? children(uiInfo, MDUI, 'DisplayName') : []) {
    const lang = n.getAttributeNS(XML_NS, 'lang') || 'en';
    const text = (n.textContent ?? '').trim();
    if (text && !names[lang]) names[lang] = text;
  }
  if (Object.keys(names).length === 0) {
    for (const n of descendants(entity, MD, 'OrganizationDisplayName')) {
      const lang = n.getAttributeNS(XML_NS, 'lang') || 'en';
      const text = (n.textContent ?? '').trim();
      if (text && !names[lang]) names[lang] = text;
    }
  }
  const logo = uiInfo ? (children(uiInfo, MDUI, 'Logo')[0]?.textContent ?? '').trim() || null : null;
  const scopes = [sso, entity]
    .flatMap((el) => children(el, MD, 'Extensions'))
    .flatMap((x) => children(x, SHIBMD, 'Scope'))
    .filter((s) => s.getAttribute('regexp') !== 'true')
    .map((s) => (s.textContent ?? '').trim().toLowerCase())
    .filter(Boolean);
  return {
    entityId,
    names,
    logo: logo && /^https:\/\//.test(logo) ? logo : null,
    scopes: [...new Set(scopes)],
    ssoRedirect: ssoServices.find((s) => s.binding === REDIRECT)?.location ?? null,
    ssoPost: ssoServices.find((s) => s.binding === POST)?.location ?? null,
    slo: sloServices.find((s) => s.binding === REDIRECT) ?? null,
    signingCerts,
  };
}

const toPem = (base64: string) => {
  const body = base64.replace(/\s+/g, '');
  if (!body) return '';
  return `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
};

/** xs:duration (PnYnMnDTnHnMnS) to milliseconds; years and months count as 365 and 30 days. */
export function parseDuration(d: string): number | null {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(d.trim());
  if (!m) return null;
  const [y, mo, day, h, min, s] = m.slice(1).map((v) => Number(v ?? 0)) as [number, number, number, number, number, number];
  return ((((y * 365 + mo * 30 + day) * 24 + h) * 60 + min) * 60 + s) * 1000;
}

/** The IdP's name in `lang`, falling back to English, Italian, then any. */
export function idpName(idp: IdentityProvider, lang: string): string {
  return idp.names[lang] ?? idp.names.en ?? idp.names.it ?? Object.values(idp.names)[0] ?? idp.entityId;
}
