// PostgreSQL adapters for the federated sign-in's ports: which user an (issuer, subject) belongs to,
// and what an institution requires of its members beyond the scope.
import { sql } from 'kysely';
import type { ExternalIdentityStore, FederatedProfile, InstitutionRequirement, InstitutionRequirementStore } from '../app/federated-sign-in.ts';
import type { Db } from '../db/database.ts';

export class PgExternalIdentityStore implements ExternalIdentityStore {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  async userFor(issuer: string, subject: string): Promise<string | null> {
    const r = await sql<{ user_id: string }>`SELECT user_id FROM external_identities WHERE issuer = ${issuer} AND subject = ${subject}`.execute(this.db);
    return r.rows[0]?.user_id ?? null;
  }

  async isLinked(userId: string): Promise<boolean> {
    const r = await sql<{ n: number }>`SELECT 1 AS n FROM external_identities WHERE user_id = ${userId} LIMIT 1`.execute(this.db);
    return r.rows.length > 0;
  }

  async link(p: FederatedProfile, userId: string): Promise<boolean> {
    const r = await sql<{ user_id: string }>`
      INSERT INTO external_identities (issuer, subject, user_id, protocol, attributes)
      VALUES (${p.issuer}, ${p.subject}, ${userId}, ${p.protocol}, ${JSON.stringify(p.attributes)}::jsonb)
      ON CONFLICT (issuer, subject) DO UPDATE SET attributes = excluded.attributes, last_seen_at = now()
        WHERE external_identities.user_id = excluded.user_id
      RETURNING user_id`.execute(this.db);
    return r.rows.length === 1;
  }
}

export class PgInstitutionRequirementStore implements InstitutionRequirementStore {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  async get(institutionId: string): Promise<InstitutionRequirement | null> {
    const r = await sql<{ required_entitlement: string | null; required_affiliation: string | null }>`
      SELECT required_entitlement, required_affiliation FROM institution_requirements WHERE institution_id = ${institutionId}`.execute(this.db);
    const row = r.rows[0];
    return row ? { institutionId, requiredEntitlement: row.required_entitlement, requiredAffiliation: row.required_affiliation } : null;
  }

  async set(req: InstitutionRequirement): Promise<void> {
    await sql`INSERT INTO institution_requirements (institution_id, required_entitlement, required_affiliation)
              VALUES (${req.institutionId}, ${req.requiredEntitlement}, ${req.requiredAffiliation})
              ON CONFLICT (institution_id) DO UPDATE SET required_entitlement = excluded.required_entitlement,
                required_affiliation = excluded.required_affiliation, updated_at = now()`.execute(this.db);
  }
}
