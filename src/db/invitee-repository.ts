import { sql, type Selectable } from 'kysely';
import { JOIN_CHANNEL, type Invitee, type InviteeReply, type InviteeRepository, type InviteeTarget } from '../ports.ts';
import type { Executor } from './database.ts';
import type { NoticeSink } from './notices.ts';
import { seriesDb, type InviteeTable } from './series-schema.ts';

/** The column and id a target's invitees are kept under (a booking's, or a whole series'). */
const ownerOf = (t: InviteeTarget) => ('bookingId' in t ? (['booking_id', t.bookingId] as const) : (['series_id', t.seriesId] as const));

type Row = Selectable<InviteeTable>;

export class PgInviteeRepository implements InviteeRepository {
  private readonly db;
  private readonly notices: NoticeSink;
  constructor(db: Executor, notices: NoticeSink) {
    this.db = seriesDb(db);
    this.notices = notices;
  }

  /** Who is invited decides who joins as an attendee: every instance's join cache must hear of it. */
  private async changed(target: InviteeTarget): Promise<void> {
    const payload = JSON.stringify('bookingId' in target ? { bookingId: target.bookingId } : { all: true });
    await this.notices([{ channel: JOIN_CHANNEL, payload }]);
  }

  async list(target: InviteeTarget): Promise<Invitee[]> {
    const [column, owner] = ownerOf(target);
    // Those added together (one list, one instant) read in the order of their addresses.
    const rows = await this.db.selectFrom('booking_invitees').selectAll().where(column, '=', owner).orderBy('created_at').orderBy(sql`lower(email)`).orderBy('id').execute();
    return rows.map(toInvitee);
  }

  async add(target: InviteeTarget, input: { email: string; locale: 'it' | 'en'; timeZone: string | null; cohost?: boolean; muted?: boolean }): Promise<Invitee | null> {
    const row = await this.db
      .insertInto('booking_invitees')
      .values({
        booking_id: 'bookingId' in target ? target.bookingId : null,
        series_id: 'seriesId' in target ? target.seriesId : null,
        email: input.email,
        locale: input.locale,
        time_zone: input.timeZone,
        cohost: input.cohost ?? false,
        muted: input.muted ?? false,
      })
      .onConflict((oc) => oc.doNothing())
      .returningAll()
      .executeTakeFirst();
    if (row) await this.changed(target);
    return row ? toInvitee(row) : null;
  }

  async remove(target: InviteeTarget, id: string): Promise<Invitee | null> {
    const [column, owner] = ownerOf(target);
    const row = await this.db.deleteFrom('booking_invitees').where('id', '=', id).where(column, '=', owner).returningAll().executeTakeFirst();
    if (row) await this.changed(target);
    return row ? toInvitee(row) : null;
  }

  async setCohost(target: InviteeTarget, id: string, cohost: boolean): Promise<Invitee | null> {
    const [column, owner] = ownerOf(target);
    const row = await this.db.updateTable('booking_invitees').set({ cohost }).where('id', '=', id).where(column, '=', owner).returningAll().executeTakeFirst();
    if (row) await this.changed(target);
    return row ? toInvitee(row) : null;
  }

  async findByReplyToken(token: string): Promise<Invitee | null> {
    const row = await this.db.selectFrom('booking_invitees').selectAll().where('reply_token', '=', token).executeTakeFirst();
    return row ? toInvitee(row) : null;
  }

  // Who comes and who reads mail decide nothing about joining: no notice to the join caches.
  async setReply(id: string, change: { reply?: InviteeReply; muted?: boolean }, at: Date): Promise<Invitee | null> {
    const row = await this.db
      .updateTable('booking_invitees')
      .set({ ...(change.reply && { reply: change.reply, replied_at: at }), ...(change.muted !== undefined && { muted: change.muted }) })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row ? toInvitee(row) : null;
  }
}


function toInvitee(r: Row): Invitee {
  return {
    id: r.id,
    bookingId: r.booking_id,
    seriesId: r.series_id,
    email: r.email,
    locale: r.locale === 'en' ? 'en' : 'it',
    timeZone: r.time_zone,
    cohost: r.cohost,
    reply: r.reply === 'yes' || r.reply === 'no' ? r.reply : null,
    repliedAt: r.replied_at,
    muted: r.muted,
    replyToken: r.reply_token,
    createdAt: new Date(r.created_at),
  };
}
