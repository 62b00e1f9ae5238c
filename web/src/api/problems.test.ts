import type { TFunction } from 'i18next';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, fieldMessage } from './client.ts';
import { bookingLoadMessage, fieldErrorsOf, problemMessage } from './problems.ts';

// The real module starts i18next against the document; these tests need only the page's language.
let language = 'it';
vi.mock('../i18n/index.ts', () => ({ currentLanguage: () => language }));

const t = ((key: string) => `t:${key}`) as unknown as TFunction;

describe('problemMessage', () => {
  beforeEach(() => {
    language = 'it';
  });

  it("shows the API's Italian sentence for a code without words of the app's own", () => {
    const error = new ApiError(422, { code: 'SERIES_BEYOND_HORIZON', detail: 'La serie va oltre il 6 giugno 2027.', lang: 'it' });
    expect(problemMessage(t, error)).toBe('La serie va oltre il 6 giugno 2027.');
  });

  it("shows the API's English sentence on an English page", () => {
    language = 'en';
    const error = new ApiError(409, { code: 'NAME_TAKEN', detail: 'A room with this name already exists.' });
    expect(problemMessage(t, error)).toBe('A room with this name already exists.');
  });

  it('keeps its own words for a known code', () => {
    const error = new ApiError(409, { code: 'ROOM_TAKEN', detail: 'Aula occupata.', lang: 'it' });
    expect(problemMessage(t, error)).toBe('t:problems.ROOM_TAKEN');
  });

  it('does not mix languages: an English detail on an Italian page gives the generic sentence', () => {
    const error = new ApiError(400, { code: 'MALFORMED_REQUEST', detail: 'The request is not valid HTTP.' });
    expect(problemMessage(t, error)).toBe('t:errors.generic');
  });

  it("keeps the generic sentences for a network failure and for a proxy's error page", () => {
    expect(problemMessage(t, new ApiError(0, { code: 'NETWORK' }))).toBe('t:problems.NETWORK');
    // request() keeps the start of a body that is not JSON as `detail`: not words for a person.
    expect(problemMessage(t, new ApiError(502, { detail: '<html><body>Bad Gateway</body></html>' }))).toBe('t:problems.SERVER');
  });
});

describe('field messages', () => {
  it('shows Italian field messages of an answer in Italian on an Italian page', () => {
    const error = new ApiError(400, { code: 'VALIDATION_FAILED', lang: 'it', errors: [{ path: 'body.title', message: 'Troppo lungo.' }] });
    language = 'it';
    expect(fieldErrorsOf(error, t)).toEqual({ title: 'Troppo lungo.' });
  });

  it('replaces an English field message on an Italian page, and shows it on an English one', () => {
    expect(fieldMessage('is too long', 'it', 'Controlla questo valore.', 'en')).toBe('Controlla questo valore.');
    expect(fieldMessage('is too long', 'en', 'Check this value.', 'en')).toBe('is too long');
    expect(fieldMessage('Troppo lungo.', 'it', 'Controlla questo valore.', 'it')).toBe('Troppo lungo.');
  });
});

describe('a booking named by the address', () => {
  it('that the API cannot read (a damaged id) is one that does not exist, not a form to correct', () => {
    const damaged = new ApiError(400, { code: 'VALIDATION_FAILED', detail: 'params.id deve essere un uuid.', lang: 'it', errors: [{ path: 'params.id', message: 'deve essere un uuid' }] });
    expect(bookingLoadMessage(t, damaged)).toBe('t:problems.BOOKING_NOT_FOUND');
    expect(bookingLoadMessage(t, new ApiError(404, { code: 'BOOKING_NOT_FOUND', lang: 'it' }))).toBe('t:problems.BOOKING_NOT_FOUND');
  });

  it('that may not be seen says so', () => {
    expect(bookingLoadMessage(t, new ApiError(403, { code: 'NOT_YOURS' }))).toBe('t:problems.FORBIDDEN');
  });
});
