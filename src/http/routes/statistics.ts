// Usage statistics (issue #15) for administrators and institution managers: JSON for the page, and
// CSV of every table for a spreadsheet (`?format=csv`, or `Accept: text/csv`).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callContext } from '../access.ts';
import * as S from '../schemas.ts';
import { SCHEMA_WORDS } from '../schema-words.ts';
import { toCsv, type CsvValue } from '../../domain/csv.ts';
import type { Grouped, StatisticsService, Summary } from '../../app/statistics.ts';

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, SCHEMA_WORDS.date.en);
const Query = z.strictObject({
  from: Day.optional().describe('First day (in the portal’s time zone); default: twelve months before `to`'),
  to: Day.optional().describe('Last day, included; default: today'),
  institutionId: z.uuid().optional().describe('Administrators: one institution only (managers always see their own)'),
  format: z.enum(['json', 'csv']).optional().describe('`csv` for a spreadsheet (also chosen by `Accept: text/csv`)'),
});
const Period = z.object({ from: z.string(), to: z.string(), timeZone: z.string(), institutionId: z.string().nullable(), bucket: z.enum(['day', 'hour']) });
const Figures = {
  meetings: z.number().describe('Confirmed bookings that started in the period'),
  held: z.number().describe('Meetings someone was in'),
  noShows: z.number().describe('Ended meetings nobody joined, on a service that counts its participants'),
  unknown: z.number().describe('Meetings whose attendance cannot be told (a service that cannot count, nobody by phone)'),
  bookedHours: z.number(),
  heldHours: z.number(),
  avgPeople: z.number().nullable().describe('Average of each held meeting’s peak, web + phone'),
  avgWeb: z.number().nullable(),
  avgPhone: z.number().nullable(),
  maxPeople: z.number(),
  seatHours: z.number().describe('Seats booked × hours'),
  peopleHours: z.number().describe('People present × hours (from the minute samples)'),
};
const SummaryBody = z.object({
  period: Period,
  ...Figures,
  peak: z.object({ at: z.string(), web: z.number(), phone: z.number(), total: z.number() }).nullable().describe('The minute with the most people in all meetings together'),
  seriesShare: z.number().nullable(),
  medianLeadDays: z.number().nullable().describe('How far ahead people book (median, days)'),
  leadTime: z.object({ sameDay: z.number(), withinWeek: z.number(), withinMonth: z.number(), later: z.number() }),
  cancellations: z.object({ count: z.number(), medianHoursBefore: z.number().nullable(), afterStart: z.number(), lastHour: z.number(), lastDay: z.number(), lastWeek: z.number(), earlier: z.number() }),
});
const GroupedBody = z.object({ period: Period, items: z.array(z.object({ key: z.string(), label: z.string(), ...Figures })) });
const PoolBody = z.object({ period: Period, items: z.array(z.object({ start: z.string(), bookedSeats: z.number(), presentPeople: z.number(), peakPeople: z.number() })) });
const HeatBody = z.object({ period: Period, items: z.array(z.object({ weekday: z.number(), hour: z.number(), bookedHours: z.number(), utilisation: z.number() })) });

const FIGURE_COLUMNS: [string, (r: Grouped) => CsvValue][] = [
  ['meetings', (r) => r.meetings],
  ['held', (r) => r.held],
  ['no_shows', (r) => r.noShows],
  ['unknown', (r) => r.unknown],
  ['booked_hours', (r) => r.bookedHours],
  ['held_hours', (r) => r.heldHours],
  ['avg_people', (r) => r.avgPeople],
  ['avg_web', (r) => r.avgWeb],
  ['avg_phone', (r) => r.avgPhone],
  ['max_people', (r) => r.maxPeople],
  ['seat_hours', (r) => r.seatHours],
  ['people_hours', (r) => r.peopleHours],
];

