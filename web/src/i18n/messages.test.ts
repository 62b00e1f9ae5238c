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
    expect(same.filter((k) => !/^(app\.name|admin\.providers\.|signIn\.password|common\.actions|nav\.menu|admin\.users\.email|admin\.rooms\.serviceAt|account\.(email|password)$)/.test(k))).toEqual([]);
  });
});

describe('dates in Italian sentences', () => {
  // These take a date that starts with its weekday (DATE_LONG, DATE_TIME in i18n/format.ts): Italian
  // says "domenica 6 dicembre" with no article, and "il domenica" or "del domenica" is wrong.
  const withWeekday = { 'feed.made': 'date', 'delegates.askedOn': 'date', 'delegates.acceptedOn': 'date', 'recordings.deleteOne': 'when', 'recordings.confirmDelete': 'when' };
  const sunday = new Date('2026-12-06T10:00:00Z');
  const dates = [
    new Intl.DateTimeFormat('it-IT', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Rome' }).format(sunday),
    new Intl.DateTimeFormat('it-IT', { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', year: 'numeric', timeZone: 'Europe/Rome' }).format(sunday),
  ];

  it('puts no article before a weekday', () => {
    for (const [key, name] of Object.entries(withWeekday)) {
      for (const date of dates) {
        const sentence = leaf(italian, key).replace(`{{${name}}}`, date);
        expect(sentence, key).toMatch(/dom/);
        expect(sentence, key).not.toMatch(/\b(il|lo|la|del|dello|della|dal|dallo|dalla|al|nel|sul)\s+dom/);
      }
    }
  });
});
