// Reading SAML protocol messages (SAML core 2.0) before and after node-saml validates them, and the
// one error every refusal is: a stable code for the person and the log, a reason for the log.
import { DOMParser, type Element as XElement } from '@xmldom/xmldom';

export const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';
export const SAML_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';

/** Why a SAML message was refused: `code` is stable, `reason` goes to the log. */
export class SamlRejection extends Error {
  readonly code: string;
  readonly idp: string | null;
  constructor(code: string, reason: string, idp: string | null = null) {
    super(reason);
    this.code = code;
    this.idp = idp;
  }
}

/** The root element of a protocol message, which must be one of `names` in the samlp namespace. */
export function parseMessage(xml: string, names = ['Response']): XElement {
  const errors: string[] = [];
  const doc = new DOMParser({ onError: (level, msg) => level !== 'warning' && errors.push(msg) }).parseFromString(xml, 'text/xml');
  const root = doc.documentElement;
  if (errors.length > 0 || !root) throw new SamlRejection('SAML_MALFORMED', `message is not well-formed XML: ${errors[0] ?? 'empty'}`);
  if (root.namespaceURI !== SAMLP || !names.includes(root.localName ?? '')) {
    throw new SamlRejection('SAML_MALFORMED', `expected samlp:${names.join(' or ')}, got ${root.nodeName}`);
  }
  return root;
}

export function parseAssertion(xml: string): XElement {
  const root = new DOMParser().parseFromString(xml, 'text/xml').documentElement;
  if (!root || root.namespaceURI !== SAML_NS || root.localName !== 'Assertion') throw new SamlRejection('SAML_INVALID', 'no signed assertion');
  return root;
}

export const childNs = (el: XElement, ns: string, name: string): XElement | null =>
  (Array.from(el.childNodes).find((n) => n.nodeType === 1 && (n as XElement).namespaceURI === ns && (n as XElement).localName === name) as XElement | undefined) ?? null;
export const allNs = (el: XElement, ns: string, name: string): XElement[] => Array.from(el.getElementsByTagNameNS(ns, name));
export const firstNs = (el: XElement, ns: string, name: string): XElement | null => allNs(el, ns, name)[0] ?? null;
export const textOf = (el: XElement | null) => (el ? (el.textContent ?? '').trim() || null : null);

/** An xs:dateTime attribute in milliseconds; null when absent; a rejection when not a date. */
export function instantOf(el: XElement, attribute: string, code = 'SAML_MALFORMED'): number | null {
  const v = el.getAttribute(attribute);
  if (v === null || v === '') return null;
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw new SamlRejection(code, `${attribute} "${v.slice(0, 40)}" is not a date`);
  return ms;
}
