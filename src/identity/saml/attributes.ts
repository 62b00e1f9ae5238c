// SAML attributes → the federated profile. Names are the urn:oid: / urn:oasis: ones federations send
// (REFEDS "SAML2 Attribute Profile", eduPerson 202208, SCHAC 1.6, OASIS SAML V2.0 Subject
// Identifier Attributes Profile); FriendlyNames are accepted too.
import type { FederatedProfile } from '../../app/federated-sign-in.ts';
import type { IdentityProvider } from './federation-metadata.ts';
import type { SamlLogin } from './service-provider.ts';

export const OID = {
  subjectId: 'urn:oasis:names:tc:SAML:attribute:subject-id',
  pairwiseId: 'urn:oasis:names:tc:SAML:attribute:pairwise-id',
  eppn: 'urn:oid:1.3.6.1.4.1.5923.1.1.1.6',
  eptid: 'urn:oid:1.3.6.1.4.1.5923.1.1.1.10',
  mail: 'urn:oid:0.9.2342.19200300.100.1.3',
  displayName: 'urn:oid:2.16.840.1.113730.3.1.241',
  givenName: 'urn:oid:2.5.4.42',
  sn: 'urn:oid:2.5.4.4',
  schacHomeOrganization: 'urn:oid:1.3.6.1.4.1.25178.1.2.9',
  scopedAffiliation: 'urn:oid:1.3.6.1.4.1.5923.1.1.1.9',
  affiliation: 'urn:oid:1.3.6.1.4.1.5923.1.1.1.1',
  entitlement: 'urn:oid:1.3.6.1.4.1.5923.1.1.1.7',
} as const;

const FRIENDLY: Record<keyof typeof OID, string> = {
  subjectId: 'subject-id',
  pairwiseId: 'pairwise-id',
  eppn: 'eduPersonPrincipalName',
  eptid: 'eduPersonTargetedID',
  mail: 'mail',
  displayName: 'displayName',
  givenName: 'givenName',
  sn: 'sn',
  schacHomeOrganization: 'schacHomeOrganization',
  scopedAffiliation: 'eduPersonScopedAffiliation',
  affiliation: 'eduPersonAffiliation',
  entitlement: 'eduPersonEntitlement',
};

const PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';

export type MappingResult = { profile: FederatedProfile; dropped: string[] };

/**
 * A scoped value (user@scope) counts only if its scope is one the IdP's metadata declares
 * (shibmd:Scope): an IdP must not speak for another organisation's people. Dropped values are
 * returned for the log.
 */
export function profileFromSaml(login: SamlLogin): MappingResult {
  const a = login.attributes;
  const get = (k: keyof typeof OID) => a[OID[k]] ?? a[FRIENDLY[k]] ?? [];
  const first = (k: keyof typeof OID) => get(k)[0]?.trim() || null;
  const dropped: string[] = [];
  const inScope = (idp: IdentityProvider, value: string, what: string) => {
    const scope = value.split('@')[1]?.toLowerCase();
    if (!scope) return false;
    const ok = idp.scopes.some((s) => scope === s || scope.endsWith(`.${s}`));
    if (!ok) dropped.push(`${what} ${value}: scope not declared by ${idp.entityId}`);
    return ok;
  };
  const scoped = (k: keyof typeof OID) => get(k).filter((v) => inScope(login.idp, v, FRIENDLY[k]));

  const subjectId = scoped('subjectId')[0];
  const pairwiseId = scoped('pairwiseId')[0];
  const eppn = scoped('eppn')[0];
  const eptid = first('eptid');
  const persistent = login.nameIdFormat === PERSISTENT ? login.nameId : null;
  const subject = subjectId ?? pairwiseId ?? eppn ?? eptid ?? persistent;

  const org = first('schacHomeOrganization');
  const homeOrg = org && login.idp.scopes.some((s) => org.toLowerCase() === s || org.toLowerCase().endsWith(`.${s}`)) ? org : null;
  if (org && !homeOrg) dropped.push(`schacHomeOrganization ${org}: not declared by ${login.idp.entityId}`);
  const affiliations = scoped('scopedAffiliation');
  const given = first('givenName');
  const sn = first('sn');
  const name = first('displayName') ?? ([given, sn].filter(Boolean).join(' ') || null);
  const idScope = (subjectId ?? eppn)?.split('@')[1] ?? null;

  return {
    dropped,
    profile: {
      protocol: 'saml',
      issuer: login.idp.entityId,
      subject: subject ?? '',
      email: first('mail'),
      mailDomains: login.idp.scopes,
      name,
      homeDomains: [idScope, homeOrg, ...affiliations.map((v) => v.split('@')[1] ?? null)].filter((d): d is string => !!d),
      affiliations: [...affiliations, ...get('affiliation')],
      entitlements: get('entitlement'),
      attributes: Object.fromEntries(Object.entries(FRIENDLY).map(([k, f]) => [f, get(k as keyof typeof OID)]).filter(([, v]) => (v as string[]).length > 0)),
    },
  };
}
