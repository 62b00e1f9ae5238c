// People management without the API: administrators add people, send them a link to choose a
// password (or reset it) and disable accounts; institution managers invite members of their own
// institution; anyone may ask for a "forgot password" link. A link's secret exists only in the
// mail (or, with no mail server, in the one answer to the administrator): the database keeps its
// hash, and using it is decided in the transaction that sets the password.
import type { Actor, Role } from '../domain/access.ts';
import { AppError, forbidden, notFound } from '../domain/errors.ts';
import { checkPassword } from '../domain/password-policy.ts';
import type { CallContext, Clock, Locale, PasswordLinkPurpose, PasswordLinkTarget, Repositories, UnitOfWork, User } from '../ports.ts';
import type { PasswordHasher, PortalSettings } from './accounts.ts';

/** The queue of password-link mails: the worker makes the link, mails it, and keeps only its hash. */
export const PASSWORD_MAIL_QUEUE = 'password-link-mail';
export type PasswordMailJob =
  | { kind: 'issued'; userId: string; purpose: PasswordLinkPurpose; createdBy: string | null }
  | { kind: 'forgot'; account: string }
  /** The notice that the password changed (signed in, or through a reset link), to the account's own address. */
  | { kind: 'changed'; userId: string; at: string };
export type PasswordLinkJob = Exclude<PasswordMailJob, { kind: 'changed' }>;

/** The notice that a password changed: if it was not the person, the mail says how to take the account back. */
export type PasswordChangedMail = { to: string; name: string; locale: Locale | null; at: Date; forgotUrl: string };

/** A link ready to be mailed: the worker sends it, or drops it when the send fails. */
export type PasswordLinkMail = { linkId: string; to: string; name: string; locale: Locale | null; purpose: PasswordLinkPurpose; url: string; expiresAt: Date };

export type PasswordLinkPolicy = { resetMinutes: number; invitationHours: number; perAccountPerHour: number; perAddressPerHour: number };

export type NewPerson = { email: string; name: string; role: Role; institutionId: string | null; locale: Locale | null; password?: string | undefined };

export type IssuedLink = { delivery: 'mail'; expiresAt: Date } | { delivery: 'shown'; url: string; expiresAt: Date };

export interface LinkSecrets {
  /** A new random secret, URL-safe. */
  create(): string;
  /** What is stored of it. */
  hash(secret: string): string;
}

const HOUR = 3_600_000;

export class PeopleService {
  private readonly uow: UnitOfWork;
  private readonly hasher: PasswordHasher;
  private readonly clock: Clock;
  private readonly secrets: LinkSecrets;
  private readonly policy: PasswordLinkPolicy;
  private readonly publicUrl: string;
  private readonly mailConfigured: boolean;
  private readonly settings: PortalSettings | undefined;

  constructor(deps: {
    uow: UnitOfWork;
    hasher: PasswordHasher;
    clock: Clock;
    secrets: LinkSecrets;
    policy: PasswordLinkPolicy;
    publicUrl: string;
    mailConfigured: boolean;
    settings?: PortalSettings;
  }) {
    this.uow = deps.uow;
    this.hasher = deps.hasher;
    this.clock = deps.clock;
    this.secrets = deps.secrets;
    this.policy = deps.policy;
    this.publicUrl = deps.publicUrl.replace(/\/$/, '');
    this.mailConfigured = deps.mailConfigured;
    this.settings = deps.settings;
  }

