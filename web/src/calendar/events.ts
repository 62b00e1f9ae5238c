import type { Availability, BusySlot } from '../api/types.ts';
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
 * Turns availability (every busy slot, with its booking, title and booker where the viewer may
 * manage it) into calendar events, as floating wall-clock times in the display zone.
 */
export function toCalendarEvents(
  availability: Availability,
  meId: string,
  zone: string,
  busyLabel: string,
): CalendarEventInput[] {
  const events: CalendarEventInput[] = [];
  for (const room of availability.rooms) {
    room.busy.forEach((slot, index) => {
      const own = slot.booker?.id === meId;
      const kind: SlotProps['kind'] = own ? 'own' : slot.bookingId ? 'visible' : 'busy';
      const id = slot.bookingId ?? `busy:${room.roomId}:${index}:${slot.start}`;
      events.push({
        id,
        resourceIds: [room.roomId],
        start: wallClock(slot.start, zone),
        end: wallClock(slot.end, zone),
        title: slot.title ?? busyLabel,
        // The API names a booking only where the viewer may manage it (its booker, whoever booked it
        // for them, a manager of its institution, an administrator): that is where it may be dragged.
        editable: kind !== 'busy',
        classNames: [`wm-slot-${kind}`],
        extendedProps: {
          kind,
          bookingId: slot.bookingId,
          roomId: room.roomId,
          seats: slot.seats,
          bookerName: slot.booker?.name ?? null,
          start: slot.start,
          end: slot.end,
        },
      });
    });
  }
  return events;
}

/** A booking's slot in this availability (its title, its series), null when the viewer may not see it there. */
export function slotOf(availability: Availability | null, bookingId: string): BusySlot | null {
  for (const room of availability?.rooms ?? []) for (const slot of room.busy) if (slot.bookingId === bookingId) return slot;
  return null;
}

/** The zone the grid is drawn in: the rooms' own zone when they share one, else the portal default. */
export function displayZone(roomZones: string[], defaultZone: string): string {
  const zones = new Set(roomZones);
  return zones.size === 1 ? [...zones][0]! : defaultZone;
}
