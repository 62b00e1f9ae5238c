// After the meeting (issue #15): the attendance report (JSON, or CSV with ?format=csv or
// Accept: text/csv) and the recordings of a booking's meeting with the booker's controls.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { attendanceCsv, type AttendanceService } from '../../app/attendance.ts';
import type { RecordingService } from '../../app/recordings.ts';
import type { MeetingRecording } from '../../providers/port.ts';
import { callContext } from '../access.ts';
import * as S from '../schemas.ts';
import { SCHEMA_WORDS } from '../schema-words.ts';
import { icsFileName } from './booking-ics.ts';

const Attendance = z.object({
  bookingId: S.Id,
  title: z.string(),
  start: z.string(),
  end: z.string(),
  timeZone: z.string(),
  presenceTracked: z.boolean().describe('false: the room’s service cannot list its participants; web rows then only say when each person entered'),
  people: z.array(
    z.object({
      name: z.string().describe('the account’s name, the name a guest gave, or a phone number with all but its last digits masked'),
      kind: z.enum(['web', 'guest', 'phone']).describe('web: signed in; guest: without an account; phone: a caller'),
      firstSeen: z.string(),
      lastSeen: z.string().describe('the last minute the person was seen (phone callers and listed people), or when they entered'),
      totalSeconds: z.number().int().describe('time present, summed over the minutes the person was seen'),
    }),
  ),
});
const AttendanceQuery = z.strictObject({ format: z.enum(['json', 'csv']).optional() });

const Recording = z.object({
  id: z.string(),
  name: z.string(),
  start: z.string(),
  end: z.string().nullable(),
  lengthMinutes: z.number().nullable(),
  published: z.boolean().describe('published: anyone with its link may play it'),
  url: z.string().nullable().describe('where it plays; null while the service still processes it'),
});
const Recordings = z.object({ bookingId: S.Id, available: z.boolean().describe('the room’s service keeps recordings the portal can list'), canManage: z.boolean(), items: z.array(Recording) });
const RecordingParams = z.strictObject({ id: S.Id, recordingId: z.string().min(1).max(200).regex(/^[A-Za-z0-9_.:-]+$/, SCHEMA_WORDS.recordingId.en) });

const recordingJson = (r: MeetingRecording) => ({ ...r, start: r.start.toISOString(), end: r.end?.toISOString() ?? null });

export const afterMeetingRoutes: FastifyPluginAsyncZod<{ attendance: AttendanceService; recordings: RecordingService }> = async (app, { attendance, recordings }) => {
  app.get('/bookings/:id/attendance', {
    config: { access: 'signed-in' },
    schema: {
      tags: ['attendance'],
      summary: 'Who joined the meeting, from when to when and for how long (booker and managers); CSV with ?format=csv or Accept: text/csv',
      params: S.IdParams,
      querystring: AttendanceQuery,
      produces: ['application/json', 'text/csv'],
      response: { 200: Attendance, ...S.errorResponses },
    },
    handler: async (req, reply) => {
      const r = await attendance.report(callContext(req), req.params.id);
      reply.header('cache-control', 'private, no-store');
      const csv = req.query.format === 'csv' || (req.query.format === undefined && /\btext\/csv\b/.test(req.headers.accept ?? ''));
      if (csv) {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${icsFileName(r.title).replace(/\.ics$/, '')}-attendance.csv"`)
          .send(attendanceCsv(r) as never);
      }
      return {
        bookingId: r.bookingId,
        title: r.title,
        start: r.start.toISOString(),
        end: r.end.toISOString(),
        timeZone: r.timeZone,
        presenceTracked: r.presenceTracked,
        people: r.people.map((p) => ({ name: p.display, kind: p.kind, firstSeen: p.firstSeen.toISOString(), lastSeen: p.lastSeen.toISOString(), totalSeconds: p.totalSeconds })),
      };
    },
  });

  const tags = ['recordings'];
  app.get('/bookings/:id/recordings', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'The recordings of the meeting: all for the booker and managers, the published ones for invitees', params: S.IdParams, response: { 200: Recordings, ...S.errorResponses } },
    handler: async (req, reply) => {
      const list = await recordings.list(callContext(req), req.params.id);
      reply.header('cache-control', 'private, no-store');
      return { ...list, items: list.items.map(recordingJson) };
    },
  });

  for (const [action, published] of [['publish', true], ['unpublish', false]] as const) {
    app.post(`/bookings/:id/recordings/:recordingId/${action}`, {
      config: { access: 'signed-in' },
      schema: { tags, summary: published ? 'Publish a recording (anyone with its link may play it)' : 'Unpublish a recording', params: RecordingParams, response: { 200: Recording, ...S.errorResponses } },
      handler: async (req) => recordingJson(await recordings.publish(callContext(req), req.params.id, req.params.recordingId, published)),
    });
  }

  app.delete('/bookings/:id/recordings/:recordingId', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Delete a recording on the service', params: RecordingParams, response: { 204: z.null(), ...S.errorResponses } },
    handler: async (req, reply) => {
      await recordings.remove(callContext(req), req.params.id, req.params.recordingId);
      return reply.code(204).send(null);
    },
  });
};
