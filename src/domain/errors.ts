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

export class AppError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly details: Record<string, unknown>;
  /** The message in other languages than English, for answers people read (http/errors.ts picks one). */
  readonly translations: Partial<Record<'it', string>>;

  constructor(kind: ErrorKind, code: string, message: string, details: Record<string, unknown> = {}, translations: Partial<Record<'it', string>> = {}) {
    super(message);
    this.name = 'AppError';
    this.kind = kind;
    this.code = code;
    this.details = details;
    this.translations = translations;
  }
}

export const notFound = (code: string, message: string) => new AppError('not-found', code, message);
export const unprocessable = (code: string, message: string, details?: Record<string, unknown>) =>
  new AppError('unprocessable', code, message, details);
export const forbidden = (code: string, message: string) => new AppError('forbidden', code, message);

export const bookingNotFound = () => notFound('BOOKING_NOT_FOUND', 'No booking with this id exists, or you may not see it.');