function summaryRows(s: Summary): [string, CsvValue][] {
  return [
    ...FIGURE_COLUMNS.map(([name, get]) => [name, get(s as unknown as Grouped)] as [string, CsvValue]),
    ['peak_people', s.peak?.total],
    ['peak_web', s.peak?.web],
    ['peak_phone', s.peak?.phone],
    ['peak_at', s.peak?.at],
    ['series_share', s.seriesShare],
    ['median_lead_days', s.medianLeadDays],
    ['lead_same_day', s.leadTime.sameDay],
    ['lead_within_week', s.leadTime.withinWeek],
    ['lead_within_month', s.leadTime.withinMonth],
    ['lead_later', s.leadTime.later],
    ['cancellations', s.cancellations.count],
    ['cancellation_median_hours_before', s.cancellations.medianHoursBefore],
    ['cancelled_after_start', s.cancellations.afterStart],
    ['cancelled_last_hour', s.cancellations.lastHour],
    ['cancelled_last_day', s.cancellations.lastDay],
    ['cancelled_last_week', s.cancellations.lastWeek],
    ['cancelled_earlier', s.cancellations.earlier],
  ];
}

const wantsCsv = (req: FastifyRequest<{ Querystring: z.infer<typeof Query> }>) =>
  req.query.format === 'csv' || (req.query.format !== 'json' && /^text\/csv\b/i.test(String(req.headers.accept ?? '')));

function sendCsv(reply: FastifyReply, name: string, period: { from: string; to: string }, text: string) {
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="webmeetings-${name}-${period.from}-${period.to}.csv"`)
    .send(text);
}

export const statisticsRoutes: FastifyPluginAsyncZod<{ statistics: StatisticsService }> = async (app, { statistics }) => {
  const access = { role: ['admin', 'institution-manager'] } as const;
  const produces = ['application/json', 'text/csv'];

  app.get('/statistics/summary', {
    config: { access },
    schema: { tags: ['statistics'], summary: 'Meetings held, hours, people, peak concurrent users, no-shows, cancellations, lead time', querystring: Query, produces, response: { 200: SummaryBody, ...S.errorResponses } },
    handler: async (req, reply) => {
      const body = await statistics.summary(callContext(req), req.query);
      if (!wantsCsv(req)) return body;
      return sendCsv(reply, 'summary', body.period, toCsv([['figure', (r) => r[0]], ['value', (r) => r[1]]], summaryRows(body)));
    },
  });

  for (const by of ['room', 'institution', 'month'] as const) {
    const path = by === 'room' ? 'rooms' : by === 'institution' ? 'institutions' : 'months';
    app.get(`/statistics/${path}`, {
      config: { access },
      schema: { tags: ['statistics'], summary: `The figures per ${by}`, querystring: Query, produces, response: { 200: GroupedBody, ...S.errorResponses } },
      handler: async (req, reply) => {
        const body = await statistics.grouped(callContext(req), req.query, by);
        if (!wantsCsv(req)) return body;
        return sendCsv(reply, path, body.period, toCsv([[by, (r: Grouped) => r.label], ...FIGURE_COLUMNS], body.items));
      },
    });
  }

  app.get('/statistics/pool', {
    config: { access },
    schema: { tags: ['statistics'], summary: 'The seat pool over time (per day, or per hour for up to 14 days): seats booked against people present', querystring: Query, produces, response: { 200: PoolBody, ...S.errorResponses } },
    handler: async (req, reply) => {
      const body = await statistics.pool(callContext(req), req.query);
      if (!wantsCsv(req)) return body;
      type B = (typeof body.items)[number];
      return sendCsv(reply, 'pool', body.period, toCsv<B>([['start', (r) => r.start], ['booked_seats', (r) => r.bookedSeats], ['present_people', (r) => r.presentPeople], ['peak_people', (r) => r.peakPeople]], body.items));
    },
  });

  app.get('/statistics/heatmap', {
    config: { access },
    schema: { tags: ['statistics'], summary: 'Booked hours and utilisation of the rooms by weekday (1 Monday) and hour', querystring: Query, produces, response: { 200: HeatBody, ...S.errorResponses } },
    handler: async (req, reply) => {
      const body = await statistics.heatmap(callContext(req), req.query);
      if (!wantsCsv(req)) return body;
      type C = (typeof body.items)[number];
      return sendCsv(reply, 'heatmap', body.period, toCsv<C>([['weekday', (r) => r.weekday], ['hour', (r) => r.hour], ['booked_hours', (r) => r.bookedHours], ['utilisation', (r) => r.utilisation]], body.items));
    },
  });
};
