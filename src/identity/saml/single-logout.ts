// SAML single logout on the HTTP-Redirect binding (SAML profiles 4.4, bindings 3.4). node-saml checks
// the query signature, the Issuer and NotOnOrAfter; this file adds what it leaves to us: the query is
// read once and strictly (no repeated parameters), the message must be addressed to our SLO endpoint
// (Destination), a LogoutRequest must be recent (IssueInstant) and is acted on once (its id is
// remembered by the caller in PostgreSQL until it could no longer be accepted), and our answer goes
// only to the IdP's own SLO endpoint from the federation metadata.
import type { Profile } from '@node-saml/node-saml';
import { inflateRawSync } from 'node:zlib';
import type { IdentityProvider } from './federation-metadata.ts';
import { childNs, instantOf, parseMessage, SAML_NS, SamlRejection, textOf } from './messages.ts';
import type { ServiceProvider } from './service-provider.ts';

/** How old a LogoutRequest may be (IssueInstant), and so how long its id must be remembered. */
export const LOGOUT_REQUEST_MAX_AGE_MS = 10 * 60_000;
const MAX_MESSAGE_BYTES = 64 * 1024;
const PARAMS = ['SAMLRequest', 'SAMLResponse', 'RelayState', 'SigAlg', 'Signature'] as const;

export type FederatedSessionRef = { issuer: string; nameId: string; nameIdFormat: string; nameQualifier: string | null; spNameQualifier: string | null; sessionIndex: string | null };

/** A LogoutRequest to act on once: its id is remembered until `keepUntil`. */
export type LogoutRequestId = { issuer: string; id: string; keepUntil: Date };

export type IdpLogoutRequest = {
  kind: 'request';
  idp: IdentityProvider;
  request: LogoutRequestId;
  nameId: string;
  sessionIndex: string | null;
  /** Our signed LogoutResponse at the IdP's SLO endpoint; null when its metadata names none. */
  responseUrl: string | null;
};
export type IdpLogoutResponse = { kind: 'response'; idp: IdentityProvider; relayState: string | null };

export class SingleLogout {
  private readonly sp: ServiceProvider;
  constructor(sp: ServiceProvider) {
    this.sp = sp;
  }

  /** SP-initiated: the IdP's SLO URL with a signed LogoutRequest, or null if it has none. */
  async logoutUrl(session: FederatedSessionRef, relayState: string): Promise<string | null> {
    const idp = this.sp.registry.find(session.issuer);
    if (!idp?.slo) return null;
    const profile: Profile = {
      issuer: idp.entityId,
      nameID: session.nameId,
      nameIDFormat: session.nameIdFormat,
      ...(session.nameQualifier ? { nameQualifier: session.nameQualifier } : {}),
      ...(session.spNameQualifier ? { spNameQualifier: session.spNameQualifier } : {}),
      ...(session.sessionIndex ? { sessionIndex: session.sessionIndex } : {}),
    };
    return this.sp.saml(idp, 'saml-logout', { logoutUrl: idp.slo.location }).getLogoutUrlAsync(profile, relayState, {});
  }

