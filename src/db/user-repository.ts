import { sql } from 'kysely';
import type { Role } from '../domain/access.ts';
import { AUTH_CHANNEL, type AuthChange, type ListedUser, type Locale, type MailSettings, type MailSettingsChange, type User, type UserInput, type UserFilter, type UserRepository, type UserWithSecret } from '../ports.ts';
import type { Executor } from './database.ts';
import type { NoticeSink } from './notices.ts';
import { containsPattern } from './like.ts';

const COLUMNS = ['id', 'email', 'name', 'role', 'institution_id', 'locale', 'disabled_at', 'created_at', 'updated_at'] as const;

export class PgUserRepository implements UserRepository {
  private readonly db: Executor;
  private readonly notices: NoticeSink;
  constructor(db: Executor, notices: NoticeSink) {
    this.db = db;
    this.notices = notices;
  }

  /** Sessions and tokens of this user now act with other rights: tell every instance. */
  private async rightsChanged(userId: string, ended: AuthChange[] = []) {
    const payloads = [...ended, { kind: 'user', userId } satisfies AuthChange].map((c) => JSON.stringify(c));
    await this.notices(payloads.map((payload) => ({ channel: AUTH_CHANNEL, payload })));
  }

  /** People with how they sign in: whether a password is set is read, never the password's hash. */
  private selectListed() {
    return this.db
      .selectFrom('users')
      .select(COLUMNS)
      .select([
        sql<boolean>`password_hash IS NOT NULL`.as('has_password'),
        sql<boolean>`EXISTS (SELECT 1 FROM external_identities e WHERE e.user_id = users.id)`.as('federated'),
        'last_login_at',
      ]);
  }

  async list(f: UserFilter): Promise<ListedUser[]> {
    const rows = await this.selectListed()
      .$if(f.id !== undefined, (q) => q.where('id', '=', f.id!))
      .$if(f.institutionId !== undefined, (q) => q.where('institution_id', '=', f.institutionId!))
      .$if(f.role !== undefined, (q) => q.where('role', '=', f.role!))
      .$if(!!f.q, (q) => {
        const like = containsPattern(f.q!);
        return q.where((eb) => eb.or([eb(sql`lower(name)`, 'like', like), eb(sql`lower(email)`, 'like', like)]));
      })
      .orderBy('name')
      .orderBy('id')
      .limit(f.limit)
      .offset(f.offset)
      .execute();
    return rows.map(toListed);
  }

