// A feed's iCalendar (METHOD:PUBLISH, RFC 5546, 3.2.1): a user's bookings with titles and links,
// or a room's busy times without who or what.
import type { FeedContent } from '../app/feeds.ts';
import { buildCalendar, type CalendarEvent } from './calendar.ts';
import { bookingEvent, locationOf } from './compose.ts';
import type { MeetingDetailsSource } from './meeting-details.ts';

/** A user's feed carries each booking's join link, guest link and dial-in, as the invitations do. */
export async function feedCalendar(content: FeedContent, publicUrl: string, details: MeetingDetailsSource): Promise<string> {
  const host = new URL(publicUrl).hostname;
  if (content.kind === 'room') {
    const events: CalendarEvent[] = content.busy.map((b) => ({
      uid: `busy-${b.id}@${host}`,
      sequence: 0,
      start: b.start,
      end: b.end,
      zone: content.room.timeZone,
      summary: 'Busy / Occupato',
      description: '',
      location: locationOf(content.room.name, { joinUrl: null, guestUrl: null, dialIn: null }),
      url: null,
      stamp: b.start,
      busyOnly: true,
    }));
    return buildCalendar({ method: 'PUBLISH', events, name: `${content.room.name} – WebMeetings` });
  }
  const events: CalendarEvent[] = [];
  // A few at a time: each booking's links and dial-in are a couple of small reads.
  for (let i = 0; i < content.bookings.length; i += 8) {
    const batch = content.bookings.slice(i, i + 8);
    const links = await Promise.all(batch.map((b) => details({ bookingId: b.id, seriesId: b.seriesId })));
    batch.forEach((b, k) => events.push(bookingEvent(b, links[k]!, publicUrl, { instance: false })));
  }
  return buildCalendar({ method: 'PUBLISH', events, name: 'WebMeetings' });
}
