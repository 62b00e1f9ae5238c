// One error type for everything a use-case refuses. `code` is stable (clients switch on it), the
// message is a sentence a person can act on; http/errors.ts maps the kind to a status in one place.

export type ErrorKind =
  | 'invalid' // 400: the request itself is malformed
  | 'unauthenticated' // 401
  | 'forbidden' // 403
  | 'not-found' // 404
  | 'conflict' // 409: someone else holds what was asked for
  | 'unprocessable' // 422: well-formed, but breaks a booking rule
  | 'too-large' // 413
  | 'rate-limited' // 429
  | 'unavailable'; // 503

/**
 * The message in the languages besides English that people read (http/errors.ts picks one). Every
 * refusal has Italian: the portal's people are at Italian institutions, and an error without it
 * does not compile (errors.test.ts also walks the sources for it). `details`: the entries of the
 * details that hold words (a field's message, a refused date's reason), in Italian; they take the
 * place of the same entries for a person answered in Italian.
 */
export type Translations = { readonly it: string; readonly details?: Record<string, unknown> };

export class AppError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly details: Record<string, unknown>;
  readonly translations: Translations;

  constructor(kind: ErrorKind, code: string, message: string, details: Record<string, unknown>, translations: Translations) {
    super(message);
    this.name = 'AppError';
    this.kind = kind;
    this.code = code;
    this.details = details;
    this.translations = translations;
  }
}

/**
 * The `errors` of a refusal that names fields: in English for its details, in Italian for its
 * translations' details (`{ it, details: f.it }`), each field's path written once: the field's
 * name in the request's data (`seats`); the API adds where it was sent (`body.seats`).
 */
export function fieldErrors(fields: readonly { path: string; en: string; it: string }[]) {
  return {
    en: { errors: fields.map((f) => ({ path: f.path, message: f.en })) },
    it: { errors: fields.map((f) => ({ path: f.path, message: f.it })) },
  };
}

export const notFound = (code: string, message: string, translations: Translations) => new AppError('not-found', code, message, {}, translations);
export const unprocessable = (code: string, message: string, translations: Translations, details: Record<string, unknown> = {}) =>
  new AppError('unprocessable', code, message, details, translations);
export const forbidden = (code: string, message: string, translations: Translations) => new AppError('forbidden', code, message, {}, translations);

// Refusals that several use-cases give, in one wording.
const zoneField = fieldErrors([{ path: 'timeZone', en: 'is not an IANA time zone', it: 'non è un fuso orario IANA' }]);
/** A `timeZone` in a request's body that is not an IANA zone. */
export const timeZoneRefused = () =>
  new AppError('invalid', 'VALIDATION_FAILED', 'timeZone must be an IANA time zone such as Europe/Rome.', zoneField.en, { it: 'timeZone deve essere un fuso orario IANA come Europe/Rome.', details: zoneField.it });
export const bookingNotFound = () =>
  notFound('BOOKING_NOT_FOUND', 'No booking with this id exists, or you may not see it.', { it: 'Non esiste una prenotazione con questo id, o non puoi vederla.' });
export const seriesNotFound = () =>
  notFound('SERIES_NOT_FOUND', 'No series with this id exists, or you may not see it.', { it: 'Non esiste una serie con questo id, o non puoi vederla.' });
export const adminOnly = () => forbidden('ADMIN_ONLY', 'Only administrators may do this.', { it: 'Solo gli amministratori possono farlo.' });
