import { describe, expect, it } from 'vitest';
import { en } from './en.ts';
import { it as italian } from './it.ts';

function keys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

function leaf(messages: unknown, key: string): string {
  return key.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], messages) as string;
}

describe('translations', () => {
  it('has every English message in Italian and nothing more', () => {
    expect(keys(italian).sort()).toEqual(keys(en).sort());
  });

  it('keeps the same placeholders in both languages', () => {
    for (const key of keys(en)) {
      const names = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
      expect(names(leaf(italian, key)), key).toEqual(names(leaf(en, key)));
    }
  });

  it('translates what is not a proper name', () => {
    const same = keys(en).filter((k) => leaf(en, k) === leaf(italian, k));
    // Names of products and the like read the same in both languages.
    expect(same.filter((k) => !/^(app\.name|admin\.providers\.|signIn\.password|common\.actions|nav\.menu|admin\.users\.email|admin\.rooms\.serviceAt)/.test(k))).toEqual([]);
  });
});