  /** Administrators add anyone; an institution manager invites members of their own institution. */
  async createUser(ctx: CallContext, input: NewPerson): Promise<User> {
    const { actor } = ctx;
    let institutionId = input.institutionId;
    if (actor.role === 'institution-manager') {
      if (!actor.institutionId) throw forbidden('NO_INSTITUTION', 'You manage no institution, so you cannot invite anyone.', { it: 'Non sei referente di alcun ente, quindi non puoi invitare nessuno.' });
      institutionId ??= actor.institutionId;
      if (institutionId !== actor.institutionId) throw forbidden('OWN_INSTITUTION_ONLY', 'Institution managers invite people only to their own institution.', { it: 'I referenti di ente invitano persone solo nel proprio ente.' });
      if (input.role !== 'member') throw forbidden('MEMBERS_ONLY', 'Institution managers invite members; an administrator assigns other roles.', { it: 'I referenti di ente invitano membri; gli altri ruoli li assegna un amministratore.' });
      if (input.password !== undefined) throw forbidden('ADMIN_ONLY', 'Only administrators set a password for someone; send an invitation link instead.', { it: 'Solo gli amministratori impostano la password di un’altra persona; invia invece un link di invito.' });
    } else if (actor.role !== 'admin') {
      throw forbidden('MANAGERS_ONLY', 'Only administrators and institution managers add people.', { it: 'Solo gli amministratori e i referenti di ente aggiungono persone.' });
    }
    if (input.password !== undefined) checkPassword(input.password, input);
    const passwordHash = input.password !== undefined ? await this.hasher.hash(input.password) : null;
    return this.uow.transaction(async (r) => {
      if (institutionId && !(await r.institutions.findById(institutionId))) throw notFound('INSTITUTION_NOT_FOUND', 'No institution with this id exists.', { it: 'Non esiste un ente con questo id.' });
      if (await r.users.findByEmail(input.email)) {
        throw new AppError('conflict', 'EMAIL_TAKEN', `An account with the e-mail ${input.email} already exists.`, {}, { it: `Esiste già un account con l’indirizzo e-mail ${input.email}.` });
      }
      const user = await r.users.create({ email: input.email.trim(), name: input.name, role: input.role, institutionId, passwordHash, locale: input.locale });
      await r.audit.record({ actorId: actor.userId, action: 'user.created', entity: 'user', entityId: user.id, before: null, after: user, requestId: ctx.requestId });
      return user;
    });
  }

