// Copies the rows of every table between two databases of the same schema version, PGlite or
// PostgreSQL alike: the one mechanism behind `backup`/`restore` of the embedded database and
// `migrate-to-postgres`. Rows travel as the JSON that row_to_json() makes and come back through
// json_populate_recordset(), so each column goes out through its type's output function and in
// through its input function (tstzrange, timestamptz, bytea, arrays, jsonb keep their values)
// without this code knowing any column type.
import { sql, type Transaction } from 'kysely';
import type { DB } from './schema.ts';

export type Trx = Transaction<DB>;

export type TableInfo = {
  /** Schema-qualified and quoted, ready for SQL: "public"."bookings". */
  qualified: string;
  /** schema.name, as written in backup files. */
  id: string;
  /** Columns an INSERT may set (generated columns are left out). */
  columns: string[];
  primaryKey: string[];
  /** Columns of foreign keys to the table itself: set after all its rows are in. */
  selfReferences: string[];
};

const q = (ident: string) => `"${ident.replace(/"/g, '""')}"`;
export const qualify = (id: string) => id.split('.').map(q).join('.');

/** Tables that are the database's bookkeeping, not data: migrations are replayed, not copied. */
const NOT_COPIED = new Set(['public.schema_migrations']);

/** The tables of `schema` in an order where every table comes after those it references. */
export async function listTables(trx: Trx, schema: string): Promise<TableInfo[]> {
  const columns = await sql<{ table_name: string; column_name: string; generated: boolean }>`
    SELECT c.table_name, c.column_name, (c.is_generated = 'ALWAYS') AS generated
    FROM information_schema.columns c
    JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
    WHERE c.table_schema = ${schema} AND t.table_type = 'BASE TABLE'
    ORDER BY c.table_name, c.ordinal_position`.execute(trx);
  const keys = await sql<{ child: string; parent: string; columns: string[]; primary: boolean }>`
    SELECT cl.relname AS child, coalesce(pc.relname, '') AS parent, (con.contype = 'p') AS primary,
      array(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, i)
            JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.i) AS columns
    FROM pg_constraint con
    JOIN pg_class cl ON cl.oid = con.conrelid
    LEFT JOIN pg_class pc ON pc.oid = con.confrelid
    WHERE con.connamespace = ${schema}::regnamespace AND con.contype IN ('f', 'p')`.execute(trx);

  const tables = new Map<string, TableInfo>();
  for (const c of columns.rows) {
    const id = `${schema}.${c.table_name}`;
    if (NOT_COPIED.has(id)) continue;
    const t = tables.get(id) ?? { qualified: qualify(id), id, columns: [], primaryKey: [], selfReferences: [] };
    if (!c.generated) t.columns.push(c.column_name);
    tables.set(id, t);
  }
  const parents = new Map<string, Set<string>>();
  for (const k of keys.rows) {
    const t = tables.get(`${schema}.${k.child}`);
    if (!t) continue;
    if (k.primary) t.primaryKey = k.columns;
    else if (k.parent === k.child) t.selfReferences.push(...k.columns);
    else parents.set(t.id, (parents.get(t.id) ?? new Set()).add(`${schema}.${k.parent}`));
  }
  const ordered: TableInfo[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, path: string[]) => {
    if (state.get(id) === 'done' || !tables.has(id)) return;
    if (state.get(id) === 'visiting') throw new Error(`Foreign keys form a cycle (${[...path, id].join(' -> ')}); the copy cannot order these tables.`);
    state.set(id, 'visiting');
    for (const p of [...(parents.get(id) ?? [])].sort()) visit(p, [...path, id]);
    state.set(id, 'done');
    ordered.push(tables.get(id)!);
  };
  for (const id of [...tables.keys()].sort()) visit(id, []);
  for (const t of ordered) {
    if (t.selfReferences.length > 0 && t.primaryKey.length === 0) throw new Error(`${t.id} refers to itself but has no primary key; the copy cannot link its rows.`);
  }
  return ordered;
}

