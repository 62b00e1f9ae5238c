// The SAML 2.0 service provider (Web Browser SSO profile, SAML profiles 4.1) on @node-saml/node-saml.
// node-saml verifies signatures, conditions, audience and InResponseTo; this file adds what it leaves
// to the application (see shared/reference/saml-sp-notes.md): the IdP is chosen by the Issuer and
// only that IdP's certificates are trusted, Destination and Recipient must be our ACS, each assertion
// id is used once (PostgreSQL), and pending request ids are ours (PostgreSQL).
import { randomBytes } from 'node:crypto';
import { DOMParser, type Element as XElement } from '@xmldom/xmldom';
import { SAML, ValidateInResponseTo, type Profile } from '@node-saml/node-saml';
import type { ConsumedAssertions, PendingRequests } from '../pending-requests.ts';
import type { FederationRegistry } from './federation-registry.ts';
import type { IdentityProvider } from './federation-metadata.ts';

const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';
const SAML_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';

export type SpOptions = {
  entityId: string;
  acsUrl: string;
  sloUrl: string;
  privateKeyPem: string;
  certPem: string;
  clockSkewMs: number;
  wantResponseSigned: boolean;
};

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

export type SamlLogin = {
  idp: IdentityProvider;
  /** The AuthnRequest this response answers. */
  requestId: string;
  nameId: string;
  nameIdFormat: string;
  nameQualifier: string | null;
  spNameQualifier: string | null;
  sessionIndex: string | null;
  /** Attribute name (urn:oid:… or friendly) → string values. */
  attributes: Record<string, string[]>;
  relayState: string | null;
};

export class ServiceProvider {
  readonly o: SpOptions;
  private readonly registry: FederationRegistry;
  private readonly pending: PendingRequests;
  private readonly consumed: ConsumedAssertions;

  constructor(o: SpOptions, deps: { registry: FederationRegistry; pending: PendingRequests; consumed: ConsumedAssertions }) {
    this.o = o;
    this.registry = deps.registry;
    this.pending = deps.pending;
    this.consumed = deps.consumed;
  }

  private saml(idp: IdentityProvider, kind: 'saml' | 'saml-logout' = 'saml'): SAML {
    return new SAML({
      issuer: this.o.entityId,
      callbackUrl: this.o.acsUrl,
      logoutCallbackUrl: this.o.sloUrl,
      entryPoint: idp.ssoRedirect ?? undefined,
      logoutUrl: idp.slo?.location ?? '',
      idpCert: idp.signingCerts,
      idpIssuer: idp.entityId,
      privateKey: this.o.privateKeyPem,
      decryptionPvk: this.o.privateKeyPem,
      signatureAlgorithm: 'sha256',
      digestAlgorithm: 'sha256',
      audience: this.o.entityId,
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: this.o.wantResponseSigned,
      validateInResponseTo: ValidateInResponseTo.always,
      requestIdExpirationPeriodMs: 15 * 60_000,
      acceptedClockSkewMs: this.o.clockSkewMs,
      identifierFormat: null,
      disableRequestedAuthnContext: true,
      cacheProvider: this.pending.samlCache(idp.entityId, kind),
    });
  }

  /**
   * The IdP's SSO URL carrying a signed AuthnRequest (HTTP-Redirect binding), and the request's id,
   * which is kept pending (and which the caller may also bind to the browser).
   */
  async loginUrl(entityId: string, relayState: string, forceAuthn = false): Promise<{ url: string; requestId: string }> {
    const idp = this.registry.find(entityId);
    if (!idp) throw new SamlRejection('IDP_UNKNOWN', `IdP ${entityId} is not in the federation metadata`, entityId);
    if (!idp.ssoRedirect) throw new SamlRejection('IDP_NO_REDIRECT_SSO', `IdP ${entityId} has no HTTP-Redirect SingleSignOnService`, entityId);
    const saml = this.saml(idp);
    saml.options.forceAuthn = forceAuthn;
    // SAML core 1.3.4: an xs:ID must not start with a digit.
    const requestId = `_${randomBytes(20).toString('hex')}`;
    saml.options.generateUniqueId = () => requestId;
    return { url: await saml.getAuthorizeUrlAsync(relayState, undefined, {}), requestId };
  }

