// vitest's global set-up for the PGlite run: PGlite's initdb takes seconds, and nearly every test
// file opens a database (some several). One fresh database and one migrated database are made once
// per run and dumped to files; openTestDatabase starts each file's database from one of them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';

export type PgliteSnapshots = { fresh: string; migrated: string };

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteSnapshots: PgliteSnapshots | null;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  if (process.env.DATABASE_URL) {
    project.provide('pgliteSnapshots', null);
    return () => {};
  }
  const dir = mkdtempSync(join(tmpdir(), 'webmeetings-pglite-'));
  const save = async (database: Database, name: string) => {
    const file = join(dir, `${name}.tar`);
    writeFileSync(file, new Uint8Array(await (await database.dump!()).arrayBuffer()));
    return file;
  };
  const database = await openDatabase({ memory: true });
  try {
    const fresh = await save(database, 'fresh');
    await migrate(database.db);
    project.provide('pgliteSnapshots', { fresh, migrated: await save(database, 'migrated') });
  } finally {
    await database.close();
  }
  return () => rmSync(dir, { recursive: true, force: true });
}
