// OpenID Connect relying party on openid-client: authorization code flow with PKCE (RFC 7636, S256)
// plus state and nonce. The state row (verifier, nonce) lives in PostgreSQL so the callback may reach
// any instance, and it is deleted on first use.
import * as client from 'openid-client';
import type { OidcProviderConfig } from '../../config.ts';
import type { FederatedProfile } from '../../app/federated-sign-in.ts';
import type { PendingRequests } from '../pending-requests.ts';

export class OidcRejection extends Error {
  readonly code: string;
  constructor(code: string, reason: string) {
    super(reason);
    this.code = code;
  }
}

export type OidcProviderInfo = { id: string; name: string };

export class OidcRelyingParty {
  private readonly providers: Map<string, OidcProviderConfig>;
  private readonly configs = new Map<string, Promise<client.Configuration>>();
  private readonly pending: PendingRequests;
  private readonly callbackBase: string;
  private readonly allowHttp: boolean;

  constructor(providers: OidcProviderConfig[], deps: { pending: PendingRequests; publicUrl: string; allowHttp: boolean }) {
    this.providers = new Map(providers.map((p) => [p.id, p]));
    this.pending = deps.pending;
    this.callbackBase = deps.publicUrl.replace(/\/$/, '');
    this.allowHttp = deps.allowHttp;
  }

  list(): OidcProviderInfo[] {
    return [...this.providers.values()].map((p) => ({ id: p.id, name: p.name }));
  }

  callbackUrl(id: string) {
    return `${this.callbackBase}/auth/oidc/${id}/callback`;
  }

  private provider(id: string): OidcProviderConfig {
    const p = this.providers.get(id);
    if (!p) throw new OidcRejection('OIDC_PROVIDER_UNKNOWN', `no OIDC provider "${id}" is configured`);
    return p;
  }

  /** Discovery (OpenID Connect Discovery 1.0) once per provider; retried after a failure. */
  private config(id: string): Promise<client.Configuration> {
    const p = this.provider(id);
    let c = this.configs.get(id);
    if (!c) {
      const auth = p.clientSecret ? client.ClientSecretBasic(p.clientSecret) : client.None();
      c = client.discovery(new URL(p.issuer), p.clientId, undefined, auth, this.allowHttp ? { execute: [client.allowInsecureRequests] } : undefined);
      c.catch(() => this.configs.delete(id));
      this.configs.set(id, c);
    }
    return c;
  }

  async authorizationUrl(id: string, returnTo: string): Promise<string> {
    const config = await this.config(id);
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    await this.pending.save('oidc', state, id, { verifier, nonce, returnTo });
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.callbackUrl(id),
      scope: this.provider(id).scope,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return url.href;
  }

  /** Exchanges the code (with the PKCE verifier) and returns the person's claims as a profile. */
  async callback(id: string, currentUrl: URL): Promise<{ profile: FederatedProfile; returnTo: string; issuer: string; idToken: string | undefined }> {
    const config = await this.config(id);
    const state = currentUrl.searchParams.get('state');
    const pending = state ? await this.pending.take('oidc', state, id) : null;
    if (!pending) throw new OidcRejection('OIDC_UNKNOWN_STATE', `state ${state ?? '(none)'} is not a pending sign-in with ${id}`);
    const { verifier, nonce, returnTo } = pending.data as { verifier: string; nonce: string; returnTo: string };
    // The callback URL as the provider saw it (behind a proxy the request URL may differ).
    const seen = new URL(this.callbackUrl(id));
    seen.search = currentUrl.search;
    let tokens;
    try {
      tokens = await client.authorizationCodeGrant(config, seen, { pkceCodeVerifier: verifier, expectedState: state!, expectedNonce: nonce, idTokenExpected: true });
    } catch (e) {
      throw new OidcRejection('OIDC_INVALID', (e as Error).message);
    }
    const claims = tokens.claims();
    if (!claims) throw new OidcRejection('OIDC_INVALID', 'no ID token');
    let info: Record<string, unknown> = {};
    if (tokens.access_token && config.serverMetadata().userinfo_endpoint) {
      info = (await client.fetchUserInfo(config, tokens.access_token, claims.sub)) as Record<string, unknown>;
    }
    const all: Record<string, unknown> = { ...info, ...claims };
    return { profile: profileFromClaims(config.serverMetadata().issuer, all, this.provider(id).mailDomains), returnTo, issuer: config.serverMetadata().issuer, idToken: tokens.id_token };
  }
}

const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);

/**
 * Claims to the same profile as SAML attributes. Standard claims (OIDC Core 5.1) plus the REFEDS/
 * GÉANT "OpenID Connect for Research and Education" claims (eduperson_*, schac_home_organization).
 */
export function profileFromClaims(issuer: string, c: Record<string, unknown>, mailDomains: string[] = []): FederatedProfile {
  const eppn = str(c.eduperson_principal_name);
  const scoped = strs(c.eduperson_scoped_affiliation);
  const home = str(c.schac_home_organization);
  const email = c.email_verified === false ? null : str(c.email);
  return {
    protocol: 'oidc',
    issuer,
    subject: String(c.sub),
    email,
    // OIDC Core 5.1: an unverified address proves nothing about its owner.
    mailDomains: c.email_verified === true ? mailDomains : [],
    name: str(c.name) ?? ([str(c.given_name), str(c.family_name)].filter(Boolean).join(' ') || null),
    homeDomains: [eppn?.split('@')[1] ?? null, home, ...scoped.map((s) => s.split('@')[1] ?? null)].filter((d): d is string => !!d),
    affiliations: [...scoped, ...strs(c.eduperson_affiliation)],
    entitlements: strs(c.eduperson_entitlement),
    attributes: Object.fromEntries(
      ['sub', 'email', 'name', 'given_name', 'family_name', 'eduperson_principal_name', 'eduperson_scoped_affiliation', 'schac_home_organization', 'eduperson_entitlement']
        .filter((k) => c[k] !== undefined)
        .map((k) => [k, c[k]]),
    ),
  };
}
