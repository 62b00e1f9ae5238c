import { sql } from 'kysely';
import type { Institution, InstitutionInput, InstitutionRepository } from '../ports.ts';
import type { Executor } from './database.ts';

const COLUMNS = ['id', 'name', 'scopes', 'subscription_start', 'subscription_end', 'monthly_quota_hours', 'created_at', 'updated_at'] as const;

export class PgInstitutionRepository implements InstitutionRepository {
  private readonly db: Executor;
  constructor(db: Executor) {
    this.db = db;
  }

  async list(): Promise<Institution[]> {
    const rows = await this.db.selectFrom('institutions').select(COLUMNS).orderBy('name').execute();
    return rows.map(toInstitution);
  }

  async findById(id: string, opts: { forUpdate?: boolean } = {}): Promise<Institution | null> {
    const row = await this.db
      .selectFrom('institutions')
      .select(COLUMNS)
      .where('id', '=', id)
      // NO KEY UPDATE: serialises quota checks without conflicting with the key-share locks that
      // inserting bookings take on their institution through the foreign key.
      .$if(opts.forUpdate === true, (q) => q.forNoKeyUpdate())
      .executeTakeFirst();
    return row ? toInstitution(row) : null;
  }

  async create(i: InstitutionInput): Promise<Institution> {
    const row = await this.db
      .insertInto('institutions')
      .values({
        name: i.name,
        scopes: i.scopes,
        subscription_start: i.subscriptionStart,
        subscription_end: i.subscriptionEnd,
        monthly_quota_hours: i.monthlyQuotaHours,
      })
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    return toInstitution(row);
  }

  async update(id: string, c: Partial<InstitutionInput>): Promise<Institution | null> {
    const row = await this.db
      .updateTable('institutions')
      .set({
        ...(c.name !== undefined && { name: c.name }),
        ...(c.scopes !== undefined && { scopes: c.scopes }),
        ...(c.subscriptionStart !== undefined && { subscription_start: c.subscriptionStart }),
        ...(c.subscriptionEnd !== undefined && { subscription_end: c.subscriptionEnd }),
        ...(c.monthlyQuotaHours !== undefined && { monthly_quota_hours: c.monthlyQuotaHours }),
        updated_at: sql`now()`,
      })
      .where('id', '=', id)
      .returning(COLUMNS)
      .executeTakeFirst();
    return row ? toInstitution(row) : null;
  }
}

type Row = {
  id: string;
  name: string;
  scopes: string[];
  subscription_start: string | null;
  subscription_end: string | null;
  monthly_quota_hours: string | null;
  created_at: Date;
  updated_at: Date;
};
const toInstitution = (r: Row): Institution => ({
  id: r.id,
  name: r.name,
  scopes: r.scopes,
  subscriptionStart: r.subscription_start,
  subscriptionEnd: r.subscription_end,
  monthlyQuotaHours: r.monthly_quota_hours === null ? null : Number(r.monthly_quota_hours),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});
