// Wrong guest PINs in PostgreSQL (migrations/007), so every instance sees the same counts. A wrong
// PIN is judged and recorded in one transaction, under a lock of the client address and of the guest
// link's row: parallel guesses queue up and each one sees the failures before it, so no burst of
// requests slips past the limit. A try that writes nothing (a wait already in force, or the right
// PIN) is answered from one unlocked read: it stands before any failure not yet committed, so the
// order the locks would give exists all the same, and the guests of a meeting that starts do not
// queue behind each other; the reads of the tries that arrive together are one statement. The
// locked tries queue in memory per address and per link (one pooled connection each per instance):
// 300 guesses at once do not hold 300 connections waiting on one row.
import { sql, type RawBuilder } from 'kysely';
import type { GuestPinAttempts, PinAttemptOutcome } from '../app/joining.ts';
import { guestPinWait, type GuestPinLimits, type RecentPinFailures } from '../domain/guest-pin.ts';
import { PgAuditRepository } from './audit-repository.ts';
import type { Db, Executor } from './database.ts';
import { OneAtATime } from './one-at-a-time.ts';
import { GroupCommit } from '../app/group-commit.ts';

type Ask = { linkId: string; address: string; now: Date };
/** A link's PIN and the recent failures of the link and of the address; null: no such link. */
type Seen = ({ pin: string | null } & RecentRow) | null;

export class PgGuestPinAttempts implements GuestPinAttempts {
  private readonly db: Db;
  private readonly limits: GuestPinLimits;
  private readonly queue = new OneAtATime();
  // The guests of a meeting that starts post their PINs together: their reads go as one statement
  // per turn of the event loop or read in flight (app/group-commit.ts), not one each.
  private readonly reads = new GroupCommit<Ask, Seen>({
    together: (asks) => this.read(asks),
    alone: async (ask) => (await this.read([ask]))[0]!,
    maxBatch: 500,
    lanes: 2,
    gather: true,
  });
  constructor(db: Db, limits: GuestPinLimits) {
    this.db = db;
    this.limits = limits;
  }

  async attempt(linkId: string, address: string, now: Date, check: (pin: string | null) => boolean): Promise<PinAttemptOutcome> {
    const seen = await this.reads.submit({ linkId, address, now });
    if (!seen) return { kind: 'wrong', waitAfter: null };
    const wait = guestPinWait(this.limits, recentOf(seen), now);
    if (wait) return { kind: 'wait', wait };
    if (check(seen.pin)) return { kind: 'ok' };
    // Address first, then the link, as the locks below.
    return this.queue.run(`address:${address}`, () => this.queue.run(`link:${linkId}`, () => this.counted(linkId, address, now, check)));
  }

  /** The attempt under the locks: the wait and the PIN judged again, a wrong one recorded. */
  private counted(linkId: string, address: string, now: Date, check: (pin: string | null) => boolean): Promise<PinAttemptOutcome> {
    return this.db.transaction().execute(async (trx) => {
      // Address first, then the link: every attempt takes the two locks in the same order.
      await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`guest-pin:${address}`}, 0))`.execute(trx);
      const link = await sql<{ pin: string | null }>`SELECT pin FROM guest_links WHERE booking_id = ${linkId} FOR UPDATE`.execute(trx);
      if (!link.rows[0]) return { kind: 'wrong', waitAfter: null };
      const before = await this.recent(trx, linkId, address, now);
      const wait = guestPinWait(this.limits, before, now);
      if (wait) return { kind: 'wait', wait };
      if (check(link.rows[0].pin)) return { kind: 'ok' };
      await sql`INSERT INTO guest_pin_failures (link_id, address, at) VALUES (${linkId}, ${address}, ${now})`.execute(trx);
      const after = await this.recent(trx, linkId, address, now);
      const waitAfter = guestPinWait(this.limits, after, now);
      // Each failure that makes the next try wait is in the audit log (the booking's entity), with the
      // address: the booker and the administrators see a link under attack.
      if (waitAfter) {
        await new PgAuditRepository(trx).record({
          actorId: null,
          action: 'guest.pin.limited',
          entity: 'booking',
          entityId: linkId,
          before: null,
          after: { scope: waitAfter.scope, waitSeconds: waitAfter.seconds, address, linkFailures: after.link, addressFailures: after.address },
        });
      }
      return { kind: 'wrong', waitAfter };
    });
  }

  /** Each ask's link with its recent failures, in the asks' order, by one statement. */
  private async read(asks: readonly Ask[]): Promise<Seen[]> {
    const { rows } = await sql<{ i: string; found: boolean; pin: string | null } & RecentRow>`
      SELECT x.i, g.booking_id IS NOT NULL AS found, g.pin, ${this.recentColumns(sql.ref('x.l'), sql.ref('x.a'), sql.ref('x.s'))}
        FROM unnest(${asks.map((a) => a.linkId)}::uuid[], ${asks.map((a) => a.address)}::text[], ${asks.map((a) => this.since(a.now))}::timestamptz[])
             WITH ORDINALITY AS x (l, a, s, i)
        LEFT JOIN guest_links g ON g.booking_id = x.l`.execute(this.db);
    const seen: Seen[] = asks.map(() => null);
    for (const r of rows) if (r.found) seen[Number(r.i) - 1] = r;
    return seen;
  }

  private async recent(db: Executor, linkId: string, address: string, now: Date): Promise<RecentPinFailures> {
    const { rows } = await sql<RecentRow>`SELECT ${this.recentColumns(sql.val(linkId), sql.val(address), sql.val(this.since(now)))}`.execute(db);
    return recentOf(rows[0]!);
  }

  private since(now: Date): Date {
    return new Date(now.getTime() - this.limits.windowMinutes * 60_000);
  }

  /** The failures within the window, of the link and of the address, as the columns of RecentRow. */
  private recentColumns(linkId: RawBuilder<unknown>, address: RawBuilder<unknown>, since: RawBuilder<unknown>): RawBuilder<unknown> {
    return sql`(SELECT count(*) FROM guest_pin_failures WHERE link_id = ${linkId} AND at > ${since}) AS link,
             (SELECT max(at) FROM guest_pin_failures WHERE link_id = ${linkId} AND at > ${since}) AS link_latest,
             (SELECT count(*) FROM guest_pin_failures WHERE address = ${address} AND at > ${since}) AS address,
             (SELECT at FROM guest_pin_failures WHERE address = ${address} AND at > ${since}
               ORDER BY at DESC OFFSET ${this.limits.maxPerAddress - 1} LIMIT 1) AS address_cap`;
  }
}

type RecentRow = { link: string; link_latest: Date | null; address: string; address_cap: Date | null };

function recentOf(r: RecentRow): RecentPinFailures {
  return {
    link: Number(r.link),
    linkLatest: r.link_latest ? new Date(r.link_latest) : null,
    address: Number(r.address),
    addressCapReachedBy: r.address_cap ? new Date(r.address_cap) : null,
  };
}
