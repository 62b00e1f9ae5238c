// Usage statistics (issue #15): who may see which figures, over which period. Administrators see
// everything (or one institution); institution managers see their own institution only, since it
// pays for its share of the licence. The figures themselves are SQL (db/statistics-repository.ts).
import { DateTime } from 'luxon';
import { AppError, forbidden } from '../domain/errors.ts';
import type { CallContext, Clock } from '../ports.ts';

export type StatisticsScope = { from: Date; to: Date; now: Date; timeZone: string; institutionId: string | null };

export type MeetingFigures = {
  meetings: number;
  held: number;
  noShows: number;
  unknown: number;
  bookedHours: number;
  heldHours: number;
  avgPeople: number | null;
  avgWeb: number | null;
  avgPhone: number | null;
  maxPeople: number;
  seatHours: number;
  peopleHours: number;
};

export type Summary = MeetingFigures & {
  peak: { at: string; web: number; phone: number; total: number } | null;
  seriesShare: number | null;
  medianLeadDays: number | null;
  leadTime: { sameDay: number; withinWeek: number; withinMonth: number; later: number };
  cancellations: { count: number; medianHoursBefore: number | null; afterStart: number; lastHour: number; lastDay: number; lastWeek: number; earlier: number };
};

export type Grouped = MeetingFigures & { key: string; label: string };
export type PoolBucket = { start: string; bookedSeats: number; presentPeople: number; peakPeople: number };
export type HeatCell = { weekday: number; hour: number; bookedHours: number; utilisation: number };

export interface StatisticsReader {
  summary(s: StatisticsScope): Promise<Summary>;
  grouped(s: StatisticsScope, by: 'room' | 'institution' | 'month'): Promise<Grouped[]>;
  pool(s: StatisticsScope, bucket: 'day' | 'hour'): Promise<PoolBucket[]>;
  heatmap(s: StatisticsScope): Promise<HeatCell[]>;
}

export type PeriodQuery = { from?: string | undefined; to?: string | undefined; institutionId?: string | undefined };
/** The period as asked (local dates, `to` included) and the scope the figures are computed over. */
export type Period = { from: string; to: string; timeZone: string; institutionId: string | null; bucket: 'day' | 'hour' };

/** Longer periods cost more than a page should ask for at once; two years covers a year-on-year look. */
export const MAX_PERIOD_DAYS = 731;

export class StatisticsService {
  private readonly d: { reader: StatisticsReader; clock: Clock; timeZone: string };
  constructor(d: { reader: StatisticsReader; clock: Clock; timeZone: string }) {
    this.d = d;
  }

  /** Checks who asks and for what; the period defaults to the last twelve months up to today. */
  period(ctx: CallContext, q: PeriodQuery): Period & { scope: StatisticsScope } {
    const { actor } = ctx;
    if (actor.role === 'member') throw forbidden('MANAGER_ONLY', 'Usage statistics are for administrators and institution managers.', { it: 'Le statistiche di utilizzo sono per gli amministratori e i referenti di ente.' });
    let institutionId = q.institutionId ?? null;
    if (actor.role === 'institution-manager') {
      if (institutionId && institutionId !== actor.institutionId) throw forbidden('OTHER_INSTITUTION', 'Institution managers see the statistics of their own institution only.', { it: 'I referenti di ente vedono solo le statistiche del proprio ente.' });
      if (!actor.institutionId) throw forbidden('NO_INSTITUTION', 'Your account belongs to no institution, so there are no statistics to show you.', { it: 'Il tuo account non appartiene ad alcun ente, quindi non ci sono statistiche da mostrarti.' });
      institutionId = actor.institutionId;
    }
    const zone = this.d.timeZone;
    const today = DateTime.fromJSDate(this.d.clock.now(), { zone }).startOf('day');
    const to = q.to ? parseDay(q.to, zone, 'to') : today;
    const from = q.from ? parseDay(q.from, zone, 'from') : to.minus({ months: 12 }).plus({ days: 1 });
    if (from > to) {
      throw new AppError('invalid', 'PERIOD_REVERSED', `The period starts (${from.toISODate()}) after it ends (${to.toISODate()}); swap the dates.`, {}, {
        it: `Il periodo inizia (${from.toISODate()}) dopo la fine (${to.toISODate()}); scambia le date.`,
      });
    }
    const days = Math.round(to.diff(from, 'days').days) + 1;
    if (days > MAX_PERIOD_DAYS) {
      throw new AppError('invalid', 'PERIOD_TOO_LONG', `The period has ${days} days; ask for at most ${MAX_PERIOD_DAYS} at a time.`, {}, {
        it: `Il periodo ha ${days} giorni; chiedine al massimo ${MAX_PERIOD_DAYS} alla volta.`,
      });
    }
    return {
      from: from.toISODate()!,
      to: to.toISODate()!,
      timeZone: zone,
      institutionId,
      bucket: days > 14 ? 'day' : 'hour',
      scope: { from: from.toJSDate(), to: to.plus({ days: 1 }).toJSDate(), now: this.d.clock.now(), timeZone: zone, institutionId },
    };
  }

  async summary(ctx: CallContext, q: PeriodQuery) {
    const p = this.period(ctx, q);
    return { period: strip(p), ...(await this.d.reader.summary(p.scope)) };
  }

  async grouped(ctx: CallContext, q: PeriodQuery, by: 'room' | 'institution' | 'month') {
    const p = this.period(ctx, q);
    return { period: strip(p), items: await this.d.reader.grouped(p.scope, by) };
  }

  async pool(ctx: CallContext, q: PeriodQuery) {
    const p = this.period(ctx, q);
    return { period: strip(p), items: await this.d.reader.pool(p.scope, p.bucket) };
  }

  async heatmap(ctx: CallContext, q: PeriodQuery) {
    const p = this.period(ctx, q);
    return { period: strip(p), items: await this.d.reader.heatmap(p.scope) };
  }
}

const strip = ({ scope: _scope, ...period }: Period & { scope: StatisticsScope }): Period => period;

function parseDay(text: string, zone: string, which: 'from' | 'to'): DateTime {
  const day = DateTime.fromISO(text, { zone });
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || !day.isValid) {
    throw new AppError('invalid', 'BAD_DATE', `"${text}" is not a date for \`${which}\`; write it as YYYY-MM-DD.`, {}, { it: `"${text}" non è una data per \`${which}\`; scrivila come AAAA-MM-GG.` });
  }
  return day.startOf('day');
}
