import { useCallback, useEffect, useState } from 'react';
import { api } from '../api/client.ts';

type Query = Record<string, string | undefined>;

/** GET a `{ items }` collection, with a reload after changes. */
export function useList<T>(path: string, query?: Query) {
  const [items, setItems] = useState<T[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const key = JSON.stringify(query ?? {});
  const reload = useCallback(async () => {
    try {
      const answer = await api.get<{ items: T[] }>(path, JSON.parse(key) as Query);
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

/** The API's largest page (`limit`) for offset-paged collections. */
const MAX_PAGE = 500;

/** The first `count` items of an offset-paged collection, and whether there are more after them. */
async function readFirst<T>(path: string, query: Query, count: number): Promise<{ items: T[]; more: boolean }> {
  const items: T[] = [];
  for (;;) {
    // One more than asked for tells whether the list goes on.
    const limit = Math.min(MAX_PAGE, count + 1 - items.length);
    const page = await api.get<{ items: T[] }>(path, { ...query, offset: String(items.length), limit: String(limit) });
    items.push(...page.items);
    if (page.items.length < limit) return { items, more: false };
    if (items.length > count) return { items: items.slice(0, count), more: true };
  }
}

/**
 * An offset-paged `{ items }` collection (`limit`, `offset`), a page at a time: `more` says that
 * the list goes on and `showMore` reads the next page, so that a long list is never cut short
 * without a word. A reload after a change reads again as many as are shown.
 */
export function usePagedList<T>(path: string, query: Query = {}, pageSize = 100) {
  const [items, setItems] = useState<T[] | null>(null);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const key = JSON.stringify(query);
  // How many are shown, for the query they were shown for: a new query starts at its first page.
  const [shown, setShown] = useState({ key, count: pageSize });
  const count = shown.key === key ? shown.count : pageSize;
  const reload = useCallback(async () => {
    try {
      const read = await readFirst<T>(path, JSON.parse(key) as Query, count);
      setItems(read.items);
      setMore(read.more);
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, [path, key, count]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { items, error, reload, more, showMore: () => setShown({ key, count: count + pageSize }) };
}
