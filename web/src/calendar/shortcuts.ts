import { useEffect, useRef } from 'react';

/** The calendar's single-key shortcuts, in the order the help lists them. */
export const SHORTCUTS = [
  { key: 't', action: 'today' },
  { key: 'p', action: 'previous' },
  { key: 'n', action: 'next' },
  { key: 'd', action: 'day' },
  { key: 'w', action: 'week' },
  { key: 'l', action: 'list' },
  { key: 'g', action: 'goTo' },
  { key: '?', action: 'help' },
] as const;

export type ShortcutAction = (typeof SHORTCUTS)[number]['action'];

const ENABLED_KEY = 'wm.calendar.shortcuts';

// WCAG 2.1.4 (character key shortcuts): people who speak commands or type with a switch can turn them off.
export const shortcutsEnabled = () => localStorage.getItem(ENABLED_KEY) !== 'off';
export const setShortcutsEnabled = (on: boolean) => (on ? localStorage.removeItem(ENABLED_KEY) : localStorage.setItem(ENABLED_KEY, 'off'));

/** Whether a key press is meant for something else: typing in a field, a menu, an open dialog, a chord. */
export function ignoredKeyEvent(e: KeyboardEvent): boolean {
  if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return true;
  const target = e.target as HTMLElement | null;
  if (target?.closest?.('input, textarea, select, [contenteditable=""], [contenteditable="true"], dialog')) return true;
  return document.querySelector('dialog[open]') !== null;
}

export function actionOfKey(key: string): ShortcutAction | null {
  return SHORTCUTS.find((s) => s.key === key.toLowerCase() || (s.key === '?' && key === '?'))?.action ?? null;
}

/** Listens on the document while the calendar is on screen. */
export function useCalendarShortcuts(run: (action: ShortcutAction) => void): void {
  const latest = useRef(run);
  latest.current = run;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (ignoredKeyEvent(e) || !shortcutsEnabled()) return;
      const action = actionOfKey(e.key);
      if (!action) return;
      e.preventDefault();
      latest.current(action);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
}
