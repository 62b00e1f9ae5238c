import { describe, expect, it } from 'vitest';
import { KeptValues } from './kept-reads.ts';

describe('KeptValues', () => {
  it('makes a value once per key and, at its bound, drops the older half', () => {
    const kept = new KeptValues<string>(2);
    let made = 0;
    const make = (v: string) => () => (made++, v);
    expect(kept.get('a', make('A'))).toBe('A');
    expect(kept.get('a', make('other'))).toBe('A');
    expect(kept.get('b', make('B'))).toBe('B');
    expect(made).toBe(2);
    // A third key drops the older generation ('a'): 'a' is made again.
    expect(kept.get('c', make('C'))).toBe('C');
    expect(kept.get('a', make('A2'))).toBe('A2');
    expect(made).toBe(4);
  });

  it('keeps the latest half when full: a value of the older generation is not made again', () => {
    const kept = new KeptValues<string>(4);
    let made = 0;
    for (const k of ['a', 'b', 'c']) kept.get(k, () => (made++, k));
    // 'c' came when the newer generation held two: a and b are now the older one, still kept.
    expect(kept.get('b', () => (made++, 'other'))).toBe('b');
    expect(kept.get('a', () => (made++, 'other'))).toBe('a');
    expect(made).toBe(3);
  });
});
