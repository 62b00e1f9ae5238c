// The SAML 2.0 service provider (Web Browser SSO profile, SAML profiles 4.1) on @node-saml/node-saml.
// node-saml verifies signatures, conditions, audience and InResponseTo; this file adds what it leaves
// to the application (see shared/reference/saml-sp-notes.md): the IdP is chosen by the Issuer and
// only that IdP's certificates are trusted, Destination and Recipient must be our ACS, each assertion
// id is used once (PostgreSQL), pending request ids are ours (PostgreSQL), and only responses to
// requests we sent are taken (no IdP-initiated sign-in).
import { randomBytes } from 'node:crypto';
import type { Element as XElement } from '@xmldom/xmldom';
import { SAML, ValidateInResponseTo, type Profile } from '@node-saml/node-saml';
import type { ConsumedAssertions, PendingKind, PendingRequests } from '../pending-requests.ts';
import type { FederationRegistry } from './federation-registry.ts';
import type { IdentityProvider } from './federation-metadata.ts';
import { allNs, childNs, firstNs, parseAssertion, parseMessage, SAML_NS, SamlRejection, textOf } from './messages.ts';

export { SamlRejection } from './messages.ts';

export type SpOptions = {
  entityId: string;
  acsUrl: string;
  sloUrl: string;
  privateKeyPem: string;
  certPem: string;
  /** Key rollover: the next certificate (published) and its key (also decrypts) when configured. */
  nextCertPem: string | null;
  nextPrivateKeyPem: string | null;
  clockSkewMs: number;
  wantResponseSigned: boolean;
};

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
  readonly registry: FederationRegistry;
  readonly pending: PendingRequests;
  private readonly consumed: ConsumedAssertions;

  constructor(o: SpOptions, deps: { registry: FederationRegistry; pending: PendingRequests; consumed: ConsumedAssertions }) {
    this.o = o;
    this.registry = deps.registry;
    this.pending = deps.pending;
    this.consumed = deps.consumed;
  }

  /**
   * node-saml for one IdP: only its certificates are trusted. `logoutUrl` is where logout messages
   * go (the IdP's SLO endpoint from the metadata; never anything else).
   */
  saml(idp: IdentityProvider, kind: PendingKind = 'saml', over: { decryptionPvk?: string; logoutUrl?: string } = {}): SAML {
    return new SAML({
      issuer: this.o.entityId,
      callbackUrl: this.o.acsUrl,
      logoutCallbackUrl: this.o.sloUrl,
      entryPoint: idp.ssoRedirect ?? undefined,
      logoutUrl: over.logoutUrl ?? idp.slo?.location ?? '',
      idpCert: idp.signingCerts,
      idpIssuer: idp.entityId,
      privateKey: this.o.privateKeyPem,
      decryptionPvk: over.decryptionPvk ?? this.o.privateKeyPem,
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
    const response = parseMessage(xml);
    const issuer = textOf(childNs(response, SAML_NS, 'Issuer')) ?? textOf(firstNs(response, SAML_NS, 'Issuer'));
    if (!issuer) throw new SamlRejection('SAML_NO_ISSUER', 'response has no Issuer');
    const answers = response.getAttribute('InResponseTo');
    // IdP-initiated ("unsolicited", SAML profiles 4.1.5) sign-in is not accepted: without a request
    // of ours there is nothing binding the response to this browser, so anyone holding one could
    // push it into someone else's browser (login CSRF), and a stolen one could be replayed until it
    // expires wherever the assertion id was not yet seen.
    if (!answers) throw new SamlRejection('SAML_UNSOLICITED', `unsolicited (IdP-initiated) response from ${issuer}: no InResponseTo; sign-in must start at the portal`, issuer);
    if (browserRequests && !browserRequests.includes(answers)) {
      throw new SamlRejection('SAML_OTHER_BROWSER', `InResponseTo ${answers} was not started in this browser`, issuer);
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
    const profile = await this.validate(idp, samlResponse, allNs(response, SAML_NS, 'EncryptedAssertion').length > 0);
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
    if (!(await this.pending.take('saml', answers, issuer))) {
      throw new SamlRejection('SAML_UNKNOWN_REQUEST', `InResponseTo ${answers} is not a pending request of this IdP`, issuer);
    }
    return {
      idp,
      requestId: answers,
      nameId: profile.nameID,
      nameIdFormat: profile.nameIDFormat,
      nameQualifier: profile.nameQualifier ?? null,
      spNameQualifier: profile.spNameQualifier ?? null,
      sessionIndex: profile.sessionIndex ?? null,
      attributes: readAttributes(assertion),
      relayState,
    };
  }

  /**
   * node-saml's checks of the signatures, conditions, audience and InResponseTo. During a key
   * rollover an IdP may have encrypted to the next certificate: that key is tried second.
   */
  private async validate(idp: IdentityProvider, samlResponse: string, encrypted: boolean): Promise<Profile | null> {
    const attempt = async (decryptionPvk: string) => (await this.saml(idp, 'saml', { decryptionPvk }).validatePostResponseAsync({ SAMLResponse: samlResponse })).profile;
    try {
      return await attempt(this.o.privateKeyPem);
    } catch (e) {
      if (!(encrypted && this.o.nextPrivateKeyPem)) throw new SamlRejection('SAML_INVALID', (e as Error).message, idp.entityId);
      try {
        return await attempt(this.o.nextPrivateKeyPem);
      } catch (next) {
        throw new SamlRejection('SAML_INVALID', `${(e as Error).message}; with the next key: ${(next as Error).message}`, idp.entityId);
      }
    }
  }
}

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
