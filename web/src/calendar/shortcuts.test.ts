import { describe, expect, it } from 'vitest';
import { visibleRooms } from './roomFilter.ts';
import { actionOfKey, SHORTCUTS } from './shortcuts.ts';

describe('calendar keyboard shortcuts', () => {
  it('maps each listed key, in either case, to its action', () => {
    for (const s of SHORTCUTS) expect(actionOfKey(s.key)).toBe(s.action);
    expect(actionOfKey('T')).toBe('today');
    expect(actionOfKey('N')).toBe('next');
  });

  it('ignores other keys', () => {
    for (const key of ['x', 'Enter', 'ArrowLeft', ' ', '/']) expect(actionOfKey(key)).toBeNull();
  });

  it('gives every action one key', () => {
    expect(new Set(SHORTCUTS.map((s) => s.key)).size).toBe(SHORTCUTS.length);
    expect(new Set(SHORTCUTS.map((s) => s.action)).size).toBe(SHORTCUTS.length);
  });
});

describe('room filter', () => {
  const rooms = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];

  it('draws every room but the hidden ones', () => {
    expect(visibleRooms(rooms, new Set(['b']))).toEqual([{ id: 'a' }, { id: 'c' }]);
  });

  it('shows a room added after the filter was set, and never an empty calendar', () => {
    expect(visibleRooms([...rooms, { id: 'd' }], new Set(['a'])).map((r) => r.id)).toEqual(['b', 'c', 'd']);
    expect(visibleRooms(rooms, new Set(['a', 'b', 'c']))).toEqual(rooms);
  });
});
