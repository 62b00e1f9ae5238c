// Delegations (migration 018): a person names a delegate, who must accept before booking for them.
import { sql } from 'kysely';
import type { Delegation, DelegationRepository, DelegationStatus } from '../ports.ts';
import type { Executor } from './database.ts';

type Row = {
  person_id: string;
  person_name: string;
  person_email: string;
  delegate_id: string;
  delegate_name: string;
  delegate_email: string;
  status: string;
  created_at: Date;
  accepted_at: Date | null;
};

const SELECT = sql`
  SELECT d.person_id, p.name AS person_name, p.email AS person_email, d.delegate_id, g.name AS delegate_name, g.email AS delegate_email,
         d.status, d.created_at, d.accepted_at
  FROM delegations d JOIN users p ON p.id = d.person_id JOIN users g ON g.id = d.delegate_id`;

const toDelegation = (r: Row): Delegation => ({
  person: { id: r.person_id, name: r.person_name, email: r.person_email },
  delegate: { id: r.delegate_id, name: r.delegate_name, email: r.delegate_email },
  status: r.status as DelegationStatus,
  createdAt: new Date(r.created_at),
  acceptedAt: r.accepted_at ? new Date(r.accepted_at) : null,
});

export class PgDelegationRepository implements DelegationRepository {
  private readonly db: Executor;
  constructor(db: Executor) {
    this.db = db;
  }

  async add(personId: string, delegateId: string, at: Date): Promise<boolean> {
    const { rows } = await sql<{ person_id: string }>`
      INSERT INTO delegations (person_id, delegate_id, created_at) VALUES (${personId}, ${delegateId}, ${at})
      ON CONFLICT DO NOTHING RETURNING person_id`.execute(this.db);
    return rows.length > 0;
  }

  async find(personId: string, delegateId: string): Promise<Delegation | null> {
    const { rows } = await sql<Row>`${SELECT} WHERE d.person_id = ${personId} AND d.delegate_id = ${delegateId}`.execute(this.db);
    return rows[0] ? toDelegation(rows[0]) : null;
  }

  async accept(personId: string, delegateId: string, at: Date): Promise<Delegation | null> {
    const { rows } = await sql<{ person_id: string }>`
      UPDATE delegations SET status = 'accepted', accepted_at = coalesce(accepted_at, ${at})
      WHERE person_id = ${personId} AND delegate_id = ${delegateId} RETURNING person_id`.execute(this.db);
    return rows.length > 0 ? this.find(personId, delegateId) : null;
  }

  async remove(personId: string, delegateId: string): Promise<boolean> {
    const { rows } = await sql<{ person_id: string }>`
      DELETE FROM delegations WHERE person_id = ${personId} AND delegate_id = ${delegateId} RETURNING person_id`.execute(this.db);
    return rows.length > 0;
  }

  async ofPerson(personId: string): Promise<Delegation[]> {
    const { rows } = await sql<Row>`${SELECT} WHERE d.person_id = ${personId} ORDER BY lower(g.name), g.id LIMIT 200`.execute(this.db);
    return rows.map(toDelegation);
  }

  async ofDelegate(delegateId: string): Promise<Delegation[]> {
    const { rows } = await sql<Row>`${SELECT} WHERE d.delegate_id = ${delegateId} ORDER BY lower(p.name), p.id LIMIT 200`.execute(this.db);
    return rows.map(toDelegation);
  }
}
