import { describe, expect, it } from 'vitest';
import { AppError } from './errors.ts';
import { ASKABLE_CODES, checkPending, isAskable, offerRequest } from './requests.ts';

const draft = { title: 'Convegno', roomId: 'r1', seats: 300, start: '2026-05-10T09:00', end: '2026-05-10T18:00' };

describe('askable refusals', () => {
  it('marks the self-service limits as askable and carries the booking’s input', () => {
    for (const code of ASKABLE_CODES) {
      const out = offerRequest(new AppError('unprocessable', code, 'no', { x: 1 }, { it: 'no' }), draft) as AppError;
      expect(out.details).toEqual({ x: 1, askable: true, ask: draft });
      expect(out.translations).toEqual({ it: 'no' });
    }
  });

  it('leaves the rules an approval cannot waive as they are', () => {
    for (const code of ['ROOM_TAKEN', 'SEAT_POOL_FULL', 'QUOTA_EXCEEDED', 'START_IN_PAST', 'NOT_ON_GRID', 'DURATION_TOO_SHORT', 'ROOM_INACTIVE']) {
      expect(isAskable(code)).toBe(false);
      const e = new AppError('conflict', code, 'no', {}, { it: 'no' });
      expect(offerRequest(e, draft)).toBe(e);
    }
  });
});

describe('the state of a request', () => {
  const now = new Date('2026-05-01T10:00:00Z');
  const later = new Date('2026-05-10T07:00:00Z');

  it('moves only from pending, and only once', () => {
    expect(() => checkPending('pending', now, later, 'approved')).not.toThrow();
    for (const state of ['approved', 'denied', 'expired', 'withdrawn'] as const) {
      expect(() => checkPending(state, now, later, 'denied')).toThrow(expect.objectContaining({ code: 'REQUEST_DECIDED', kind: 'conflict' }));
    }
  });

  it('cannot be approved or denied once its start has come, but may still be withdrawn', () => {
    expect(() => checkPending('pending', later, later, 'approved')).toThrow(expect.objectContaining({ code: 'REQUEST_EXPIRED' }));
    expect(() => checkPending('pending', later, later, 'denied')).toThrow(expect.objectContaining({ code: 'REQUEST_EXPIRED' }));
    expect(() => checkPending('pending', later, later, 'withdrawn')).not.toThrow();
  });
});
