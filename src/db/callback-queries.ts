// Every query of a pooled client runs in node-postgres's callback form, wrapped in a promise here.
//
// Kysely calls `client.query(text, values)` and awaits the promise node-postgres makes for it. In
// that form pg 8 builds the Query without a callback and sets one afterwards; in the callback form
// the Query gets it in its constructor. Measured on this machine (pg 8.23, Node 24, one client
// fetching a week of the calendar, 640 rows, 1,000 times): the promise form made V8's young
// generation keep 13 MB across each scavenge instead of 20 KB, and every ~70th query waited 20–35 ms
// on that scavenge (p99 21–28 ms against 5–7 ms); the same statement in the callback form, or with a
// promise made outside node-postgres as here, showed neither (bench/RESULTS.md, issue #13). Why V8
// keeps more was not found; what changes it is only where the callback is given.
import type pg from 'pg';
import type { QueryFn } from './prepared.ts';

/** Makes `client.query(text|config[, values])` without a callback use the callback form; other calls go through as they are. */
export function callbackQueries(client: pg.ClientBase): void {
  const original = client.query.bind(client) as QueryFn;
  (client as unknown as { query: QueryFn }).query = (...args: unknown[]) => {
    const [config, values] = args;
    const submittable = typeof config === 'object' && config !== null && typeof (config as { submit?: unknown }).submit === 'function';
    if (submittable || args.some((a) => typeof a === 'function') || args.length > 2) return original(...args);
    return new Promise((resolve, reject) => {
      const done = (err: Error | null, result: unknown) => (err ? reject(err) : resolve(result));
      if (values === undefined) original(config, done);
      else original(config, values, done);
    }).catch((err: unknown) => {
      // As node-postgres's promise form does: a stack that leads back to the caller (through the
      // awaits), not to the socket.
      if (err instanceof Error) Error.captureStackTrace(err);
      throw err;
    });
  };
}
