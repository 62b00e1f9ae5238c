// Local accounts, sessions and personal API tokens. Identity sits behind these ports so that the
// federated sign-in (SAML, OIDC) of a later issue creates the same sessions for its users.
import type { Actor } from '../domain/access.ts';
import { AppError, adminOnly, fieldErrors, notFound, timeZoneRefused, unprocessable } from '../domain/errors.ts';
import { isValidTimeZone } from '../domain/time.ts';
import { checkPassword } from '../domain/password-policy.ts';
import { addressLimitSeconds, waitBeforeAttempt, type FailureCounts, type LoginLimits } from '../domain/sign-in-delay.ts';
import { bookingRefusal } from '../domain/subscription.ts';
import type { CallContext, Clock, Institution, Locale, MailSettingsChange, UnitOfWork, User } from '../ports.ts';
import { PASSWORD_MAIL_QUEUE, type PasswordMailJob } from './people.ts';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
}

export type Session = { userId: string; csrfToken: string; actor: Actor };
export interface SessionStore {
  /** Creates a session and returns its secret id (for the cookie) and its CSRF token. */
  create(userId: string): Promise<{ id: string; csrfToken: string }>;
  /** The live session for a secret id, sliding its idle timeout; null when absent or expired. */
  touch(id: string): Promise<Session | null>;
  destroy(id: string): Promise<void>;
  /** Still good, by the hash of its id, without counting as use. */
  isLive(idHash: string): Promise<boolean>;
}

export type LocalAccountsPolicy = 'everyone' | 'admins-only';
export interface PortalSettings {
  localAccounts(): Promise<LocalAccountsPolicy>;
  setLocalAccounts(policy: LocalAccountsPolicy): Promise<void>;
}

/** Counts failed local sign-ins per account and address, and where each account signed in lately. */
export interface SignInGuard {
  readonly limits: LoginLimits;
  counts(account: string, address: string, now: Date): Promise<FailureCounts>;
  recordFailure(account: string, address: string, now: Date): Promise<void>;
  recordSuccess(account: string, address: string, now: Date): Promise<void>;
}

/** The answer to a sign-in that must wait, in the person's language. */
function tooManyAttempts(seconds: number): AppError {
  const minutes = Math.ceil(seconds / 60);
  const [en, it] =
    seconds < 60
      ? [`Too many failed sign-ins. Wait ${seconds} second(s) and try again.`, `Troppi accessi non riusciti. Attendi ${seconds} secondi e riprova.`]
      : [`Too many failed sign-ins. Wait ${minutes} minute(s) and try again.`, `Troppi accessi non riusciti. Attendi ${minutes} minuti e riprova.`];
  return new AppError('rate-limited', 'TOO_MANY_SIGN_IN_ATTEMPTS', en, { retryAfterSeconds: seconds }, { it });
}

const accountGone = () => notFound('USER_NOT_FOUND', 'Your account no longer exists.', { it: 'Il tuo account non esiste più.' });

export type ApiToken = { id: string; name: string; createdAt: Date; lastUsedAt: Date | null };
export interface TokenStore {
  create(userId: string, name: string): Promise<ApiToken & { token: string }>;
  list(userId: string): Promise<ApiToken[]>;
  revoke(userId: string, id: string): Promise<boolean>;
  /** The owner of a live token, or null. */
  resolve(token: string): Promise<Actor | null>;
  isLive(tokenHash: string): Promise<boolean>;
}

export type Me = User & {
  hasPassword: boolean;
  institution: Pick<Institution, 'id' | 'name'> | null;
  canBook: boolean;
  cannotBookReason: string | null;
  /** Administrators: whether new booking requests are mailed to them; null for everyone else. */
  requestMails: boolean | null;
  /** Whether reminders before their meetings are mailed to them. */
  reminders: boolean;
  /** The zone their mails show times in besides the room's; null: the room's alone. */
  timeZone: string | null;
};

// A fixed hash verified when the e-mail is unknown, so that a wrong e-mail and a wrong password
// take the same time and answer the same way.
let dummyHash: Promise<string> | undefined;

export class AccountService {
  private readonly uow: UnitOfWork;
  private readonly hasher: PasswordHasher;
  private readonly sessions: SessionStore;
  private readonly tokens: TokenStore;
  private readonly clock: Clock;
  private readonly zone: string;
  private readonly guard: SignInGuard | undefined;
  private readonly settings: PortalSettings | undefined;
  private readonly federatedSignIn: boolean;

