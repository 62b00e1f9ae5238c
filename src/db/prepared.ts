// Named prepared statements for the statements the portal repeats. Measured with pg_stat_statements
// (bench/RESULTS.md, issue #13): planning cost the database about as much as executing — 0.1–0.3 ms
// of each statement of a booking, its mail and its guest link. A statement prepared once per
// connection is parsed and analysed once, and after five runs PostgreSQL may keep a generic plan.
//
// Every parameterised statement sent through a pooled client (Kysely's, pg-boss's) takes a name
// the second time its text is seen: one-off texts (an IN list of an unusual length) stay unnamed.
// Names are bounded per process, so a connection holds at most MAX_NAMED prepared statements.
// Statements without parameters (BEGIN, COMMIT, the notices' batch of several statements) keep the
// simple protocol: a named statement must be one statement.
//
// A schema change under a running instance (another instance migrating) can make PostgreSQL refuse
// a prepared `SELECT *` whose columns changed ("cached plan must not change result type", 0A000):
// that connection then prepares its statements again under new names, and a statement that ran on
// its own (outside a transaction) is sent again, since nothing of it ran.
import type pg from 'pg';

const MAX_NAMED = 300;
const MAX_SEEN_ONCE = 4_096;

export class StatementNames {
  readonly #names = new Map<string, string>();
  #seenOnce = new Set<string>();
  readonly max: number;

  constructor(max = MAX_NAMED) {
    this.max = max;
  }

  /** The name for `text`, or undefined while it has been seen once or the names are used up. */
  nameFor(text: string): string | undefined {
    const name = this.#names.get(text);
    if (name !== undefined || this.#names.size >= this.max) return name;
    if (!this.#seenOnce.has(text)) {
      if (this.#seenOnce.size >= MAX_SEEN_ONCE) this.#seenOnce = new Set();
      this.#seenOnce.add(text);
      return undefined;
    }
    this.#seenOnce.delete(text);
    const fresh = `wm_${this.#names.size}`;
    this.#names.set(text, fresh);
    return fresh;
  }

  get size(): number {
    return this.#names.size;
  }
}

/** `client.query` as the wrappers of a pooled client see it (here and callback-queries.ts). */
export type QueryFn = (...args: unknown[]) => unknown;

/** Makes `client.query(text, values)` use named statements from `names`; other calls go through as they are. */
export function prepareRepeated(client: pg.ClientBase, names: StatementNames): void {
  const original = client.query.bind(client) as QueryFn;
  let generation = 0;
  const named = (text: string, values: unknown[]) => {
    const name = names.nameFor(text);
    return name === undefined ? undefined : { name: generation === 0 ? name : `${name}_${generation}`, text, values };
  };
  (client as unknown as { query: QueryFn }).query = (...args: unknown[]) => {
    const [text, values, callback] = args;
    if (typeof text !== 'string' || !Array.isArray(values) || values.length === 0 || callback !== undefined) return original(...args);
    const config = named(text, values);
    if (!config) return original(text, values);
    const alone = client.getTransactionStatus() === 'I';
    return (original(config) as Promise<unknown>).catch((e: unknown) => {
      if (!planChanged(e)) throw e;
      generation++;
      if (!alone) throw e;
      const again = named(text, values);
      return again ? original(again) : original(text, values);
    });
  };
}

function planChanged(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === '0A000' && /cached plan must not change result type/i.test(String((e as Error).message));
}
