// Builds the federated sign-in (SAML SP with its federation registry, OIDC relying party) from the
// configuration; portal.ts starts and stops it, the identity routes use it.
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import { FederatedSignInService } from '../app/federated-sign-in.ts';
import type { UnitOfWork } from '../ports.ts';
import { PgExternalIdentityStore, PgInstitutionRequirementStore } from './external-identities.ts';
import { ConsumedAssertions, PendingRequests } from './pending-requests.ts';
import { PgSessionStore } from './session-store.ts';
import type { Notices } from '../db/notices.ts';
import type { CredentialCache } from './credential-cache.ts';
import { FederationRegistry } from './saml/federation-registry.ts';
import { ServiceProvider } from './saml/service-provider.ts';
import { SingleLogout } from './saml/single-logout.ts';
import { spMetadataXml } from './saml/sp-metadata.ts';
import { OidcRelyingParty } from './oidc/relying-party.ts';

export type Identity = {
  saml: { sp: ServiceProvider; slo: SingleLogout; registry: FederationRegistry; metadataXml: string } | null;
  oidc: OidcRelyingParty | null;
  federated: FederatedSignInService;
  sessions: PgSessionStore;
  requirements: PgInstitutionRequirementStore;
  publicUrl: string;
  cookieSecure: boolean;
  sessionHours: number;
  start(): Promise<void>;
  stop(): Promise<void>;
};

/** `instance`: the running portal's credential cache and notices (see buildServices in portal.ts). */
export function buildIdentity(config: Config, database: Database, uow: UnitOfWork, logger: Logger, instance: { credentials?: CredentialCache; notices: Notices }): Identity {
  const db = database.db;
  const publicUrl = config.publicUrl.replace(/\/$/, '');
  const pending = new PendingRequests(db);
  const sessions = new PgSessionStore(db, config.session, instance.credentials, instance.notices.send);
  const requirements = new PgInstitutionRequirementStore(db);
  const federated = new FederatedSignInService({ uow, identities: new PgExternalIdentityStore(db), requirements, sessions });
  let saml: Identity['saml'] = null;
  if (config.saml) {
    const s = config.saml;
    const registry = new FederationRegistry(
      db,
      { sources: s.metadataSources, federationCertPem: s.federationCertPem, refreshMinutes: s.refreshMinutes, pollSeconds: s.pollSeconds },
      logger.child({ module: 'saml-metadata' }),
    );
    const spOptions = {
      entityId: s.entityId,
      acsUrl: `${publicUrl}/auth/saml/acs`,
      sloUrl: `${publicUrl}/auth/saml/slo`,
      privateKeyPem: s.spKeyPem,
      certPem: s.spCertPem,
      nextCertPem: s.nextCertPem,
      nextPrivateKeyPem: s.nextKeyPem,
      clockSkewMs: s.clockSkewSeconds * 1000,
      wantResponseSigned: s.wantResponseSigned,
    };
    const sp = new ServiceProvider(spOptions, { registry, pending, consumed: new ConsumedAssertions(db) });
    const metadataXml = spMetadataXml(spOptions, {
      names: { it: 'WebMeetings: prenotazione di stanze virtuali', en: 'WebMeetings: virtual meeting room booking' },
      descriptions: { it: 'Prenota stanze per riunioni in videoconferenza.', en: 'Book rooms for web-conference meetings.' },
      informationUrl: `${publicUrl}/`,
      privacyStatementUrl: s.privacyStatementUrl,
      organization: s.organization,
      contactEmail: s.contactEmail,
      securityContactEmail: s.securityContactEmail,
    });
    // Federations (IDEM, eduGAIN) refuse SP metadata without a technical contact.
    if (!s.contactEmail) logger.warn({ event: 'saml.metadata.no-contact' }, 'SAML_SP_CONTACT_EMAIL is not set: the SP metadata has no technical contact, which federations require');
    saml = { sp, slo: new SingleLogout(sp), registry, metadataXml };
  }
  const oidc = config.oidc.providers.length > 0 ? new OidcRelyingParty(config.oidc.providers, { pending, publicUrl, allowHttp: config.oidc.allowHttp }) : null;
  return {
    saml,
    oidc,
    federated,
    sessions,
    requirements,
    publicUrl,
    cookieSecure: config.cookieSecure,
    sessionHours: config.session.absoluteHours,
    async start() {
      await saml?.registry.start();
    },
    async stop() {
      await saml?.registry.stop();
    },
  };
}