/** A table's rows as row_to_json() text, `batch` rows at a time, through a cursor. */
export async function* rowBatches(trx: Trx, table: TableInfo, batch = 500): AsyncGenerator<string[]> {
  const cursor = q(`copy_${table.id.replace(/\W/g, '_')}`);
  await sql.raw(`DECLARE ${cursor} NO SCROLL CURSOR FOR SELECT row_to_json(t)::text AS r FROM ${table.qualified} t`).execute(trx);
  for (;;) {
    const { rows } = await sql.raw<{ r: string }>(`FETCH ${batch} FROM ${cursor}`).execute(trx);
    if (rows.length === 0) break;
    yield rows.map((row) => row.r);
  }
  await sql.raw(`CLOSE ${cursor}`).execute(trx);
}

/**
 * Inserts rows (row_to_json text) into `table`. Only the columns both sides have are set, so a
 * source column the target lacks is an error the caller sees before (compareColumns).
 */
export async function insertRows(trx: Trx, table: TableInfo, rows: string[]): Promise<void> {
  if (rows.length === 0) return;
  const selfRefs = new Set(table.selfReferences);
  const cols = table.columns.map(q).join(', ');
  const values = table.columns.map((c) => (selfRefs.has(c) ? 'NULL' : `j.${q(c)}`)).join(', ');
  const json = `[${rows.join(',')}]`;
  await sql`${sql.raw(`INSERT INTO ${table.qualified} (${cols}) OVERRIDING SYSTEM VALUE SELECT ${values} FROM json_populate_recordset(NULL::${table.qualified}, `)}${json}::json) j`.execute(trx);
}

/** Second pass for foreign keys to the same table: set them once every row exists. */
export async function linkSelfReferences(trx: Trx, table: TableInfo, rows: string[]): Promise<void> {
  if (table.selfReferences.length === 0 || rows.length === 0) return;
  const set = table.selfReferences.map((c) => `${q(c)} = j.${q(c)}`).join(', ');
  const match = table.primaryKey.map((c) => `t.${q(c)} = j.${q(c)}`).join(' AND ');
  const json = `[${rows.join(',')}]`;
  await sql`${sql.raw(`UPDATE ${table.qualified} t SET ${set} FROM json_populate_recordset(NULL::${table.qualified}, `)}${json}::json) j WHERE ${sql.raw(match)}`.execute(trx);
}

export type SequenceState = { id: string; lastValue: string | null };

export async function readSequences(trx: Trx, schema: string): Promise<SequenceState[]> {
  const { rows } = await sql<{ name: string; last_value: string | null }>`
    SELECT sequencename AS name, last_value::text FROM pg_sequences WHERE schemaname = ${schema} ORDER BY sequencename`.execute(trx);
  return rows.map((r) => ({ id: `${schema}.${r.name}`, lastValue: r.last_value }));
}

/** Sets each sequence where the source had it, so new identity values never collide with copied ones. */
export async function writeSequences(trx: Trx, sequences: SequenceState[]): Promise<void> {
  for (const s of sequences) {
    if (s.lastValue === null) continue;
    await sql`SELECT setval(${qualify(s.id)}::regclass, ${s.lastValue}::bigint, true)`.execute(trx);
  }
}

/** Refuses a target whose tables differ from the source's (another schema version). */
export function compareTables(source: Pick<TableInfo, 'id' | 'columns'>[], target: TableInfo[]): void {
  const byId = new Map(target.map((t) => [t.id, t]));
  const problems: string[] = [];
  for (const s of source) {
    const t = byId.get(s.id);
    if (!t) problems.push(`table ${s.id} is missing in the target`);
    else {
      const missing = s.columns.filter((c) => !t.columns.includes(c));
      if (missing.length) problems.push(`${s.id} lacks column(s) ${missing.join(', ')} in the target`);
    }
  }
  if (problems.length) throw new Error(`The target database's schema differs from the source's: ${problems.join('; ')}.`);
}