  /** A LogoutRequest or LogoutResponse from an IdP; `rawQuery` is the query string as received. */
  async receive(rawQuery: string): Promise<IdpLogoutRequest | IdpLogoutResponse> {
    const { values, signed } = readQuery(rawQuery);
    const b64 = values.SAMLRequest ?? values.SAMLResponse;
    if (!b64) throw new SamlRejection('SAML_NO_MESSAGE', 'no SAMLRequest or SAMLResponse in the query');
    let xml: string;
    try {
      xml = inflateRawSync(Buffer.from(b64, 'base64'), { maxOutputLength: MAX_MESSAGE_BYTES }).toString('utf8');
    } catch {
      throw new SamlRejection('SAML_INVALID', 'logout message is not deflated base64 (or is too large)');
    }
    const root = parseMessage(xml, [values.SAMLRequest ? 'LogoutRequest' : 'LogoutResponse']);
    const issuer = textOf(childNs(root, SAML_NS, 'Issuer'));
    const idp = issuer ? this.sp.registry.find(issuer) : null;
    if (!idp) throw new SamlRejection('IDP_UNKNOWN', `logout Issuer ${issuer ?? '(none)'} is not an IdP of the federation metadata`, issuer);
    // SAML bindings 3.4.4.1: a redirect message is signed in the query. node-saml would accept one
    // without a signature; an unsigned LogoutRequest would let anyone end someone's sessions.
    if (!values.Signature || !values.SigAlg) throw new SamlRejection('SAML_UNSIGNED_LOGOUT', 'logout message is not signed', idp.entityId);
    // SAML bindings 3.4.5.2: a signed message names where it was sent; a message for another SP's
    // endpoint (signed by the same IdP) must not act here.
    const destination = root.getAttribute('Destination');
    if (destination !== this.sp.o.sloUrl) {
      throw new SamlRejection('SAML_WRONG_DESTINATION', `logout Destination ${destination ?? '(none)'} is not our SLO endpoint ${this.sp.o.sloUrl}`, idp.entityId);
    }
    const id = root.getAttribute('ID');
    if (!id) throw new SamlRejection('SAML_MALFORMED', 'logout message has no ID', idp.entityId);
    const keepUntil = values.SAMLRequest ? this.requestLifetime(root, idp) : null;
    let profile: Profile | null;
    try {
      ({ profile } = await this.sp.saml(idp, 'saml-logout').validateRedirectAsync(values, signed));
    } catch (e) {
      throw new SamlRejection('SAML_INVALID', (e as Error).message, idp.entityId);
    }
    if (!keepUntil) {
      const irt = root.getAttribute('InResponseTo');
      if (irt) await this.sp.pending.take('saml-logout', irt, idp.entityId);
      return { kind: 'response', idp, relayState: values.RelayState ?? null };
    }
    if (!profile) throw new SamlRejection('SAML_INVALID', 'LogoutRequest carried no NameID', idp.entityId);
    // SAML profiles 4.4.4.2: the LogoutResponse goes to the requester's SingleLogoutService
    // (its ResponseLocation when given). Only the metadata says where that is.
    const endpoint = idp.slo ? (idp.slo.responseLocation ?? idp.slo.location) : null;
    const responseUrl = endpoint ? await this.sp.saml(idp, 'saml-logout', { logoutUrl: endpoint }).getLogoutResponseUrlAsync(profile, values.RelayState ?? '', {}, true) : null;
    return { kind: 'request', idp, request: { issuer: idp.entityId, id, keepUntil }, nameId: profile.nameID, sessionIndex: profile.sessionIndex ?? null, responseUrl };
  }

  /**
   * A LogoutRequest is taken only while recent (IssueInstant) and not expired (NotOnOrAfter), so its
   * id needs remembering only until the earlier of the two limits: past that a replay is refused
   * by the clock.
   */
  private requestLifetime(root: Parameters<typeof instantOf>[0], idp: IdentityProvider): Date {
    const skew = this.sp.o.clockSkewMs;
    const now = Date.now();
    const issued = instantOf(root, 'IssueInstant');
    if (issued === null) throw new SamlRejection('SAML_MALFORMED', 'LogoutRequest has no IssueInstant', idp.entityId);
    if (issued > now + skew) throw new SamlRejection('SAML_INVALID', `LogoutRequest IssueInstant ${new Date(issued).toISOString()} is in the future`, idp.entityId);
    if (issued + LOGOUT_REQUEST_MAX_AGE_MS + skew <= now) {
      throw new SamlRejection('SAML_STALE_LOGOUT', `LogoutRequest was issued at ${new Date(issued).toISOString()}, more than ${LOGOUT_REQUEST_MAX_AGE_MS / 60_000} minutes ago`, idp.entityId);
    }
    const notOnOrAfter = instantOf(root, 'NotOnOrAfter') ?? Infinity;
    return new Date(Math.min(notOnOrAfter, issued + LOGOUT_REQUEST_MAX_AGE_MS) + skew);
  }
}

/**
 * The binding's parameters, each at most once (a repeated one could make the signature check and the
 * message read disagree), and the signed part exactly as received (bindings 3.4.4.1: the
 * URL-encoded "SAMLRequest=…&RelayState=…&SigAlg=…", in that order).
 */
function readQuery(rawQuery: string): { values: Record<string, string>; signed: string } {
  const tokens = new Map<string, string>();
  for (const token of rawQuery.split('&')) {
    const name = token.split('=')[0] ?? '';
    if (!(PARAMS as readonly string[]).includes(name)) continue;
    if (tokens.has(name)) throw new SamlRejection('SAML_MALFORMED', `the query repeats ${name}`);
    tokens.set(name, token);
  }
  if (tokens.has('SAMLRequest') && tokens.has('SAMLResponse')) throw new SamlRejection('SAML_MALFORMED', 'the query has both SAMLRequest and SAMLResponse');
  const values: Record<string, string> = {};
  for (const [name, token] of tokens) values[name] = new URLSearchParams(token).get(name) ?? '';
  const signed = ['SAMLRequest', 'SAMLResponse', 'RelayState', 'SigAlg'].map((n) => tokens.get(n)).filter((t): t is string => t !== undefined);
  return { values, signed: signed.join('&') };
}