  /**
   * Validates a POSTed SAMLResponse; throws SamlRejection on anything wrong. `browserRequests`, when
   * given, are the request ids this browser started: a response to any other is refused before
   * anything is recorded.
   */
  async consume(samlResponse: string, relayState: string | null, browserRequests?: string[]): Promise<SamlLogin> {
    const xml = Buffer.from(samlResponse, 'base64').toString('utf8');
    const response = parseResponse(xml);
    const issuer = textOf(childNs(response, SAML_NS, 'Issuer')) ?? textOf(firstNs(response, SAML_NS, 'Issuer'));
    if (!issuer) throw new SamlRejection('SAML_NO_ISSUER', 'response has no Issuer');
    const answers = response.getAttribute('InResponseTo');
    if (browserRequests && !(answers && browserRequests.includes(answers))) {
      throw new SamlRejection('SAML_OTHER_BROWSER', `InResponseTo ${answers ?? '(none)'} was not started in this browser`, issuer);
    }
    const idp = this.registry.find(issuer);
    if (!idp) throw new SamlRejection('IDP_UNKNOWN', `Issuer ${issuer} is not an IdP of the federation metadata`, issuer);
    // SAML bindings 3.5.5.2: a signed POST message carries Destination; it must be our ACS.
    const destination = response.getAttribute('Destination');
    if (destination !== null && destination !== this.o.acsUrl) {
      throw new SamlRejection('SAML_WRONG_DESTINATION', `Destination ${destination} is not our ACS ${this.o.acsUrl}`, issuer);
    }
    // A look-up only (nothing is recorded before the signature is checked): a replay is named as such.
    const claimedIds = allNs(response, SAML_NS, 'Assertion').map((a) => a.getAttribute('ID')).filter((id): id is string => !!id);
    for (const id of claimedIds) {
      if (await this.consumed.seen(id)) throw new SamlRejection('SAML_REPLAY', `assertion ${id} was already used`, issuer);
    }
    let profile: Profile | null;
    try {
      ({ profile } = await this.saml(idp).validatePostResponseAsync({ SAMLResponse: samlResponse }));
    } catch (e) {
      throw new SamlRejection('SAML_INVALID', (e as Error).message, issuer);
    }
    if (!profile) throw new SamlRejection('SAML_INVALID', 'response carried no assertion', issuer);
    // The Issuer was read before the signature was checked; the signed assertion must agree.
    if (profile.issuer !== idp.entityId) {
      throw new SamlRejection('SAML_ISSUER_MISMATCH', `signed assertion was issued by ${String(profile.issuer)}, not ${idp.entityId}`, issuer);
    }
    const assertion = parseAssertion(profile.getAssertionXml?.() ?? '');
    // SAML profiles 4.1.4.2: the bearer SubjectConfirmationData Recipient is the ACS it was meant for.
    const recipients = allNs(assertion, SAML_NS, 'SubjectConfirmationData').map((d) => d.getAttribute('Recipient'));
    if (recipients.length === 0 || recipients.some((r) => r !== this.o.acsUrl)) {
      throw new SamlRejection('SAML_WRONG_RECIPIENT', `Recipient ${recipients.join(', ') || '(none)'} is not our ACS ${this.o.acsUrl}`, issuer);
    }
    const assertionId = assertion.getAttribute('ID');
    if (!assertionId) throw new SamlRejection('SAML_INVALID', 'assertion has no ID', issuer);
    const notOnOrAfter = [firstNs(assertion, SAML_NS, 'Conditions'), ...allNs(assertion, SAML_NS, 'SubjectConfirmationData')]
      .map((el) => el?.getAttribute('NotOnOrAfter'))
      .filter((v): v is string => !!v)
      .map((v) => new Date(v).getTime());
    const keepUntil = new Date(Math.max(Date.now() + this.o.clockSkewMs, ...notOnOrAfter) + this.o.clockSkewMs);
    if (!(await this.consumed.consume(assertionId, issuer, keepUntil))) {
      throw new SamlRejection('SAML_REPLAY', `assertion ${assertionId} was already used`, issuer);
    }
    const inResponseTo = answers;
    if (!inResponseTo || !(await this.pending.take('saml', inResponseTo, issuer))) {
      throw new SamlRejection('SAML_UNKNOWN_REQUEST', `InResponseTo ${inResponseTo ?? '(none)'} is not a pending request of this IdP`, issuer);
    }
    return {
      idp,
      requestId: inResponseTo,
      nameId: profile.nameID,
      nameIdFormat: profile.nameIDFormat,
      nameQualifier: profile.nameQualifier ?? null,
      spNameQualifier: profile.spNameQualifier ?? null,
      sessionIndex: profile.sessionIndex ?? null,
      attributes: readAttributes(assertion),
      relayState,
    };
  }

  /** SP-initiated single logout: the IdP's SLO URL with a signed LogoutRequest, or null if it has none. */
  async logoutUrl(session: { issuer: string; nameId: string; nameIdFormat: string; nameQualifier: string | null; spNameQualifier: string | null; sessionIndex: string | null }, relayState: string): Promise<string | null> {
    const idp = this.registry.find(session.issuer);
    if (!idp?.slo) return null;
    const profile: Profile = {
      issuer: idp.entityId,
      nameID: session.nameId,
      nameIDFormat: session.nameIdFormat,
      ...(session.nameQualifier ? { nameQualifier: session.nameQualifier } : {}),
      ...(session.spNameQualifier ? { spNameQualifier: session.spNameQualifier } : {}),
      ...(session.sessionIndex ? { sessionIndex: session.sessionIndex } : {}),
    };
    return this.saml(idp, 'saml-logout').getLogoutUrlAsync(profile, relayState, {});
  }

