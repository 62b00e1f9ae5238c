import type { Availability, Booking } from '../api/types.ts';
import { wallClock } from './zone.ts';

/** What the calendar needs of one block in the grid, beyond its times. */
export type SlotProps = {
  kind: 'own' | 'visible' | 'busy';
  bookingId: string | null;
  roomId: string;
  seats: number;
  bookerName: string | null;
  start: string;
  end: string;
};

export interface CalendarEventInput {
  id: string;
  resourceIds: string[];
  start: string;
  end: string;
  title: string;
  editable?: boolean;
  classNames?: string[];
  extendedProps: SlotProps;
}

/**
 * Turns availability (every busy slot, details only where the viewer may see them) and the
 * viewer's bookings into calendar events, as floating wall-clock times in the display zone.
 */
export function toCalendarEvents(
  availability: Availability,
  bookings: Booking[],
  meId: string,
  canEditOthers: boolean,
  zone: string,
  busyLabel: string,
): CalendarEventInput[] {
  const byId = new Map(bookings.map((b) => [b.id, b]));
  const events: CalendarEventInput[] = [];
  for (const room of availability.rooms) {
    room.busy.forEach((slot, index) => {
      const booking = slot.bookingId ? byId.get(slot.bookingId) : undefined;
      const own = booking?.booker.id === meId;
      const kind: SlotProps['kind'] = own ? 'own' : slot.bookingId ? 'visible' : 'busy';
      const id = slot.bookingId ?? `busy:${room.roomId}:${index}:${slot.start}`;
      events.push({
        id,
        resourceIds: [room.roomId],
        start: wallClock(slot.start, zone),
        end: wallClock(slot.end, zone),
        title: slot.title ?? busyLabel,
        editable: own || (kind === 'visible' && canEditOthers),
        classNames: [`wm-slot-${kind}`],
        extendedProps: {
          kind,
          bookingId: slot.bookingId,
          roomId: room.roomId,
          seats: slot.seats,
          bookerName: booking?.booker.name ?? null,
          start: slot.start,
          end: slot.end,
        },
      });
    });
  }
  return events;
}

/** The zone the grid is drawn in: the rooms' own zone when they share one, else the portal default. */
export function displayZone(roomZones: string[], defaultZone: string): string {
  const zones = new Set(roomZones);
  return zones.size === 1 ? [...zones][0]! : defaultZone;
}
