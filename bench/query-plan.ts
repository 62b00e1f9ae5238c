// Why a query takes the time it takes: the statement a repository method really sends (caught by
// statement-log.ts), run again under EXPLAIN (ANALYZE, BUFFERS), summarised on one line: how the
// bookings table was reached and how many rows were read only to be thrown away.
import type { CompiledQuery } from 'kysely';
import type { Database } from '../src/db/database.ts';

type PlanNode = {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
};

function walk(node: PlanNode, visit: (n: PlanNode) => void) {
  visit(node);
  for (const child of node.Plans ?? []) walk(child, visit);
}

export async function explain(database: Database, query: CompiledQuery): Promise<string> {
  const { rows } = await database.pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode; 'Execution Time': number }] }>(
    `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${query.sql}`,
    query.parameters as unknown[],
  );
  const { Plan, 'Execution Time': time } = rows[0]!['QUERY PLAN'][0];
  const scans: string[] = [];
  walk(Plan, (n) => {
    const onBookings = n['Relation Name'] === 'bookings' || n['Index Name']?.startsWith('bookings');
    if (!onBookings) return;
    const removed = (n['Rows Removed by Filter'] ?? 0) + (n['Rows Removed by Index Recheck'] ?? 0);
    const rowsOut = (n['Actual Rows'] ?? 0) * (n['Actual Loops'] ?? 1);
    const blocks = (n['Shared Hit Blocks'] ?? 0) + (n['Shared Read Blocks'] ?? 0);
    scans.push(
      `${n['Node Type']}${n['Index Name'] ? ` using ${n['Index Name']}` : ''}: ${rowsOut.toLocaleString('en-US')} rows` +
        `${removed ? `, ${removed.toLocaleString('en-US')} removed by filter` : ''}, ${blocks.toLocaleString('en-US')} buffers`,
    );
  });
  return `${scans.join('; ') || Plan['Node Type']}; ${time.toFixed(2)} ms in the database`;
}