  /**
   * A link with which the person chooses a password: an invitation when they have none, a reset
   * otherwise. Mailed when the portal has a mail server; else answered once to the caller.
   */
  async issueLink(ctx: CallContext, userId: string): Promise<IssuedLink> {
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + this.policy.invitationHours * HOUR);
    return this.uow.transaction(async (r) => {
      const user = await this.manageable(r, ctx.actor, userId);
      if (user.disabledAt) throw new AppError('conflict', 'USER_DISABLED', `${user.name}’s account is disabled; enable it before sending a password link.`, {}, { it: `L’account di ${user.name} è disattivato; riattivalo prima di inviare un link per la password.` });
      const purpose: PasswordLinkPurpose = (await r.users.findByEmail(user.email))?.passwordHash ? 'reset' : 'invitation';
      const delivery = this.mailConfigured ? 'mail' : 'shown';
      await r.audit.record({ actorId: ctx.actor.userId, action: 'user.password-link', entity: 'user', entityId: user.id, before: null, after: { purpose, delivery }, requestId: ctx.requestId });
      if (this.mailConfigured) {
        await r.jobs.enqueue(PASSWORD_MAIL_QUEUE, { kind: 'issued', userId: user.id, purpose, createdBy: ctx.actor.userId } satisfies PasswordMailJob);
        return { delivery: 'mail', expiresAt };
      }
      const { url } = await this.newLink(r, user.id, purpose, ctx.actor.userId, now, expiresAt);
      return { delivery: 'shown', url, expiresAt };
    });
  }

  /** Administrators disable (ending every session and token at once) and enable accounts. */
  async setDisabled(ctx: CallContext, userId: string, disabled: boolean): Promise<User> {
    if (ctx.actor.role !== 'admin') throw forbidden('ADMIN_ONLY', 'Only administrators disable and enable accounts.', { it: 'Solo gli amministratori disattivano e riattivano gli account.' });
    if (disabled && userId === ctx.actor.userId) throw new AppError('conflict', 'CANNOT_DISABLE_SELF', 'You cannot disable your own account; ask another administrator.', {}, { it: 'Non puoi disattivare il tuo account; chiedi a un altro amministratore.' });
    const now = this.clock.now();
    const after = await this.uow.transaction(async (r) => {
      const before = (await r.users.findById(userId)) ?? userNotFound();
      if (disabled === (before.disabledAt !== null)) return before;
      if (disabled && before.role === 'admin' && (await r.users.countAdmins()) <= 1) {
        throw new AppError('conflict', 'LAST_ADMIN', 'This is the last administrator; make someone else an administrator first.', {}, { it: 'È l’ultimo amministratore; prima rendi amministratore qualcun altro.' });
      }
      const changed = (await r.users.setDisabled(userId, disabled ? now : null)) ?? userNotFound();
      if (disabled) await r.passwordLinks.revokeAll(userId, now);
      await r.audit.record({ actorId: ctx.actor.userId, action: disabled ? 'user.disabled' : 'user.enabled', entity: 'user', entityId: userId, before, after: changed, requestId: ctx.requestId });
      return changed;
    });
    return after;
  }

  /**
   * "Forgot password": the same work and the same answer whether the address has an account or
   * not (the mail job decides, later and out of sight); bounded per asked address and per client.
   */
  async requestReset(email: string, address: string): Promise<void> {
    const account = email.trim().toLowerCase();
    const now = this.clock.now();
    await this.uow.transaction(async (r) => {
      const recorded = await r.passwordLinks.recordResetRequest(
        { account, address, now, since: new Date(now.getTime() - HOUR) },
        { perAccount: this.policy.perAccountPerHour, perAddress: this.policy.perAddressPerHour },
      );
      if (!recorded.accepted) {
        const wait = Math.max(1, Math.ceil((recorded.oldest.getTime() + HOUR - now.getTime()) / 1000));
        throw new AppError('rate-limited', 'PASSWORD_RESET_LIMITED', `Too many password reset requests. Wait ${Math.ceil(wait / 60)} minute(s) and try again.`, { retryAfterSeconds: wait }, { it: `Troppe richieste di reimpostazione della password. Attendi ${Math.ceil(wait / 60)} minuti e riprova.` });
      }
      await r.jobs.enqueue(PASSWORD_MAIL_QUEUE, { kind: 'forgot', account } satisfies PasswordMailJob);
    });
  }

  /** The mail worker's half: makes the link for a job, or null when nothing is to be sent. */
  async prepareLinkMail(job: PasswordLinkJob): Promise<PasswordLinkMail | null> {
    const now = this.clock.now();
    // Read before the transaction: settings have their own connection (one only, on PGlite).
    const adminsOnly = job.kind === 'forgot' && (await this.settings?.localAccounts()) === 'admins-only';
    return this.uow.transaction(async (r) => {
      if (job.kind === 'issued') {
        const user = await r.users.findById(job.userId);
        if (!user || user.disabledAt) return null;
        const expiresAt = new Date(now.getTime() + this.policy.invitationHours * HOUR);
        const { id, url } = await this.newLink(r, user.id, job.purpose, job.createdBy, now, expiresAt);
        return { linkId: id, to: user.email, name: user.name, locale: user.locale, purpose: job.purpose, url, expiresAt };
      }
      const user = await r.users.findByEmail(job.account);
      if (!user || user.disabledAt) return null;
      // Where local accounts are for administrators only, and for people who sign in through
      // their institution, a local password is not for the asking.
      if (user.role !== 'admin' && adminsOnly) return null;
      if (!user.passwordHash && (await r.passwordLinks.isFederated(user.id))) return null;
      const expiresAt = new Date(now.getTime() + this.policy.resetMinutes * 60_000);
      const { id, url } = await this.newLink(r, user.id, 'reset', null, now, expiresAt);
      await r.audit.record({ actorId: null, action: 'user.password-link', entity: 'user', entityId: user.id, before: null, after: { purpose: 'reset', delivery: 'mail', asked: 'forgot-password' } });
      return { linkId: id, to: user.email, name: user.name, locale: user.locale, purpose: 'reset', url, expiresAt };
    });
  }

  /** The mail worker's half of a "password changed" notice; null for an account gone or disabled since. */
  async prepareChangedMail(job: Extract<PasswordMailJob, { kind: 'changed' }>): Promise<PasswordChangedMail | null> {
    const user = await this.uow.repos.users.findById(job.userId);
    if (!user || user.disabledAt) return null;
    return { to: user.email, name: user.name, locale: user.locale, at: new Date(job.at), forgotUrl: `${this.publicUrl}/password/forgot` };
  }

  /** A link whose mail could not be sent stops working (the retried job makes a new one). */
  dropLink(linkId: string): Promise<void> {
    return this.uow.repos.passwordLinks.delete(linkId);
  }

  /** Whom a link is for, to greet them on the password page; refuses a used, expired or unknown link. */
  async linkInfo(token: string): Promise<{ email: string; name: string; purpose: PasswordLinkPurpose; expiresAt: Date }> {
    const hash = this.secrets.hash(token);
    const target = await this.uow.repos.passwordLinks.find(hash, this.clock.now());
    if (!target) throw await this.refusal(hash);
    return { email: target.email, name: target.name, purpose: target.purpose, expiresAt: target.expiresAt };
  }

  /** Sets the password through a link, once: the link's use, the password and the end of old sessions commit together. */
  async setPassword(token: string, password: string, requestId?: string): Promise<{ email: string }> {
    const hash = this.secrets.hash(token);
    const now = this.clock.now();
    const target = await this.uow.repos.passwordLinks.find(hash, now);
    if (!target) throw await this.refusal(hash);
    checkPassword(password, target);
    const passwordHash = await this.hasher.hash(password);
    const used = await this.uow.transaction(async (r) => {
      const t: PasswordLinkTarget | null = await r.passwordLinks.consume(hash, now);
      if (!t) return null;
      await r.users.update(t.userId, { passwordHash });
      await r.passwordLinks.revokeAll(t.userId, now);
      await r.passwordLinks.endSessions(t.userId);
      await r.audit.record({ actorId: t.userId, action: 'user.password-set', entity: 'user', entityId: t.userId, before: null, after: { purpose: t.purpose }, requestId });
      // A password chosen for the first time is no news; a replaced one is, if it was not the person.
      if (t.purpose === 'reset') await r.jobs.enqueue(PASSWORD_MAIL_QUEUE, { kind: 'changed', userId: t.userId, at: now.toISOString() } satisfies PasswordMailJob);
      return t;
    });
    if (!used) throw await this.refusal(hash);
    return { email: used.email };
  }

  private async newLink(r: Repositories, userId: string, purpose: PasswordLinkPurpose, createdBy: string | null, now: Date, expiresAt: Date) {
    const secret = this.secrets.create();
    const { id } = await r.passwordLinks.create({ userId, tokenHash: this.secrets.hash(secret), purpose, createdBy, createdAt: now, expiresAt });
    // In the fragment: browsers never send it, so it stays out of server logs and Referer headers.
    return { id, url: `${this.publicUrl}/password/set#${secret}` };
  }

  private async refusal(hash: string): Promise<AppError> {
    const state = await this.uow.repos.passwordLinks.state(hash, this.clock.now());
    if (state === 'used') return new AppError('conflict', 'PASSWORD_LINK_USED', 'This link was already used. Sign in with your password, or ask for a new link.', {}, { it: 'Questo link è già stato usato. Accedi con la tua password o chiedi un link nuovo.' });
    if (state === 'expired') return new AppError('conflict', 'PASSWORD_LINK_EXPIRED', 'This link has expired. Ask for a new one from the sign-in page or from an administrator.', {}, { it: 'Questo link è scaduto. Chiedine uno nuovo dalla pagina di accesso o a un amministratore.' });
    return notFound('PASSWORD_LINK_UNKNOWN', 'This link is not valid. Check that you copied all of it, or ask for a new one.', {
      it: 'Questo link non è valido. Controlla di averlo copiato per intero, o chiedine uno nuovo.',
    });
  }

  /** The person a caller may send links to: anyone for an administrator, their own members for a manager. */
  private async manageable(r: Repositories, actor: Actor, userId: string): Promise<User> {
    const user = (await r.users.findById(userId)) ?? userNotFound();
    if (actor.role === 'admin') return user;
    if (actor.role === 'institution-manager' && actor.institutionId && user.institutionId === actor.institutionId && user.role === 'member') return user;
    throw forbidden('OWN_INSTITUTION_ONLY', 'Institution managers send password links only to members of their own institution.', {
      it: 'I referenti di ente inviano link per la password solo ai membri del proprio ente.',
    });
  }
}

const userNotFound = (): never => {
  throw notFound('USER_NOT_FOUND', 'No user with this id exists.', { it: 'Non esiste un utente con questo id.' });
};
