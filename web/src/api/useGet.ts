import { useEffect, useState } from 'react';
import { api } from './client.ts';

/**
 * One GET for a part of a page: its answer, null while it is read (again whenever the path
 * changes; null reads nothing), or the error it failed with. An answer that comes after the path
 * changed or the part was left is dropped.
 */
export function useGet<T>(path: string | null): { data: T | null; error: unknown } {
  const [state, setState] = useState<{ path: string | null; data: T | null; error: unknown }>({ path: null, data: null, error: null });
  useEffect(() => {
    if (path === null) return;
    let live = true;
    api.get<T>(path).then(
      (data) => live && setState({ path, data, error: null }),
      (error: unknown) => live && setState({ path, data: null, error }),
    );
    return () => {
      live = false;
    };
  }, [path]);
  return state.path === path ? state : { data: null, error: null };
}
