import type { TFunction } from 'i18next';
import { currentLanguage } from '../i18n/index.ts';
import { ApiError, fieldMessage, requestField } from './client.ts';

const KNOWN = new Set([
  'ROOM_TAKEN',
  'SEAT_POOL_FULL',
  'QUOTA_EXCEEDED',
  'START_IN_PAST',
  'DURATION_TOO_SHORT',
  'DURATION_TOO_LONG',
  'TOO_FAR_AHEAD',
  'END_BEFORE_START',
  'NOT_ON_GRID',
  'SEATS_OVER_CAPACITY',
  'NO_ROOM_FITS',
  'ROOM_INACTIVE',
  'NONEXISTENT_LOCAL_TIME',
  'NOT_ALLOWED_TO_BOOK',
  'OUTSIDE_SUBSCRIPTION',
  // Requests that an administrator approves (issue #17)
  'SEATS_OVER_SHARE',
  'ROOM_ON_APPROVAL',
  'NOTHING_TO_ASK',
  'REQUEST_DECIDED',
  'REQUEST_EXPIRED',
  'REQUEST_NOT_FOUND',
  'APPROVAL_NEEDS_ROOM',
  'BOOKING_NOT_FOUND',
  'PARTICIPANT_NOT_FOUND',
  'CSRF_TOKEN_INVALID',
  'VALIDATION_FAILED',
  'FORBIDDEN',
  'NETWORK',
  // People and passwords (issue #12)
  'EMAIL_TAKEN',
  'OWN_INSTITUTION_ONLY',
  'MEMBERS_ONLY',
  'USER_DISABLED',
  'CANNOT_DISABLE_SELF',
  'LAST_ADMIN',
  'ACCOUNT_DISABLED',
  'PASSWORD_LINK_USED',
  'PASSWORD_LINK_EXPIRED',
  'PASSWORD_LINK_UNKNOWN',
  'PASSWORD_TOO_SHORT',
  'PASSWORD_TOO_LONG',
  'PASSWORD_IS_PERSONAL',
  'PASSWORD_RESET_LIMITED',
  'NOT_ALLOWED_TO_BOOK_FOR',
  'PERSON_NOT_FOUND',
  'DELEGATE_IS_YOU',
  'DELEGATE_DISABLED',
  'DELEGATION_NOT_FOUND',
]);

/**
 * A sentence in the page's language for an API problem. Known codes have words of this app's own
 * (some take `values`); any other code shows the API's `detail`, which is in the language the
 * request asked for. The generic sentences are left for answers with no words of the API's.
 */
export function problemMessage(t: TFunction, error: unknown, values: Record<string, unknown> = {}): string {
  if (error instanceof ApiError) {
    // The slot is taken by a booking of the person's own (a form sent twice, a second tab).
    if (error.code === 'ROOM_TAKEN' && error.conflict?.yours) return t('problems.ROOM_TAKEN_YOURS', values);
    if (KNOWN.has(error.code)) return t(`problems.${error.code}`, values);
    const detail = error.detailIn(currentLanguage());
    if (detail) return detail;
    if (error.status === 403) return t('problems.FORBIDDEN');
    if (error.status >= 500) return t('problems.SERVER');
  }
  return t('errors.generic');
}

/**
 * Why the booking the address names could not be shown. A damaged id in the address is refused as
 * a bad request (400), but to the person it is a booking that does not exist, as a 404 is.
 */
export function bookingLoadMessage(t: TFunction, error: unknown): string {
  if (error instanceof ApiError && (error.status === 400 || error.status === 404)) return t('problems.BOOKING_NOT_FOUND');
  return problemMessage(t, error);
}

/**
 * Field errors of a 400 answer in the page's language, the first per field, keyed by the request's
 * field name, or by what `fieldOf` makes of an error's path (a form whose fields are named otherwise;
 * null: no field of the form).
 */
export function fieldErrorsOf(error: ApiError, t: TFunction, fieldOf: (path: string) => string | null = requestField): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of error.errors) {
    const key = fieldOf(e.path);
    if (key && !out[key]) out[key] = fieldMessage(e.message, currentLanguage(), t('form.errors.invalidValue'), error.language);
  }
  return out;
}