  /**
   * A LogoutRequest or LogoutResponse from an IdP on the HTTP-Redirect binding. For a request, returns
   * whom to sign out and the URL of our signed LogoutResponse.
   */
  async logoutMessage(query: Record<string, string>, originalQuery: string): Promise<{ kind: 'request'; nameId: string; sessionIndex: string | null; idp: string; responseUrl: string } | { kind: 'response'; relayState: string | null }> {
    const b64 = query.SAMLRequest ?? query.SAMLResponse;
    if (!b64) throw new SamlRejection('SAML_NO_MESSAGE', 'no SAMLRequest or SAMLResponse in the query');
    const { inflateRawSync } = await import('node:zlib');
    let xml: string;
    try {
      xml = inflateRawSync(Buffer.from(b64, 'base64')).toString('utf8');
    } catch {
      throw new SamlRejection('SAML_INVALID', 'logout message is not deflated base64');
    }
    const root = parseResponse(xml, ['LogoutRequest', 'LogoutResponse']);
    const issuer = textOf(childNs(root, SAML_NS, 'Issuer'));
    const idp = issuer ? this.registry.find(issuer) : null;
    if (!idp) throw new SamlRejection('IDP_UNKNOWN', `logout Issuer ${issuer ?? '(none)'} is not an IdP of the federation metadata`, issuer);
    // SAML bindings 3.4.4.1: a redirect message is signed in the query. node-saml would accept one
    // without a signature; an unsigned LogoutRequest would let anyone end someone's sessions.
    if (!query.Signature || !query.SigAlg) throw new SamlRejection('SAML_UNSIGNED_LOGOUT', 'logout message is not signed', idp.entityId);
    const saml = this.saml(idp, 'saml-logout');
    let result: { profile: Profile | null; loggedOut: boolean };
    try {
      result = await saml.validateRedirectAsync(query, originalQuery);
    } catch (e) {
      throw new SamlRejection('SAML_INVALID', (e as Error).message, issuer);
    }
    if (query.SAMLResponse) {
      const irt = root.getAttribute('InResponseTo');
      if (irt) await this.pending.take('saml-logout', irt, idp.entityId);
      return { kind: 'response', relayState: query.RelayState ?? null };
    }
    const p = result.profile!;
    const responseUrl = await saml.getLogoutResponseUrlAsync(p, query.RelayState ?? '', {}, true);
    return { kind: 'request', nameId: p.nameID, sessionIndex: p.sessionIndex ?? null, idp: idp.entityId, responseUrl };
  }
}

function parseResponse(xml: string, names = ['Response']): XElement {
  const errors: string[] = [];
  const doc = new DOMParser({ onError: (level, msg) => level !== 'warning' && errors.push(msg) }).parseFromString(xml, 'text/xml');
  const root = doc.documentElement;
  if (errors.length > 0 || !root) throw new SamlRejection('SAML_MALFORMED', `message is not well-formed XML: ${errors[0] ?? 'empty'}`);
  if (root.namespaceURI !== SAMLP || !names.includes(root.localName ?? '')) {
    throw new SamlRejection('SAML_MALFORMED', `expected samlp:${names.join(' or ')}, got ${root.nodeName}`);
  }
  return root;
}

function parseAssertion(xml: string): XElement {
  const root = new DOMParser().parseFromString(xml, 'text/xml').documentElement;
  if (!root || root.namespaceURI !== SAML_NS || root.localName !== 'Assertion') throw new SamlRejection('SAML_INVALID', 'no signed assertion');
  return root;
}

const childNs = (el: XElement, ns: string, name: string): XElement | null =>
  (Array.from(el.childNodes).find((n) => n.nodeType === 1 && (n as XElement).namespaceURI === ns && (n as XElement).localName === name) as XElement | undefined) ?? null;
const allNs = (el: XElement, ns: string, name: string): XElement[] => Array.from(el.getElementsByTagNameNS(ns, name));
const firstNs = (el: XElement, ns: string, name: string): XElement | null => allNs(el, ns, name)[0] ?? null;
const textOf = (el: XElement | null) => (el ? (el.textContent ?? '').trim() || null : null);

/**
 * Attribute values as strings. An eduPersonTargetedID value is a NameID element (SAML2 profile of
 * eduPerson): it becomes "NameQualifier!SPNameQualifier!value", its traditional string form.
 */
function readAttributes(assertion: XElement): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const attr of allNs(assertion, SAML_NS, 'Attribute')) {
    const name = attr.getAttribute('Name');
    if (!name) continue;
    const values = allNs(attr, SAML_NS, 'AttributeValue').map((v) => {
      const nameId = childNs(v, SAML_NS, 'NameID');
      if (nameId) return `${nameId.getAttribute('NameQualifier') ?? ''}!${nameId.getAttribute('SPNameQualifier') ?? ''}!${textOf(nameId) ?? ''}`;
      return (v.textContent ?? '').trim();
    });
    out[name] = [...(out[name] ?? []), ...values.filter(Boolean)];
    const friendly = attr.getAttribute('FriendlyName');
    if (friendly && !out[friendly]) out[friendly] = out[name];
  }
  return out;
}
