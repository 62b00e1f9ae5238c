// GET /api/v1/bookings/:id/ics: one booking as an iCalendar file (RFC 5545) for "My bookings".
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { callContext } from '../auth.ts';
import * as S from '../schemas.ts';
import type { Services } from '../services.ts';
import type { Booking } from '../../ports.ts';

export type BookingIcsOptions = { services: Services; publicUrl: string };

/** A file name that every operating system accepts, from the booking's title. */
export function icsFileName(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `${slug || 'booking'}.ics`;
}

export function bookingCalendar(booking: Booking, publicUrl: string): string {
  const host = new URL(publicUrl).host;
  const calendar = ical({
    name: 'WebMeetings',
    prodId: { company: 'WebMeetings', product: 'Booking portal', language: 'EN' },
    // PUBLISH: a copy to add to one's calendar, not a meeting request (RFC 5546, 3.2.1).
    method: ICalCalendarMethod.PUBLISH,
  });
  calendar.createEvent({
    // UID must stay the same across downloads so a calendar app updates instead of duplicating.
    id: `${booking.id}@${host}`,
    // Instants in UTC: every client shows them in its own zone; no VTIMEZONE needed.
    start: booking.start,
    end: booking.end,
    stamp: booking.updatedAt,
    created: booking.createdAt,
    lastModified: booking.updatedAt,
    summary: booking.title,
    description: booking.description || null,
    location: booking.roomName,
    url: new URL(`/bookings`, publicUrl).toString(),
    status: booking.status === 'cancelled' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    // SEQUENCE grows with each change so re-imports replace the earlier copy.
    sequence: Math.max(0, Math.floor((booking.updatedAt.getTime() - booking.createdAt.getTime()) / 1000)),
  });
  return calendar.toString();
}

export const bookingIcsRoutes: FastifyPluginAsyncZod<BookingIcsOptions> = async (app, { services, publicUrl }) => {
  app.get('/bookings/:id/ics', {
    schema: {
      tags: ['bookings'],
      summary: 'One booking as an iCalendar (.ics) file',
      params: S.IdParams,
      produces: ['text/calendar'],
    },
    handler: async (req, reply) => {
      const booking = await services.bookings.get(callContext(req), req.params.id);
      return reply
        .type('text/calendar; charset=utf-8')
        .header('content-disposition', `attachment; filename="${icsFileName(booking.title)}"`)
        .header('cache-control', 'private, no-store')
        .send(bookingCalendar(booking, publicUrl));
    },
  });
};
