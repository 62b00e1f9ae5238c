import { sql } from 'kysely';
import { JOIN_CHANNEL, type Room, type RoomInput, type RoomRepository } from '../ports.ts';
import type { Executor } from './database.ts';
import type { NoticeSink } from './notices.ts';

export class PgRoomRepository implements RoomRepository {
  private readonly db: Executor;
  private readonly notices: NoticeSink;
  constructor(db: Executor, notices: NoticeSink) {
    this.db = db;
    this.notices = notices;
  }

  private select() {
    return this.db.selectFrom('rooms').select(['id', 'name', 'capacity', 'time_zone', 'provider', 'active', 'on_approval', 'created_at', 'updated_at']);
  }

  async list(opts: { includeInactive?: boolean } = {}): Promise<Room[]> {
    const rows = await this.select()
      .$if(!opts.includeInactive, (q) => q.where('active', '=', true))
      .orderBy('capacity', 'desc')
      .orderBy('name')
      .execute();
    return rows.map(toRoom);
  }

  async findById(id: string): Promise<Room | null> {
    const row = await this.select().where('id', '=', id).executeTakeFirst();
    return row ? toRoom(row) : null;
  }

  async create(input: RoomInput): Promise<Room> {
    const row = await this.db
      .insertInto('rooms')
      .values({ name: input.name, capacity: input.capacity, time_zone: input.timeZone, provider: input.provider, active: input.active, on_approval: input.onApproval ?? false })
      .returning(['id', 'name', 'capacity', 'time_zone', 'provider', 'active', 'on_approval', 'created_at', 'updated_at'])
      .executeTakeFirstOrThrow();
    await this.noticeRoomsChanged();
    return toRoom(row);
  }

  async update(id: string, c: Partial<RoomInput>): Promise<Room | null> {
    const row = await this.db
      .updateTable('rooms')
      .set({
        ...(c.name !== undefined && { name: c.name }),
        ...(c.capacity !== undefined && { capacity: c.capacity }),
        ...(c.timeZone !== undefined && { time_zone: c.timeZone }),
        ...(c.provider !== undefined && { provider: c.provider }),
        ...(c.active !== undefined && { active: c.active }),
        ...(c.onApproval !== undefined && { on_approval: c.onApproval }),
        updated_at: sql`now()`,
      })
      .where('id', '=', id)
      .returning(['id', 'name', 'capacity', 'time_zone', 'provider', 'active', 'on_approval', 'created_at', 'updated_at'])
      .executeTakeFirst();
    await this.noticeRoomsChanged();
    return row ? toRoom(row) : null;
  }

  /**
   * Its service and time zone are part of every cached join of its bookings (app/join-cache.ts), and
   * every instance keeps the rooms themselves (app/room-cache.ts).
   */
  private async noticeRoomsChanged(): Promise<void> {
    const payload = JSON.stringify({ all: true });
    await this.notices([{ channel: JOIN_CHANNEL, payload }]);
  }

  async count(): Promise<number> {
    const row = await this.db.selectFrom('rooms').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }
}

type RoomRow = { id: string; name: string; capacity: number; time_zone: string; provider: string | null; active: boolean; on_approval: boolean; created_at: Date; updated_at: Date };
const toRoom = (r: RoomRow): Room => ({
  id: r.id,
  name: r.name,
  capacity: r.capacity,
  timeZone: r.time_zone,
  provider: r.provider,
  active: r.active,
  onApproval: r.on_approval,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});