  async namesOf(ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom('users').select(['id', 'name']).where('id', '=', sql<string>`ANY(${[...ids]}::uuid[])`).execute();
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  async findListed(id: string): Promise<ListedUser | null> {
    const [user] = await this.list({ id, limit: 1, offset: 0 });
    return user ?? null;
  }

  async findById(id: string): Promise<User | null> {
    const row = await this.db.selectFrom('users').select(COLUMNS).where('id', '=', id).executeTakeFirst();
    return row ? toUser(row) : null;
  }

  findByEmail(email: string): Promise<UserWithSecret | null> {
    return this.withSecret(sql`lower(email)`, email.toLowerCase());
  }

  findByIdWithSecret(id: string): Promise<UserWithSecret | null> {
    return this.withSecret(sql`id`, id);
  }

  private async withSecret(column: ReturnType<typeof sql>, value: string): Promise<UserWithSecret | null> {
    const row = await this.db
      .selectFrom('users')
      .select([...COLUMNS, 'password_hash'])
      .where(column, '=', value)
      .executeTakeFirst();
    return row ? { ...toUser(row), passwordHash: row.password_hash } : null;
  }

  async create(u: UserInput): Promise<User> {
    const row = await this.db
      .insertInto('users')
      .values({ email: u.email, name: u.name, role: u.role, institution_id: u.institutionId, password_hash: u.passwordHash, locale: u.locale ?? null })
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    return toUser(row);
  }

  async update(id: string, c: Partial<Omit<UserInput, 'email'>>): Promise<User | null> {
    const row = await this.db
      .updateTable('users')
      .set({
        ...(c.name !== undefined && { name: c.name }),
        ...(c.role !== undefined && { role: c.role }),
        ...(c.institutionId !== undefined && { institution_id: c.institutionId }),
        ...(c.passwordHash !== undefined && { password_hash: c.passwordHash }),
        ...(c.locale !== undefined && { locale: c.locale }),
        updated_at: sql`now()`,
      })
      .where('id', '=', id)
      .returning(COLUMNS)
      .executeTakeFirst();
    // The cached actor carries the language of the person's messages too.
    if (row && (c.role !== undefined || c.institutionId !== undefined || c.locale !== undefined)) await this.rightsChanged(id);
    return row ? toUser(row) : null;
  }

  async touchLogin(id: string): Promise<void> {
    await this.db.updateTable('users').set({ last_login_at: sql`now()` }).where('id', '=', id).execute();
  }

  async countAdmins(): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('role', '=', 'admin')
      .where('disabled_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async requestDeciders(limit: number): Promise<Array<Pick<User, 'email' | 'name' | 'locale'>>> {
    const rows = await this.db
      .selectFrom('users')
      .select(['email', 'name', 'locale'])
      .where('role', '=', 'admin')
      .where('disabled_at', 'is', null)
      .where('request_mails', '=', true)
      .orderBy('name')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ email: r.email, name: r.name, locale: r.locale as Locale | null }));
  }

  async mailSettings(id: string): Promise<MailSettings | null> {
    const row = await this.db.selectFrom('users').select(['reminders', 'time_zone', 'request_mails']).where('id', '=', id).executeTakeFirst();
    return row ? { reminders: row.reminders, timeZone: row.time_zone, requestMails: row.request_mails } : null;
  }

  async setMailSettings(id: string, s: MailSettingsChange): Promise<boolean> {
    const row = await this.db
      .updateTable('users')
      .set({
        ...(s.reminders !== undefined && { reminders: s.reminders }),
        ...(s.timeZone !== undefined && { time_zone: s.timeZone }),
        ...(s.requestMails !== undefined && { request_mails: s.requestMails }),
        updated_at: sql`now()`,
      })
      .where('id', '=', id)
      .returning('id')
      .executeTakeFirst();
    return row !== undefined;
  }

  async setDisabled(id: string, at: Date | null): Promise<User | null> {
    const row = await this.db.updateTable('users').set({ disabled_at: at, updated_at: sql`now()` }).where('id', '=', id).returning(COLUMNS).executeTakeFirst();
    if (!row) return null;
    if (at) {
      // What the account had open ends with it, on every instance (the notices go out after commit).
      const sessions = await this.db.deleteFrom('sessions').where('user_id', '=', id).returning('id_hash').execute();
      const tokens = await this.db.deleteFrom('api_tokens').where('user_id', '=', id).returning('token_hash').execute();
      await this.rightsChanged(id, [
        ...sessions.map((s) => ({ kind: 'session' as const, hash: s.id_hash })),
        ...tokens.map((t) => ({ kind: 'token' as const, hash: t.token_hash })),
      ]);
    }
    return toUser(row);
  }
}

type Row = { id: string; email: string; name: string; role: string; institution_id: string | null; locale: string | null; disabled_at: Date | null; created_at: Date; updated_at: Date };
const toUser = (r: Row): User => ({
  id: r.id,
  email: r.email,
  name: r.name,
  role: r.role as Role,
  institutionId: r.institution_id,
  locale: r.locale === 'it' || r.locale === 'en' ? (r.locale as Locale) : null,
  disabledAt: r.disabled_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});
const toListed = (r: Row & { has_password: boolean; federated: boolean; last_login_at: Date | null }): ListedUser => ({
  ...toUser(r),
  hasPassword: r.has_password,
  federated: r.federated,
  lastSignInAt: r.last_login_at,
});