  constructor(deps: {
    uow: UnitOfWork;
    hasher: PasswordHasher;
    sessions: SessionStore;
    tokens: TokenStore;
    clock: Clock;
    defaultTimeZone: string;
    guard?: SignInGuard;
    settings?: PortalSettings;
    /** Whether people can sign in with their institution (SAML or OIDC configured). */
    federatedSignIn?: boolean;
  }) {
    this.guard = deps.guard;
    this.federatedSignIn = deps.federatedSignIn ?? false;
    this.settings = deps.settings;
    this.uow = deps.uow;
    this.hasher = deps.hasher;
    this.sessions = deps.sessions;
    this.tokens = deps.tokens;
    this.clock = deps.clock;
    this.zone = deps.defaultTimeZone;
  }

  async signIn(email: string, password: string, requestId?: string, address = 'unknown'): Promise<{ sessionId: string; csrfToken: string; user: User }> {
    const account = email.trim().toLowerCase();
    const now = this.clock.now();
    const counts = await this.refuseWhileWaiting(account, address, now);
    const user = await this.uow.repos.users.findByEmail(email);
    dummyHash ??= this.hasher.hash('not-a-password');
    const ok = user?.passwordHash ? await this.hasher.verify(user.passwordHash, password) : (await this.hasher.verify(await dummyHash, password), false);
    if (!user || !ok) {
      await this.guard?.recordFailure(account, address, now);
      // An address over its limit is told to wait on every wrong password or unknown account alike
      // (so the answer says nothing about which accounts exist); a right password still gets in.
      const addressWait = counts && this.guard ? addressLimitSeconds(counts, this.guard.limits, now) : 0;
      if (addressWait > 0) throw tooManyAttempts(addressWait);
      throw new AppError('unauthenticated', 'INVALID_CREDENTIALS', 'The e-mail or the password is wrong.', {}, { it: 'L’e-mail o la password non sono corrette.' });
    }
    if (user.disabledAt) throw new AppError('forbidden', 'ACCOUNT_DISABLED', 'This account is disabled. Ask an administrator if you think it should not be.', {}, { it: 'Questo account è disattivato. Se pensi che non debba esserlo, chiedi a un amministratore.' });
    await this.guard?.recordSuccess(account, address, now);
    if (user.role !== 'admin' && (await this.settings?.localAccounts()) === 'admins-only') {
      throw new AppError('forbidden', 'LOCAL_ACCOUNTS_OFF', 'Local accounts are turned off on this portal: sign in with your institution instead.', {}, { it: 'Gli account locali sono disattivati su questo portale: accedi tramite il tuo ente.' });
    }
    const { id, csrfToken } = await this.sessions.create(user.id);
    await this.uow.transaction(async (r) => {
      await r.users.touchLogin(user.id);
      await r.audit.record({ actorId: user.id, action: 'session.created', entity: 'user', entityId: user.id, before: null, after: null, requestId });
    });
    const { passwordHash: _secret, ...publicUser } = user;
    return { sessionId: id, csrfToken, user: publicUser };
  }

  /** Waits are decided before a password is checked: while one runs, no guess is tried at all. */
  private async refuseWhileWaiting(account: string, address: string, now: Date): Promise<FailureCounts | undefined> {
    const counts = await this.guard?.counts(account, address, now);
    const wait = counts && this.guard ? waitBeforeAttempt(counts, this.guard.limits, now) : 0;
    if (wait > 0) throw tooManyAttempts(wait);
    return counts;
  }

  signOut(sessionId: string): Promise<void> {
    return this.sessions.destroy(sessionId);
  }

  /** The caller behind a session id or an API token, or null. */
  async actorForSession(sessionId: string): Promise<{ actor: Actor; csrfToken: string } | null> {
    const session = await this.sessions.touch(sessionId);
    return session && { actor: session.actor, csrfToken: session.csrfToken };
  }

  async actorForToken(token: string): Promise<Actor | null> {
    return this.tokens.resolve(token);
  }

  /** Whether the session or token a long-lived request (an event stream) came with still holds. */
  credentialLive(c: { kind: 'session' | 'token'; hash: string }): Promise<boolean> {
    return c.kind === 'session' ? this.sessions.isLive(c.hash) : this.tokens.isLive(c.hash);
  }

