// Sign-in through a home organisation (SAML IdP or OIDC provider). The person's account is created at
// the first sign-in and refreshed at every one from what the IdP released; the institution follows
// from the scopes the IdP vouches for. Someone whose institution does not subscribe (or who lacks an
// entitlement or affiliation the institution requires) signs in all the same, but cannot book.
import { AppError, adminOnly, notFound } from '../domain/errors.ts';
import type { CallContext, Institution, UnitOfWork, User } from '../ports.ts';
import type { SessionStore } from './accounts.ts';

/** What an IdP said about a person, already normalised from SAML attributes or OIDC claims. */
export type FederatedProfile = {
  protocol: 'saml' | 'oidc';
  /** IdP entityID or OIDC issuer. */
  issuer: string;
  /** Stable identifier at that issuer (subject-id, pairwise-id, ePPN, ePTID, persistent NameID, sub). */
  subject: string;
  email: string | null;
  /**
   * Mail domains the issuer speaks for (a SAML IdP's shibmd:Scope; an OIDC provider's configured
   * mailDomains when it verified the address). Only an address there may link to an existing account.
   */
  mailDomains: string[];
  name: string | null;
  /** Domains that say where the person belongs, most specific first (scope of the id, schacHomeOrganization, affiliations). */
  homeDomains: string[];
  /** eduPersonScopedAffiliation values (member@unipd.it) and unscoped affiliations. */
  affiliations: string[];
  entitlements: string[];
  attributes: Record<string, unknown>;
};

export type InstitutionRequirement = { institutionId: string; requiredEntitlement: string | null; requiredAffiliation: string | null };

export interface ExternalIdentityStore {
  userFor(issuer: string, subject: string): Promise<string | null>;
  isLinked(userId: string): Promise<boolean>;
  /** Links or refreshes; false when (issuer, subject) already belongs to another user. */
  link(p: FederatedProfile, userId: string): Promise<boolean>;
}

export interface InstitutionRequirementStore {
  get(institutionId: string): Promise<InstitutionRequirement | null>;
  set(r: InstitutionRequirement): Promise<void>;
}

/** The IdP session behind a portal session, kept for single logout. */
export type FederatedSession = Record<string, unknown> & { protocol: 'saml' | 'oidc'; issuer: string };

export type FederatedSessionStore = SessionStore & {
  createFederated(userId: string, federated: FederatedSession): Promise<{ id: string; csrfToken: string }>;
};

export type SignInResult = { sessionId: string; csrfToken: string; user: User; institution: Institution | null; newUser: boolean };

const requireAdmin = (ctx: CallContext) => {
  if (ctx.actor.role !== 'admin') throw adminOnly();
};

const normaliseDomain = (d: string) => d.trim().toLowerCase().replace(/^@/, '');

/** Is the address in one of the domains (exactly, or in a subdomain)? */
export function mailWithin(email: string, domains: string[]): boolean {
  const at = email.lastIndexOf('@');
  if (at < 1) return false;
  const domain = normaliseDomain(email.slice(at + 1));
  return domains.map(normaliseDomain).some((s) => s !== '' && (domain === s || domain.endsWith(`.${s}`)));
}

/**
 * The institution whose scopes contain one of the domains, exactly or as a parent domain; for each
 * domain (most trusted first) the most specific scope wins (fisica.unipd.it before unipd.it).
 */
export function matchInstitution(institutions: Institution[], domains: string[]): Institution | null {
  for (const raw of domains) {
    const d = normaliseDomain(raw);
    let best: { institution: Institution; length: number } | null = null;
    for (const i of institutions) {
      for (const s of i.scopes) {
        if ((d === s || d.endsWith(`.${s}`)) && s.length > (best?.length ?? -1)) best = { institution: i, length: s.length };
      }
    }
    if (best) return best.institution;
  }
  return null;
}

/** Does the person meet the institution's extra requirement? An affiliation matches with or without scope. */
export function meetsRequirement(req: InstitutionRequirement | null, p: Pick<FederatedProfile, 'affiliations' | 'entitlements'>): boolean {
  if (!req) return true;
  if (req.requiredEntitlement && !p.entitlements.includes(req.requiredEntitlement)) return false;
  if (req.requiredAffiliation) {
    const want = req.requiredAffiliation.toLowerCase();
    const has = p.affiliations.some((a) => a.toLowerCase() === want || a.toLowerCase().split('@')[0] === want);
    if (!has) return false;
  }
  return true;
}

export class FederatedSignInService {
  private readonly uow: UnitOfWork;
  private readonly identities: ExternalIdentityStore;
  private readonly requirements: InstitutionRequirementStore;
  private readonly sessions: FederatedSessionStore;

  constructor(deps: { uow: UnitOfWork; identities: ExternalIdentityStore; requirements: InstitutionRequirementStore; sessions: FederatedSessionStore }) {
    this.uow = deps.uow;
    this.identities = deps.identities;
    this.requirements = deps.requirements;
    this.sessions = deps.sessions;
  }

  async getRequirement(ctx: CallContext, institutionId: string): Promise<InstitutionRequirement | null> {
    requireAdmin(ctx);
    return this.requirements.get(institutionId);
  }

