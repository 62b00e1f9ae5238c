import { useCallback, useEffect, useState } from 'react';
import { api } from '../api/client.ts';

/** GET a `{ items }` collection, with a reload after changes. */
export function useList<T>(path: string, query?: Record<string, string | undefined>) {
  const [items, setItems] = useState<T[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const key = JSON.stringify(query ?? {});
  const reload = useCallback(async () => {
    try {
      const answer = await api.get<{ items: T[] }>(path, JSON.parse(key) as Record<string, string>);
      setItems(answer.items);
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, [path, key]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { items, error, reload };
}
