import { describe, expect, it } from 'vitest';
import { KeptValues } from './kept-reads.ts';

describe('KeptValues', () => {
  it('makes a value once per key and starts afresh when it holds its bound', () => {
    const kept = new KeptValues<string>(2);
    let made = 0;
    const make = (v: string) => () => (made++, v);
    expect(kept.get('a', make('A'))).toBe('A');
    expect(kept.get('a', make('other'))).toBe('A');
    expect(kept.get('b', make('B'))).toBe('B');
    expect(made).toBe(2);
    // A third key clears the two kept: 'a' is made again.
    expect(kept.get('c', make('C'))).toBe('C');
    expect(kept.get('a', make('A2'))).toBe('A2');
    expect(made).toBe(4);
  });
});
