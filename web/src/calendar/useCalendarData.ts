import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api/client.ts';
import type { Availability } from '../api/types.ts';
import { subscribeBookingReloads } from './live.ts';

interface Range {
  from: string;
  to: string;
}

/**
 * Availability for the visible range, kept fresh by server-sent events. It carries what the grid
 * shows of each booking the viewer may manage (title, seats, booker); a booking's page or dialog
 * reads the rest of one booking when it is opened (the whole week's bookings were ~420 KB a week).
 */
export function useCalendarData(range: Range | null) {
  const [availability, setAvailability] = useState<Availability | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const generation = useRef(0);
  const rangeRef = useRef(range);
  rangeRef.current = range;

  const reload = useCallback(async () => {
    const r = rangeRef.current;
    if (!r) return;
    const mine = ++generation.current;
    setLoading(true);
    try {
      const a = await api.get<Availability>('/api/v1/availability', { from: r.from, to: r.to });
      if (mine !== generation.current) return;
      performance.mark('wm:calendar-data');
      setAvailability(a);
      setError(null);
    } catch (e) {
      if (mine === generation.current) setError(e);
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    void reload();
  }, [range?.from, range?.to, reload]);

  // The changes within the range shown; a burst of them (a series, a move that is cancel+create for
  // some servers) folds into one reload.
  useEffect(
    () =>
      subscribeBookingReloads(
        () => void reload(),
        (change) => {
          const r = rangeRef.current;
          return !r || (Date.parse(change.end) > Date.parse(r.from) && Date.parse(change.start) < Date.parse(r.to));
        },
      ),
    [reload],
  );

  return { availability, error, loading, reload };
}
