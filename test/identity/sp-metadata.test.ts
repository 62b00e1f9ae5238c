// The SP metadata a federation registers (issue #11): a next certificate for key rollover, the
// organisation, the privacy statement and the REFEDS security contact from validated settings, only
// certificates ever published, and a start-up warning when the technical contact is missing.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOMParser, type Element as XElement } from '@xmldom/xmldom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeKeyPair, type KeyPair } from './support/keys.ts';
import type { TestIdp } from './support/metadata.ts';
import { startIdentityPortal, type IdentityPortal } from './support/portal.ts';
import { samlEnv } from './support/saml-env.ts';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const MDUI = 'urn:oasis:names:tc:SAML:metadata:ui';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const REMD = 'http://refeds.org/metadata';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';

let full: IdentityPortal, bare: IdentityPortal;
let next: KeyPair, other: KeyPair;

beforeAll(async () => {
  const idpKey = makeKeyPair('idp');
  const idp: TestIdp = { entityId: 'https://idp.unipd.test/idp', names: { it: 'Padova', en: 'Padua' }, scopes: ['unipd.it'], ssoRedirect: 'https://idp.unipd.test/sso', certBase64: idpKey.certBase64 };
  next = makeKeyPair('sp-next');
  other = makeKeyPair('sp-next-cert-only');
  const dir = mkdtempSync(join(tmpdir(), 'wm-spmd-'));
  for (const [name, text] of [['next.key', next.keyPem], ['next.pem', next.certPem], ['other.pem', other.certPem]] as const) writeFileSync(join(dir, name), text);
  full = await startIdentityPortal({
    ...samlEnv([idp]),
    SAML_SP_NEXT_CERT_FILE: join(dir, 'next.pem'),
    SAML_SP_NEXT_KEY_FILE: join(dir, 'next.key'),
    SAML_SP_CONTACT_EMAIL: 'noc@example.org',
    SAML_SP_SECURITY_CONTACT_EMAIL: 'cert@example.org',
    SAML_SP_ORGANIZATION_NAME: 'Consorzio Esempio & Co',
    SAML_SP_ORGANIZATION_DISPLAY_NAME: 'Consorzio Esempio',
    SAML_SP_ORGANIZATION_URL: 'https://www.example.org/',
    SAML_SP_PRIVACY_STATEMENT_URL: 'https://meet.example.org/privacy',
  });
  // Another portal on the same database: only its settings differ.
  bare = await startIdentityPortal({ ...samlEnv([idp]), SAML_SP_NEXT_CERT_FILE: join(dir, 'other.pem') }, { db: full.db });
}, 120_000);

afterAll(async () => {
  await bare?.close();
  await full?.close();
});

async function metadata(portal: IdentityPortal): Promise<{ xml: string; root: XElement }> {
  const res = await fetch(`${portal.baseUrl}/auth/saml/metadata`);
  expect(res.status).toBe(200);
  const xml = await res.text();
  const errors: string[] = [];
  const root = new DOMParser({ onError: (level, msg) => level !== 'warning' && errors.push(msg) }).parseFromString(xml, 'text/xml').documentElement!;
  expect(errors).toEqual([]);
  return { xml, root };
}

const all = (el: XElement, ns: string, name: string) => Array.from(el.getElementsByTagNameNS(ns, name));
const children = (el: XElement, ns: string, name: string) =>
  Array.from(el.childNodes).filter((n): n is XElement => n.nodeType === 1 && (n as XElement).namespaceURI === ns && (n as XElement).localName === name);
const text = (el: XElement) => (el.textContent ?? '').trim();
const byLang = (els: XElement[]) => Object.fromEntries(els.map((e) => [e.getAttributeNS(XML_NS, 'lang'), text(e)]));
const der = (pem: string) => new X509Certificate(pem).raw.toString('base64');

