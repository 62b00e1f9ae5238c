import { describe, expect, it } from 'vitest';
import { countdownText, openingDay } from './join-pages.ts';

const ROME = 'Europe/Rome';
const say = (opens: string, now: string, lang: 'it' | 'en') => `${countdownText(new Date(opens), new Date(now), ROME, lang)}, ${openingDay(new Date(opens), new Date(now), ROME, lang)}`;

describe('the join countdown in words', () => {
  it('counts calendar days in the room’s zone, with the day and time of the opening', () => {
    expect(say('2026-12-08T12:45:00Z', '2026-12-03T12:00:00Z', 'en')).toBe('in 5 days, Tue 8 Dec at 13:45');
    expect(say('2026-12-08T12:45:00Z', '2026-12-03T12:00:00Z', 'it')).toBe('tra 5 giorni, mar 8 dic alle 13:45');
    // Eleven hours ahead, but the next day in Rome.
    expect(say('2026-12-05T08:00:00Z', '2026-12-04T21:00:00Z', 'en')).toBe('tomorrow, Sat 5 Dec at 09:00');
    expect(say('2026-12-05T08:00:00Z', '2026-12-04T21:00:00Z', 'it')).toBe('domani, sab 5 dic alle 09:00');
  });
  it('says hours on the day itself, and minutes and seconds only in the last hour', () => {
    expect(say('2026-12-04T18:00:00Z', '2026-12-04T12:00:00Z', 'en')).toBe('in 6 hours, today at 19:00');
    expect(say('2026-12-04T18:00:00Z', '2026-12-04T12:00:00Z', 'it')).toBe('tra 6 ore, oggi alle 19:00');
    expect(say('2026-12-04T12:30:00Z', '2026-12-04T11:59:55Z', 'en')).toBe('in 30 min 5 s, today at 13:30');
    expect(say('2026-12-04T12:30:00Z', '2026-12-04T12:29:15Z', 'it')).toBe('tra 45 s, oggi alle 13:30');
  });
});
