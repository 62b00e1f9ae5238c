import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api/client.ts';
import type { Availability, Booking, Page } from '../api/types.ts';
import { subscribeBookingChanges } from './live.ts';

interface Range {
  from: string;
  to: string;
}

async function loadBookings(range: Range): Promise<Booking[]> {
  const items: Booking[] = [];
  let cursor: string | null = null;
  // Bounded: a week of one portal is a few hundred bookings. Pages as large as the API gives (500):
  // a busy week of eight rooms (~640 bookings) is two requests, not four.
  for (let page = 0; page < 20; page++) {
    const answer: Page<Booking> = await api.get<Page<Booking>>('/api/v1/bookings', {
      from: range.from,
      to: range.to,
      status: 'confirmed',
      limit: 500,
      cursor,
    });
    items.push(...answer.items);
    cursor = answer.nextCursor;
    if (!cursor) break;
  }
  return items;
}

/** Availability and the viewer's bookings for the visible range, kept fresh by server-sent events. */
export function useCalendarData(range: Range | null) {
  const [availability, setAvailability] = useState<Availability | null>(null);
  const [bookings, setBookings] = useState<Booking[]>([]);
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
      const [a, b] = await Promise.all([
        api.get<Availability>('/api/v1/availability', { from: r.from, to: r.to }),
        loadBookings(r),
      ]);
      if (mine !== generation.current) return;
      performance.mark('wm:calendar-data');
      setAvailability(a);
      setBookings(b);
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

  const timer = useRef<number | undefined>(undefined);
  useEffect(() => {
    const unsubscribe = subscribeBookingChanges((change) => {
      const r = rangeRef.current;
      if (change && r && (Date.parse(change.end) <= Date.parse(r.from) || Date.parse(change.start) >= Date.parse(r.to))) {
        return;
      }
      // Several changes in a burst (a move is cancel+create for some servers) fold into one reload.
      window.clearTimeout(timer.current);
      timer.current = window.setTimeout(() => void reload(), 80);
    });
    return () => {
      window.clearTimeout(timer.current);
      unsubscribe();
    };
  }, [reload]);

  return { availability, bookings, error, loading, reload };
}
