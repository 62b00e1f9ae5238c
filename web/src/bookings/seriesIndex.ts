import { useCallback, useEffect, useState } from 'react';
import { api } from '../api/client.ts';

export type SeriesScope = 'one' | 'following' | 'all';

interface SeriesSummary {
  id: string;
  status: 'active' | 'cancelled';
}

/**
 * Which of the user's bookings are occurrences of a series (booking id → series id). The bookings
 * list does not name the series, so it is read from the series API: the user's series and their
 * occurrences. A failure leaves the map empty: the bookings then show as single ones.
 */
export function useSeriesIndex(): { seriesOf: ReadonlyMap<string, string>; reload(): void } {
  const [seriesOf, setSeriesOf] = useState<ReadonlyMap<string, string>>(new Map());
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let live = true;
    (async () => {
      const list = await api.get<{ items: SeriesSummary[] }>('/api/v1/series');
      const details = await Promise.all(
        list.items
          .filter((s) => s.status === 'active')
          .map((s) => api.get<{ series: SeriesSummary; occurrences: Array<{ id: string }> }>(`/api/v1/series/${encodeURIComponent(s.id)}`)),
      );
      const map = new Map<string, string>();
      for (const d of details) for (const o of d.occurrences) map.set(o.id, d.series.id);
      if (live) setSeriesOf(map);
    })().catch(() => undefined);
    return () => {
      live = false;
    };
  }, [version]);
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  return { seriesOf, reload };
}