  /** The person's own language (mails, server messages, the portal's pages on any browser). */
  async setLanguage(ctx: CallContext, locale: Locale | null): Promise<Me> {
    // In a unit of work: the cached actor carries the language, and the commit's notice makes every
    // instance forget it (this one at once), so the person's next request is answered in the new one.
    const changed = await this.uow.transaction((r) => r.users.update(ctx.actor.userId, { locale }));
    if (!changed) throw accountGone();
    return this.me(ctx);
  }

  /**
   * A signed-in person changes their own local password, knowing the current one. Wrong guesses
   * count with the sign-in's (a session left open must not become a way to learn the password);
   * the new password, the end of the account's other sessions and of its unused password links, and
   * the notice mail's job commit together. Says how many other sessions ended.
   */
  async changePassword(ctx: CallContext, change: { current: string; password: string; keepSession: string; address: string }): Promise<{ signedOut: number }> {
    const user = await this.uow.repos.users.findByIdWithSecret(ctx.actor.userId);
    if (!user) throw accountGone();
    if (!user.passwordHash) {
      throw new AppError('conflict', 'NO_LOCAL_PASSWORD', 'You sign in through your institution, so this portal has no password of yours to change: change it where your institution says.', {}, {
        it: 'Accedi tramite il tuo ente, quindi questo portale non ha una tua password da cambiare: cambiala dove indica il tuo ente.',
      });
    }
    const account = user.email.trim().toLowerCase();
    const now = this.clock.now();
    await this.refuseWhileWaiting(account, change.address, now);
    if (!(await this.hasher.verify(user.passwordHash, change.current))) {
      await this.guard?.recordFailure(account, change.address, now);
      const { en, it } = fieldErrors([{ path: 'currentPassword', en: 'This is not your current password.', it: 'Questa non è la tua password attuale.' }]);
      throw unprocessable('WRONG_PASSWORD', 'The current password is wrong: type the one you signed in with.', { it: 'La password attuale non è corretta: scrivi quella con cui hai effettuato l’accesso.', details: it }, en);
    }
    checkPassword(change.password, user);
    const passwordHash = await this.hasher.hash(change.password);
    const signedOut = await this.uow.transaction(async (r) => {
      await r.users.update(user.id, { passwordHash });
      await r.passwordLinks.revokeAll(user.id, now);
      const ended = await r.passwordLinks.endSessions(user.id, change.keepSession);
      await r.audit.record({ actorId: user.id, action: 'user.password-changed', entity: 'user', entityId: user.id, before: null, after: { otherSessionsEnded: ended }, requestId: ctx.requestId });
      // The account's own address hears of it: a change by someone else with an open session is news.
      await r.jobs.enqueue(PASSWORD_MAIL_QUEUE, { kind: 'changed', userId: user.id, at: now.toISOString() } satisfies PasswordMailJob);
      return ended;
    });
    await this.guard?.recordSuccess(account, change.address, now);
    return { signedOut };
  }

  /** The person's sessions open elsewhere than in this one (`keepSession`: its id's hash). */
  async otherSessions(ctx: CallContext, keepSession: string): Promise<number> {
    return this.uow.repos.passwordLinks.countSessions(ctx.actor.userId, this.clock.now(), keepSession);
  }

  /**
   * Signs the person out everywhere but here: a browser left signed in on a shared computer. The
   * only way to do so for whoever signs in through their institution (no password here to change).
   */
  async endOtherSessions(ctx: CallContext, keepSession: string): Promise<{ signedOut: number }> {
    const signedOut = await this.uow.transaction(async (r) => {
      const ended = await r.passwordLinks.endSessions(ctx.actor.userId, keepSession);
      await r.audit.record({ actorId: ctx.actor.userId, action: 'user.sessions-ended', entity: 'user', entityId: ctx.actor.userId, before: null, after: { otherSessionsEnded: ended }, requestId: ctx.requestId });
      return ended;
    });
    return { signedOut };
  }

  async me(ctx: CallContext): Promise<Me> {
    const found = await this.uow.repos.users.findListed(ctx.actor.userId);
    if (!found) throw accountGone();
    const { hasPassword, federated: _federated, lastSignInAt: _last, ...user } = found;
    const institution = user.institutionId ? await this.uow.repos.institutions.findById(user.institutionId) : null;
    const refusal = bookingRefusal(toActor(user), institution, this.clock.now(), this.zone);
    const mail = await this.uow.repos.users.mailSettings(user.id);
    return {
      ...user,
      hasPassword,
      institution: institution && { id: institution.id, name: institution.name },
      canBook: refusal === null,
      cannotBookReason: refusal?.en ?? null,
      requestMails: user.role === 'admin' ? (mail?.requestMails ?? false) : null,
      reminders: mail?.reminders ?? true,
      timeZone: mail?.timeZone ?? null,
    };
  }