  async setRequirement(ctx: CallContext, req: InstitutionRequirement): Promise<void> {
    requireAdmin(ctx);
    // The requirement store is not part of the unit of work (PGlite has one connection): no transaction here.
    if (!(await this.uow.repos.institutions.findById(req.institutionId))) throw notFound('INSTITUTION_NOT_FOUND', 'No institution with this id exists.', { it: 'Non esiste un ente con questo id.' });
    const before = await this.requirements.get(req.institutionId);
    await this.requirements.set(req);
    await this.uow.repos.audit.record({ actorId: ctx.actor.userId, action: 'institution.requirements.updated', entity: 'institution', entityId: req.institutionId, before, after: req, requestId: ctx.requestId });
  }

  async signIn(p: FederatedProfile, session: FederatedSession, requestId?: string): Promise<SignInResult> {
    if (!p.email) {
      throw new AppError('forbidden', 'EMAIL_NOT_RELEASED', 'Your institution did not send your e-mail address. Ask its identity service to release the "mail" attribute to WebMeetings.', {}, { it: 'Il tuo ente non ha inviato il tuo indirizzo e-mail. Chiedi al suo servizio di identità di rilasciare l’attributo "mail" a WebMeetings.' });
    }
    const email = p.email.trim();
    const name = (p.name ?? email).slice(0, 200);
    const institutions = await this.uow.repos.institutions.list();
    const candidate = matchInstitution(institutions, p.homeDomains);
    const institution = candidate && meetsRequirement(await this.requirements.get(candidate.id), p) ? candidate : null;

    const linkedId = await this.identities.userFor(p.issuer, p.subject);
    // An account an administrator created ahead (same e-mail, no password, no other IdP) is taken
    // over at its first federated sign-in; any other account with that e-mail is not. Every IdP of a
    // federation is trusted to sign, not to speak for other organisations' addresses: only an IdP
    // whose scope holds the address's domain may link it, or any IdP could claim anyone's account.
    const byEmail = linkedId ? null : await this.uow.repos.users.findByEmail(email);
    if (byEmail && (byEmail.passwordHash || byEmail.role === 'admin' || (await this.identities.isLinked(byEmail.id)))) {
      throw new AppError('conflict', 'EMAIL_IN_USE', `Another WebMeetings account already uses ${email}. Ask an administrator to merge the accounts.`, {}, { it: `Un altro account di WebMeetings usa già ${email}. Chiedi a un amministratore di unire gli account.` });
    }
    if (byEmail && !mailWithin(email, p.mailDomains)) {
      throw new AppError(
        'conflict',
        'EMAIL_OUTSIDE_IDP_SCOPE',
        `A WebMeetings account for ${email} exists, but your sign-in service (${p.issuer}) does not speak for addresses at ${email.slice(email.lastIndexOf('@') + 1)}, so it was not linked to you. Sign in through the institution of that address, or ask an administrator.`,
        {},
        { it: `Esiste un account di WebMeetings per ${email}, ma il tuo servizio di accesso (${p.issuer}) non garantisce gli indirizzi @${email.slice(email.lastIndexOf('@') + 1)}, quindi non è stato collegato a te. Accedi tramite l’ente di quell’indirizzo o chiedi a un amministratore.` },
      );
    }
    const { user, newUser } = await this.uow.transaction(async (r) => {
      const existing = linkedId ? await r.users.findById(linkedId) : byEmail ? await r.users.findById(byEmail.id) : null;
      if (!existing) {
        const created = await r.users.create({ email, name, role: 'member', institutionId: institution?.id ?? null, passwordHash: null });
        await r.audit.record({ actorId: created.id, action: 'user.created', entity: 'user', entityId: created.id, before: null, after: { ...created, via: p.issuer }, requestId });
        return { user: created, newUser: true };
      }
      if (existing.disabledAt) throw new AppError('forbidden', 'ACCOUNT_DISABLED', 'This account is disabled. Ask an administrator if you think it should not be.', {}, { it: 'Questo account è disattivato. Se pensi che non debba esserlo, chiedi a un amministratore.' });
      // Refreshed at every sign-in. Administrators keep the institution an administrator gave them;
      // a manager who no longer belongs to the institution they managed becomes a member.
      const institutionId = existing.role === 'admin' ? existing.institutionId : (institution?.id ?? null);
      const role = existing.role === 'institution-manager' && institutionId !== existing.institutionId ? 'member' : existing.role;
      const changed = existing.name !== name || existing.institutionId !== institutionId || existing.role !== role;
      const updated = changed ? ((await r.users.update(existing.id, { name, institutionId, role })) ?? existing) : existing;
      if (changed) await r.audit.record({ actorId: existing.id, action: 'user.updated', entity: 'user', entityId: existing.id, before: existing, after: updated, requestId });
      return { user: updated, newUser: false };
    });
    if (!(await this.identities.link(p, user.id))) {
      throw new AppError('conflict', 'IDENTITY_IN_USE', 'This identity is already linked to another account. Try again; if it persists, ask an administrator.', {}, { it: 'Questa identità è già collegata a un altro account. Riprova; se il problema resta, chiedi a un amministratore.' });
    }
    const { id, csrfToken } = await this.sessions.createFederated(user.id, session);
    await this.uow.transaction(async (r) => {
      await r.users.touchLogin(user.id);
      await r.audit.record({ actorId: user.id, action: 'session.created', entity: 'user', entityId: user.id, before: null, after: { via: p.issuer, protocol: p.protocol }, requestId });
    });
    return { sessionId: id, csrfToken, user, institution: institution ?? null, newUser };
  }
}
