// The room set of the reference deployment, created on the first start of an empty database
// (2×200, 2×100, 4×50 = 800 seats of rooms behind a 500-seat licence pool). Admins edit them after.
import { sql } from 'kysely';
import type { Db } from './database.ts';

export const DEFAULT_ROOMS = [
  { name: 'Aula Magna', capacity: 200 },
  { name: 'Aula Galileo', capacity: 200 },
  { name: 'Sala Volta', capacity: 100 },
  { name: 'Sala Fermi', capacity: 100 },
  { name: 'Sala Levi-Montalcini', capacity: 50 },
  { name: 'Sala Hack', capacity: 50 },
  { name: 'Sala Marconi', capacity: 50 },
  { name: 'Sala Agnesi', capacity: 50 },
];

/** Seeds only a database that never had rooms; the advisory lock keeps two instances from both seeding. */
export async function seedDefaultRooms(db: Db, timeZone: string): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(7310003)`.execute(trx);
    const existing = await trx.selectFrom('rooms').select('id').limit(1).execute();
    if (existing.length > 0) return 0;
    await trx
      .insertInto('rooms')
      .values(DEFAULT_ROOMS.map((r) => ({ ...r, time_zone: timeZone })))
      .execute();
    return DEFAULT_ROOMS.length;
  });
}
