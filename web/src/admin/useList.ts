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

/** Field errors of a 400 answer keyed by the first segment of their path. */
export function fieldErrors(errors: Array<{ path: string; message: string }>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of errors) {
    const key = e.path.replace(/^\/|^body[./]/, '').split(/[./]/)[0] ?? '';
    if (key && !out[key]) out[key] = e.message;
  }
  return out;
}
