// The room cache on its own (app/room-cache.ts): one read for many, forgotten by a room notice and by
// its age, a read in flight when forgotten not kept; test/api/room-cache.test.ts runs it in portals.
import { describe, expect, it } from 'vitest';
import { BOOKING_CHANNEL, JOIN_CHANNEL, type Room, type RoomInput, type RoomRepository } from '../ports.ts';
import { RoomCache } from './room-cache.ts';

const room = (id: string, capacity: number, active = true): Room => ({
  id,
  name: `Room ${id}`,
  capacity,
  timeZone: 'Europe/Rome',
  provider: null,
  active,
  onApproval: false,
  createdAt: new Date(0),
  updatedAt: new Date(0),
});

/** A repository over an array, counting its reads; `gate` holds reads until released. */
type FakeRooms = RoomRepository & { reads: number; rows: Room[]; hold(): () => void };

function fakeRooms(rows: Room[]): FakeRooms {
  let gate: Promise<void> | null = null;
  const repo: FakeRooms = {
    reads: 0,
    rows,
    hold() {
      let release!: () => void;
      gate = new Promise((r) => (release = r));
      return () => {
        gate = null;
        release();
      };
    },
    async list(opts: { includeInactive?: boolean } = {}) {
      repo.reads++;
      const seen = repo.rows.map((r) => ({ ...r }));
      if (gate) await gate;
      return seen.filter((r) => opts.includeInactive || r.active).sort((a, b) => b.capacity - a.capacity || a.name.localeCompare(b.name));
    },
    async findById(id: string) {
      repo.reads++;
      return repo.rows.find((r) => r.id === id) ?? null;
    },
    async create(input: RoomInput) {
      const made = { ...room(`n${repo.rows.length}`, input.capacity), name: input.name };
      repo.rows.push(made);
      return made;
    },
    async update() {
      return null;
    },
    async count() {
      return repo.rows.length;
    },
  };
  return repo;
}

describe('RoomCache', () => {
  it('reads the rooms once for many lists and lookups, active ones by default, in the repository’s order', async () => {
    const repo = fakeRooms([room('a', 10), room('b', 50), room('c', 30, false)]);
    const cache = new RoomCache(repo, { maxAgeMs: 60_000 });
    const [first, second] = await Promise.all([cache.list(), cache.list()]);
    expect(first.map((r) => r.id)).toEqual(['b', 'a']);
    expect(second).toEqual(first);
    expect((await cache.list({ includeInactive: true })).map((r) => r.id)).toEqual(['b', 'c', 'a']);
    expect((await cache.findById('c'))?.capacity).toBe(30);
    expect(repo.reads).toBe(1);
    // Each caller gets its own array: sorting one does not reorder the next.
    (await cache.list()).sort((x, y) => x.capacity - y.capacity);
    expect((await cache.list()).map((r) => r.id)).toEqual(['b', 'a']);
  });

  it('forgets on a room notice (JOIN_CHANNEL all), or an unreadable one, not on a booking’s', async () => {
    const repo = fakeRooms([room('a', 10)]);
    const cache = new RoomCache(repo, { maxAgeMs: 60_000 });
    await cache.list();
    cache.apply(JOIN_CHANNEL, JSON.stringify({ bookingId: 'x' }));
    cache.apply(BOOKING_CHANNEL, JSON.stringify({ all: true }));
    await cache.list();
    expect(repo.reads).toBe(1);
    repo.rows[0] = room('a', 99);
    cache.apply(JOIN_CHANNEL, JSON.stringify({ all: true }));
    expect((await cache.list())[0]!.capacity).toBe(99);
    expect(repo.reads).toBe(2);
    cache.apply(JOIN_CHANNEL, '{not json');
    await cache.list();
    expect(repo.reads).toBe(3);
  });

  it('does not keep a read that was in flight when the rooms were forgotten', async () => {
    const repo = fakeRooms([room('a', 10)]);
    const cache = new RoomCache(repo, { maxAgeMs: 60_000 });
    const release = repo.hold();
    const early = cache.list();
    repo.rows[0] = room('a', 20);
    cache.forget();
    release();
    expect((await early)[0]!.capacity).toBe(10);
    expect((await cache.list())[0]!.capacity).toBe(20);
    expect(repo.reads).toBe(2);
  });

  it('reads again once its age is past, and looks up a room it does not know in the repository', async () => {
    const repo = fakeRooms([room('a', 10)]);
    const cache = new RoomCache(repo, { maxAgeMs: 30 });
    await cache.list();
    repo.rows.push(room('late', 5));
    // Made elsewhere after the read: found by id, and the next list has it.
    expect((await cache.findById('late'))?.id).toBe('late');
    expect((await cache.list()).map((r) => r.id)).toEqual(['a', 'late']);
    expect(await cache.findById('none')).toBeNull();
    const reads = repo.reads;
    await new Promise((r) => setTimeout(r, 40));
    await cache.list();
    expect(repo.reads).toBe(reads + 1);
  });

  it('forgets after its own create', async () => {
    const repo = fakeRooms([room('a', 10)]);
    const cache = new RoomCache(repo, { maxAgeMs: 60_000 });
    await cache.list();
    await cache.create({ name: 'New', capacity: 7, timeZone: 'UTC', provider: null, active: true });
    expect((await cache.list()).map((r) => r.name)).toContain('New');
  });
});
