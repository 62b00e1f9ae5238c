// Which rooms the calendar shows, remembered per browser. Stored as the rooms left out, so a
// room added later shows up until someone hides it.

const KEY = 'wm.calendar.hiddenRooms';

export function loadHiddenRooms(): Set<string> {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(KEY) ?? '[]');
    return new Set(Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string') : []);
  } catch {
    return new Set();
  }
}

export function saveHiddenRooms(hidden: Set<string>): void {
  if (hidden.size === 0) localStorage.removeItem(KEY);
  else localStorage.setItem(KEY, JSON.stringify([...hidden]));
}

/** The rooms to draw: all but the hidden ones, and never none (a filter that hides every room is ignored). */
export function visibleRooms<R extends { id: string }>(rooms: R[], hidden: Set<string>): R[] {
  const shown = rooms.filter((r) => !hidden.has(r.id));
  return shown.length > 0 ? shown : rooms;
}
