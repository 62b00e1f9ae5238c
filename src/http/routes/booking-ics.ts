// One booking to pass on: GET /api/v1/bookings/:id/ics, an iCalendar file (RFC 5545) for "My
// bookings"; GET /api/v1/bookings/:id/invitation, its invitation as text to paste (a course page, a
// chat), worded as the invitees' mails are, with the same links.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { buildCalendar } from '../../notify/calendar.ts';
import { bookingEvent } from '../../notify/compose.ts';
import { noMeetingDetails, type MeetingDetails, type MeetingDetailsSource } from '../../notify/meeting-details.ts';
import { MAX_LISTED_DATES, renderMail } from '../../notify/messages.ts';
import { callContext } from '../access.ts';
import * as S from '../schemas.ts';
import type { Services } from '../services.ts';
import type { Booking } from '../../ports.ts';

export type BookingIcsOptions = { services: Services; publicUrl: string; details: MeetingDetailsSource };

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

/**
 * The booking as a PUBLISH calendar (a copy to add, not a meeting request: RFC 5546, 3.2.1), built
 * like the mailed invitations, with their UID, SEQUENCE, links and dial-in, so a calendar that got
 * both keeps one event and takes the newer copy.
 */
export function bookingCalendar(booking: Booking, details: MeetingDetails, publicUrl: string): string {
  return buildCalendar({ method: 'PUBLISH', name: 'WebMeetings', events: [bookingEvent(booking, details, publicUrl, { instance: true })] });
}

const withoutGuestPin = (d: MeetingDetails, omit: boolean): MeetingDetails => (omit ? { ...d, guestPin: null } : d);

export const bookingIcsRoutes: FastifyPluginAsyncZod<BookingIcsOptions> = async (app, { services, publicUrl, details }) => {
  app.get('/bookings/:id/ics', {
    config: { access: 'signed-in' },
    schema: {
      tags: ['bookings'],
      summary: 'One booking as an iCalendar (.ics) file',
      params: S.IdParams,
      produces: ['text/calendar'],
    },
    handler: async (req, reply) => {
      const booking = await services.bookings.get(callContext(req), req.params.id);
      // A cancelled booking has no way in any more: only its page.
      const links = booking.status === 'confirmed' ? await details({ bookingId: booking.id, seriesId: booking.seriesId }) : await noMeetingDetails({ bookingId: booking.id, seriesId: null });
      return reply
        .type('text/calendar; charset=utf-8')
        .header('content-disposition', `attachment; filename="${icsFileName(booking.title)}"`)
        .header('cache-control', 'private, no-store')
        .send(bookingCalendar(booking, links, publicUrl));
    },
  });

  app.get('/bookings/:id/invitation', {
    config: { access: 'signed-in' },
    schema: {
      tags: ['bookings'],
      summary: 'A meeting’s invitation as text to share, in a language (for whoever manages the booking)',
      params: S.IdParams,
      querystring: S.InvitationQuery,
      response: { 200: S.InvitationText, ...S.errorResponses },
    },
    handler: async (req, reply) => {
      const { booking, dates } = await services.bookings.toShare(callContext(req), req.params.id);
      const mail = renderMail({
        kind: 'invitation',
        locale: req.query.locale,
        title: booking.title,
        roomName: booking.roomName,
        start: booking.start,
        end: booking.end,
        roomZone: booking.timeZone,
        recipientZone: null,
        details: withoutGuestPin(await details({ bookingId: booking.id, seriesId: booking.seriesId }), req.query.withGuestPin === 'false'),
        portalUrl: publicUrl,
        // Whoever reads it is an invitee: the two ways in, no link to the booker's page.
        invitee: true,
        dates: dates.slice(0, MAX_LISTED_DATES),
        signature: false,
      });
      // It holds the guest link: not for shared caches.
      reply.header('cache-control', 'private, no-store');
      return { subject: mail.subject, text: mail.text };
    },
  });
};
