import type { AuditEntry, AuditFilter, AuditRecord, AuditRepository } from '../ports.ts';
import { sql } from 'kysely';
import type { Executor } from './database.ts';

export class PgAuditRepository implements AuditRepository {
  private readonly db: Executor;
  constructor(db: Executor) {
    this.db = db;
  }

  async record(e: AuditEntry): Promise<void> {
    await this.recordMany([e]);
  }

  async recordMany(entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.db
      .insertInto('audit_log')
      .values(
        entries.map((e) => ({
          actor_id: e.actorId,
          action: e.action,
          entity: e.entity,
          entity_id: e.entityId,
          before: e.before === undefined || e.before === null ? null : JSON.stringify(e.before),
          after: e.after === undefined || e.after === null ? null : JSON.stringify(e.after),
          request_id: e.requestId ?? null,
        })),
      )
      .execute();
  }

  async list(f: AuditFilter): Promise<AuditRecord[]> {
    const rows = await this.db
      .selectFrom('audit_log as a')
      .leftJoin('users as u', 'u.id', 'a.actor_id')
      // The person an entry is about (a sign-in, a password link) by their name today.
      .leftJoin('users as e', (j) => j.on(sql<boolean>`a.entity = 'user' AND e.id::text = a.entity_id`))
      .select(['a.id', 'a.at', 'a.actor_id', 'u.name as actor_name', 'e.name as entity_user_name', 'a.action', 'a.entity', 'a.entity_id', 'a.before', 'a.after', 'a.request_id'])
      .$if(!!f.entity, (q) => q.where('a.entity', '=', f.entity!))
      .$if(!!f.entityId, (q) => q.where('a.entity_id', '=', f.entityId!))
      .$if(!!f.actorId, (q) => q.where('a.actor_id', '=', f.actorId!))
      .$if(!!f.action, (q) => q.where('a.action', '=', f.action!))
      .$if(!!f.from, (q) => q.where('a.at', '>=', f.from!))
      .$if(!!f.to, (q) => q.where('a.at', '<', f.to!))
      .$if(!!f.beforeId, (q) => q.where('a.id', '<', f.beforeId!))
      .orderBy('a.id', 'desc')
      .limit(f.limit)
      .execute();
    return rows.map((r) => ({
      id: String(r.id),
      at: r.at,
      actorId: r.actor_id,
      actorName: r.actor_name ?? null,
      entityUserName: r.entity_user_name ?? null,
      action: r.action,
      entity: r.entity,
      entityId: r.entity_id,
      before: r.before,
      after: r.after,
      requestId: r.request_id ?? undefined,
    }));
  }
}