describe('SP metadata', () => {
  it('publishes the current and the next certificate, each for signing and encryption once both keys are configured', async () => {
    const { root } = await metadata(full);
    const sso = children(root, MD, 'SPSSODescriptor')[0]!;
    const keys = children(sso, MD, 'KeyDescriptor').map((k) => [k.getAttribute('use'), text(all(k, DS, 'X509Certificate')[0]!)]);
    const current = der(full.config.saml!.spCertPem);
    expect(keys).toEqual([
      ['signing', current],
      ['encryption', current],
      ['signing', der(next.certPem)],
      ['encryption', der(next.certPem)],
    ]);
  });

  it('publishes a next certificate without its key for signing only (an IdP may encrypt to any encryption key)', async () => {
    const { root } = await metadata(bare);
    const keys = all(root, MD, 'KeyDescriptor').map((k) => [k.getAttribute('use'), text(all(k, DS, 'X509Certificate')[0]!)]);
    expect(keys.filter(([, c]) => c === der(other.certPem))).toEqual([['signing', der(other.certPem)]]);
  });

  it('publishes nothing but parsed certificates', async () => {
    for (const portal of [full, bare]) {
      const { xml, root } = await metadata(portal);
      expect(xml).not.toMatch(/PRIVATE KEY|BEGIN/);
      for (const c of all(root, DS, 'X509Certificate')) expect(() => new X509Certificate(Buffer.from(text(c), 'base64'))).not.toThrow();
    }
  });

  it('names the organisation in Italian and English after the SP role (SAML metadata 2.3.2)', async () => {
    const { root } = await metadata(full);
    const org = children(root, MD, 'Organization');
    expect(org).toHaveLength(1);
    expect(byLang(children(org[0]!, MD, 'OrganizationName'))).toEqual({ it: 'Consorzio Esempio & Co', en: 'Consorzio Esempio & Co' });
    expect(byLang(children(org[0]!, MD, 'OrganizationDisplayName'))).toEqual({ it: 'Consorzio Esempio', en: 'Consorzio Esempio' });
    expect(byLang(children(org[0]!, MD, 'OrganizationURL'))).toEqual({ it: 'https://www.example.org/', en: 'https://www.example.org/' });
    const order = Array.from(root.childNodes).filter((n) => n.nodeType === 1).map((n) => (n as XElement).localName);
    expect(order).toEqual(['Extensions', 'SPSSODescriptor', 'Organization', 'ContactPerson', 'ContactPerson']);
  });

  it('links the privacy statement in the MDUI information', async () => {
    const { root } = await metadata(full);
    const ui = all(root, MDUI, 'UIInfo')[0]!;
    expect(byLang(children(ui, MDUI, 'PrivacyStatementURL'))).toEqual({ it: 'https://meet.example.org/privacy', en: 'https://meet.example.org/privacy' });
  });

  it('has a technical contact and a REFEDS security contact', async () => {
    const { root } = await metadata(full);
    const contacts = children(root, MD, 'ContactPerson').map((c) => ({
      type: c.getAttribute('contactType'),
      refeds: c.getAttributeNS(REMD, 'contactType') || null,
      email: text(children(c, MD, 'EmailAddress')[0]!),
      given: children(c, MD, 'GivenName')[0] ? text(children(c, MD, 'GivenName')[0]!) : null,
    }));
    expect(contacts).toEqual([
      { type: 'technical', refeds: null, email: 'mailto:noc@example.org', given: null },
      { type: 'other', refeds: 'http://refeds.org/metadata/contactType/security', email: 'mailto:cert@example.org', given: 'Security Response Team' },
    ]);
  });

  it('warns at start-up when the technical contact is missing, and only then', async () => {
    const { root } = await metadata(bare);
    expect(children(root, MD, 'ContactPerson')).toEqual([]);
    expect(children(root, MD, 'Organization')).toEqual([]);
    expect(all(root, MDUI, 'PrivacyStatementURL')).toEqual([]);
    expect(bare.logs.filter((l) => l.event === 'saml.metadata.no-contact')).toEqual([expect.objectContaining({ level: 40, msg: expect.stringMatching(/SAML_SP_CONTACT_EMAIL is not set/) })]);
    expect(full.logs.filter((l) => l.event === 'saml.metadata.no-contact')).toEqual([]);
  });
});
