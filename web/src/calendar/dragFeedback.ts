import { useSyncExternalStore } from 'react';
import type { SlotProblem } from './rules.ts';

// Updated on every pointer move while dragging; kept out of React state so the page
// around the grid does not re-render at pointer rate.

let current: SlotProblem | null = null;
const listeners = new Set<() => void>();

export function setDragProblem(problem: SlotProblem | null): void {
  if (problem?.code === current?.code) return;
  current = problem;
  for (const l of listeners) l();
}

export function useDragProblem(): SlotProblem | null {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => current,
  );
}
