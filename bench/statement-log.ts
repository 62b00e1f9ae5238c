// The SQL the application really sends: a Kysely instance over the same pool whose query log keeps
// what went through it (BEGIN and COMMIT included), for counting round trips and for EXPLAIN.
// Never destroy its Kysely: that would end the shared pool.
import { Kysely, PostgresDialect, type CompiledQuery } from 'kysely';
import type { Database } from '../src/db/database.ts';
import type { DB } from '../src/db/schema.ts';

export function statementLog(database: Database) {
  let last: CompiledQuery | undefined;
  let recorded: CompiledQuery[] | undefined;
  const db = new Kysely<DB>({
    dialect: new PostgresDialect({ pool: database.pool }),
    log: (e) => {
      if (e.level !== 'query') return;
      last = e.query;
      recorded?.push(e.query);
    },
  });
  return {
    /** The same database, with this logging Kysely in place of its own. */
    database: { ...database, db } satisfies Database,
    last: () => last,
    /** Runs `work` and returns the statements sent meanwhile. */
    async record(work: () => Promise<unknown>): Promise<CompiledQuery[]> {
      recorded = [];
      try {
        await work();
        return recorded;
      } finally {
        recorded = undefined;
      }
    },
  };
}

/** "select bookings", "insert audit_log", "select pg_advisory_xact_lock()", "begin"… */
export function statementLabel(text: string): string {
  const verb = /^\s*(\w+)/.exec(text)?.[1]?.toLowerCase() ?? '?';
  const source = /\b(?:from|into|update)\s+("?)(\w+)\1(\()?/i.exec(text);
  const fn = /^\s*select\s+(\w+)\(/i.exec(text)?.[1];
  // FROM generate_series(…) is not a table: name the function the statement calls instead.
  if (source?.[2] && !source[3]) return `${verb} ${source[2]}`;
  return fn ? `${verb} ${fn}()` : verb;
}
