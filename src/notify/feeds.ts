// A feed's iCalendar (METHOD:PUBLISH, RFC 5546, 3.2.1): a user's bookings with titles and links,
// or a room's busy times without who or what.
import type { FeedContent } from '../app/feeds.ts';
import { buildCalendar, type CalendarEvent } from './calendar.ts';
import { bookingUid } from './compose.ts';

export function feedCalendar(content: FeedContent, publicUrl: string): string {
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
      location: content.room.name,
      url: null,
      stamp: b.start,
      busyOnly: true,
    }));
    return buildCalendar({ method: 'PUBLISH', events, name: `${content.room.name} – WebMeetings` });
  }
  const events: CalendarEvent[] = content.bookings.map((b) => {
    const page = new URL(`/bookings/${b.id}`, publicUrl).toString();
    return {
      uid: bookingUid(b.id, publicUrl),
      sequence: b.sequence,
      start: b.start,
      end: b.end,
      zone: b.timeZone,
      summary: b.title,
      description: [b.description, page].filter(Boolean).join('\n'),
      location: b.roomName,
      url: page,
      stamp: b.updatedAt,
    };
  });
  return buildCalendar({ method: 'PUBLISH', events, name: 'WebMeetings' });
}
