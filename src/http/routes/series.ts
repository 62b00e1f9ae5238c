// Recurring bookings: preview, create (all-or-nothing or book-the-free-ones), read, change and
// cancel one occurrence, this and the following ones, or the whole series.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { SeriesService } from '../../app/series.ts';
import { refusalView } from '../../app/series.ts';
import { toZonedIso } from '../../domain/time.ts';
import type { Booking, Series } from '../../ports.ts';
import { callContext } from '../access.ts';
import { answerLang } from '../errors.ts';
import * as S from '../schemas.ts';
import { bookingView } from '../views.ts';

const iso = (d: Date) => d.toISOString();

export const seriesView = (s: Series) => ({
  id: s.id,
  title: s.title,
  description: s.description,
  roomId: s.roomId,
  roomName: s.roomName,
  timeZone: s.timeZone,
  seats: s.seats,
  rrule: s.rrule,
  firstStart: iso(s.firstStart),
  firstStartLocal: toZonedIso(s.firstStart, s.timeZone),
  durationMinutes: s.durationMinutes,
  exdates: s.exdates.map(iso),
  sequence: s.sequence,
  sharedAccess: s.sharedAccess,
  splitFrom: s.splitFrom,
  status: s.status,
  booker: { id: s.bookerId, name: s.bookerName },
  bookedBy: s.bookedById ? { id: s.bookedById, name: s.bookedByName ?? '' } : null,
  institutionId: s.institutionId,
  createdAt: iso(s.createdAt),
  updatedAt: iso(s.updatedAt),
});

export const occurrenceView = (b: Booking) => ({
  ...bookingView(b),
  seriesId: b.seriesId,
  recurrenceId: b.recurrenceId && iso(b.recurrenceId),
  isException: b.isException,
  sequence: b.sequence,
});

export const seriesRoutes: FastifyPluginAsyncZod<{ series: SeriesService }> = async (app, { series }) => {
  const tags = ['series'];

  app.post('/series/preview', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: 'The dates a rule gives and which are free, with the nearest free slot for each taken one (books nothing)',
      body: S.SeriesCreate,
      response: { 200: S.SeriesPreview, ...S.errorResponses },
    },
    handler: async (req) => {
      const { zone, room, occurrences } = await series.preview(callContext(req), req.body);
      return {
        room: { id: room.id, name: room.name },
        occurrences: occurrences.map((p) => ({
          start: iso(p.start),
          end: iso(p.end),
          startLocal: toZonedIso(p.start, zone),
          endLocal: toZonedIso(p.end, zone),
          free: p.free,
          leftOut: p.leftOut,
          refusal: p.refusal && refusalView(p.refusal, zone, answerLang(req)),
        })),
      };
    },
  });

  app.post('/series', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: 'Book a recurring meeting: every date under the same rules as a single booking, in one transaction',
      description:
        'mode "all-or-nothing": if any date is taken nothing is booked and 409 SERIES_CONFLICTS lists every conflicting date with its nearest free alternative. mode "book-free": the free dates are booked and the answer lists the skipped ones and why.',
      body: S.SeriesCreate,
      response: { 201: S.SeriesOutcome, ...S.errorResponses },
    },
    handler: async (req, reply) => {
      const outcome = await series.create(callContext(req), req.body);
      return reply
        .code(201)
        .header('location', `/api/v1/series/${outcome.series.id}`)
        .send({
          series: seriesView(outcome.series),
          booked: outcome.booked.map(occurrenceView),
          skipped: outcome.skipped.map((f) => refusalView(f, outcome.series.timeZone, answerLang(req))),
        });
    },
  });

  app.get('/series', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Series you may see', querystring: S.SeriesQuery, response: { 200: S.Page(S.Series), ...S.errorResponses } },
    handler: async (req) => ({ items: (await series.list(callContext(req), { limit: req.query.limit })).map(seriesView), nextCursor: null }),
  });

  app.get('/series/:id', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'One series with all its occurrences (cancelled ones included)', params: S.IdParams, response: { 200: S.SeriesDetail, ...S.errorResponses } },
    handler: async (req) => {
      const found = await series.get(callContext(req), req.params.id);
      return { series: seriesView(found.series), occurrences: found.occurrences.map(occurrenceView) };
    },
  });

  app.patch('/series/:id/occurrences/:bookingId', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: 'Change this occurrence, this and the following ones, or the whole series',
      params: S.SeriesOccurrenceParams,
      body: S.SeriesChange,
      response: { 200: S.SeriesOutcome, ...S.errorResponses },
    },
    handler: async (req) => {
      const { scope, message, ...input } = req.body;
      const outcome = await series.change(callContext(req), req.params.id, req.params.bookingId, scope, input, { message });
      return { series: seriesView(outcome.series), booked: outcome.booked.map(occurrenceView), skipped: [] };
    },
  });

  app.delete('/series/:id/occurrences/:bookingId', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: 'Cancel this occurrence (an EXDATE), this and the following ones, or the whole series',
      params: S.SeriesOccurrenceParams,
      querystring: S.SeriesScopeQuery,
      response: { 200: S.Series, ...S.errorResponses },
    },
    handler: async (req) => seriesView(await series.cancel(callContext(req), req.params.id, req.params.bookingId, req.query.scope)),
  });

  app.delete('/series/:id', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Cancel the whole series (meetings already over stay as they were)', params: S.IdParams, response: { 200: S.Series, ...S.errorResponses } },
    handler: async (req) => seriesView(await series.cancel(callContext(req), req.params.id, null, 'all')),
  });

  // The same two with a message for the people told (a DELETE carries no body, RFC 9110, 9.3.5).
  app.post('/series/:id/occurrences/:bookingId/cancel', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: 'Cancel this occurrence, this and the following ones, or the whole series, with a message for the booker and invitees',
      params: S.SeriesOccurrenceParams,
      body: S.SeriesCancelBody,
      response: { 200: S.Series, ...S.errorResponses },
    },
    handler: async (req) =>
      seriesView(await series.cancel(callContext(req), req.params.id, req.params.bookingId, req.body.scope, req.body)),
  });

  app.post('/series/:id/cancel', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Cancel the whole series, with a message for its booker and invitees', params: S.IdParams, body: S.MessageBody, response: { 200: S.Series, ...S.errorResponses } },
    handler: async (req) => seriesView(await series.cancel(callContext(req), req.params.id, null, 'all', req.body)),
  });
};