  /**
   * A person's own choices for the mails they get: reminders, the zone their times are shown in and
   * (administrators only) the mail of each new booking request; all of them or, refused, none.
   */
  async setMailSettings(ctx: CallContext, change: MailSettingsChange): Promise<void> {
    if (change.requestMails !== undefined && ctx.actor.role !== 'admin') throw adminOnly();
    // The API's schema refuses a zone that is not one; a caller in the process is held to it too.
    if (change.timeZone && !isValidTimeZone(change.timeZone)) throw timeZoneRefused();
    if (!(await this.uow.transaction((r) => r.users.setMailSettings(ctx.actor.userId, change)))) throw accountGone();
  }

  listTokens(ctx: CallContext) {
    return this.tokens.list(ctx.actor.userId);
  }

  async createToken(ctx: CallContext, name: string) {
    const token = await this.tokens.create(ctx.actor.userId, name);
    await this.uow.repos.audit.record({
      actorId: ctx.actor.userId,
      action: 'token.created',
      entity: 'api-token',
      entityId: token.id,
      before: null,
      after: { name },
      requestId: ctx.requestId,
    });
    return token;
  }

  async revokeToken(ctx: CallContext, id: string): Promise<void> {
    if (!(await this.tokens.revoke(ctx.actor.userId, id))) throw notFound('TOKEN_NOT_FOUND', 'No such API token.', { it: 'Questo token API non esiste.' });
    await this.uow.repos.audit.record({ actorId: ctx.actor.userId, action: 'token.revoked', entity: 'api-token', entityId: id, before: null, after: null, requestId: ctx.requestId });
  }

  async localAccounts(): Promise<LocalAccountsPolicy> {
    return (await this.settings?.localAccounts()) ?? 'everyone';
  }

  async setLocalAccounts(ctx: CallContext, policy: LocalAccountsPolicy): Promise<LocalAccountsPolicy> {
    if (ctx.actor.role !== 'admin') throw adminOnly();
    if (!this.settings) throw new AppError('unavailable', 'SETTINGS_UNAVAILABLE', 'Portal settings are not available.', {}, { it: 'Le impostazioni del portale non sono disponibili.' });
    // Passwords for administrators only, with no other way in, would lock every member out.
    if (policy === 'admins-only' && !this.federatedSignIn) {
      throw new AppError(
        'conflict',
        'NO_FEDERATED_SIGN_IN',
        'This portal has no sign-in with an institution (SAML_METADATA_SOURCES or OIDC_PROVIDERS is not set): with passwords for administrators only, nobody else could sign in. Configure a federation or an OIDC provider first.',
        {},
        { it: 'Questo portale non ha l’accesso tramite ente (SAML_METADATA_SOURCES o OIDC_PROVIDERS non è impostato): con la password solo per gli amministratori, nessun altro potrebbe accedere. Configura prima una federazione o un provider OIDC.' },
      );
    }
    const before = await this.settings.localAccounts();
    await this.settings.setLocalAccounts(policy);
    await this.uow.repos.audit.record({ actorId: ctx.actor.userId, action: 'settings.updated', entity: 'settings', entityId: 'local_accounts', before, after: policy, requestId: ctx.requestId });
    return policy;
  }

  /** First administrator (CLI); refuses an e-mail already in use. */
  async createAdmin(input: { email: string; name: string; password: string }): Promise<User> {
    const passwordHash = await this.hasher.hash(input.password);
    return this.uow.transaction(async (r) => {
      if (await r.users.findByEmail(input.email)) {
        throw new AppError('conflict', 'EMAIL_TAKEN', `An account with the e-mail ${input.email} already exists.`, {}, { it: `Esiste già un account con l’indirizzo e-mail ${input.email}.` });
      }
      const user = await r.users.create({ email: input.email, name: input.name, role: 'admin', institutionId: null, passwordHash });
      await r.audit.record({ actorId: null, action: 'user.created', entity: 'user', entityId: user.id, before: null, after: user });
      return user;
    });
  }
}

export const toActor = (u: User): Actor => ({ userId: u.id, role: u.role, institutionId: u.institutionId, locale: u.locale });
