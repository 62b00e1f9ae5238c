import { describe, expect, it } from 'vitest';
import { admit, dialWindow, drawPin, isAcceptablePin, maskCaller, telLink, type Conference } from './dial-in.ts';

const at = (iso: string) => new Date(iso);
const conference = (over: Partial<Conference> = {}): Conference => ({
  bookingId: 'b1',
  role: 'participant',
  status: 'confirmed',
  enabled: true,
  locked: false,
  window: dialWindow(at('2026-12-01T09:00:00Z'), at('2026-12-01T10:00:00Z'), 15, 10),
  seats: 3,
  ...over,
});

describe('dial-in PINs', () => {
  it('refuses runs, repeats, doubled halves, leading zeros and wrong lengths', () => {
    for (const pin of ['123456', '987654', '3456789', '111111', '123123', '0482913', '12345', '123456789', '12a456']) {
      expect(isAcceptablePin(pin), pin).toBe(false);
    }
    for (const pin of ['482913', '4829137', '48291375', '135792']) expect(isAcceptablePin(pin), pin).toBe(true);
  });

  it('draws PINs of the asked length that pass the rule, skipping the bad ones it is given', () => {
    const bad = [123456 - 100000, 111111 - 100000, 482913 - 100000];
    let i = 0;
    expect(drawPin(6, () => bad[i++]!)).toBe('482913');
    expect(i).toBe(3);
    for (let k = 0; k < 200; k++) {
      const pin = drawPin(8, (max) => Math.floor(Math.random() * max));
      expect(pin).toMatch(/^[1-9]\d{7}$/);
      expect(isAcceptablePin(pin)).toBe(true);
    }
  });
});

describe('admitting a caller', () => {
  it('opens with the room and closes at end plus grace', () => {
    expect(admit(conference(), at('2026-12-01T08:44:59Z'), 0)).toEqual({ ok: false, reason: 'too-early' });
    expect(admit(conference(), at('2026-12-01T08:45:00Z'), 0)).toEqual({ ok: true, bookingId: 'b1', role: 'participant' });
    expect(admit(conference(), at('2026-12-01T10:09:59Z'), 0).ok).toBe(true);
    expect(admit(conference(), at('2026-12-01T10:10:00Z'), 0)).toEqual({ ok: false, reason: 'ended' });
  });

  it('says unknown, cancelled, locked and full; a host enters a locked or full conference', () => {
    const now = at('2026-12-01T09:30:00Z');
    expect(admit(null, now, 0)).toEqual({ ok: false, reason: 'unknown' });
    expect(admit(conference({ enabled: false }), now, 0)).toEqual({ ok: false, reason: 'unknown' });
    expect(admit(conference({ status: 'cancelled' }), now, 0)).toEqual({ ok: false, reason: 'cancelled' });
    expect(admit(conference({ locked: true }), now, 0)).toEqual({ ok: false, reason: 'locked' });
    expect(admit(conference(), now, 3)).toEqual({ ok: false, reason: 'full' });
    expect(admit(conference(), now, 2).ok).toBe(true);
    expect(admit(conference({ role: 'host', locked: true }), now, 3)).toEqual({ ok: true, bookingId: 'b1', role: 'host' });
  });
});

describe('what people see', () => {
  it('masks a caller number down to its last digits', () => {
    expect(maskCaller('+39 06 1234 5678')).toBe('•••• 5678');
    expect(maskCaller('4711')).toBe('•••• 11');
    expect(maskCaller('')).toBe('••••');
    expect(maskCaller(null)).toBe('••••');
  });

  it('makes a one-tap tel: link with pauses and the PIN as DTMF', () => {
    expect(telLink('+39 06 1234-5678', '4829137')).toBe('tel:+390612345678,,4829137%23');
  });
});
