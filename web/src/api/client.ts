import type { Suggestion } from './types.ts';

export interface FieldError {
  path: string;
  message: string;
}

/**
 * A field message of the API as it is when it is in the page's language (the API answers in the
 * language the request asked for and names it, `lang`); otherwise one translated sentence ("check
 * this value"), so a page never mixes languages.
 */
export function fieldMessage(message: string, language: string, translated: string, answerLanguage: string | null = 'en'): string {
  return language === answerLanguage ? message : translated;
}

/** The request field an API field error names: its path's first segment, without where it was sent (`body.seats` → `seats`). */
export const requestField = (path: string): string => path.replace(/^\/|^body[./]/, '').split(/[./]/)[0] ?? '';

/** An RFC 9457 problem answer of the API, or a network failure (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly errors: FieldError[];
  readonly suggestions: Suggestion[];
  /** Self-service refuses it but an administrator may grant it: offer to ask (POST /api/v1/requests). */
  readonly askable: boolean;
  /** `yours`: the booking in the way is the caller's own (its id when it exists already). */
  readonly conflict: { start: string; end: string; roomId?: string; yours?: boolean; bookingId?: string } | null;
  /** The slot may be waited for (POST /api/v1/waiting-list): the room is taken or the seat pool full. */
  readonly waitable: boolean;
  /**
   * The language of `detail` and of the field messages: the API names it (`lang`) when not English.
   * Null when the answer is not the API's (a proxy's error page): its words are not for people.
   */
  readonly language: string | null;

  constructor(status: number, body: Record<string, unknown>) {
    const detail = typeof body.detail === 'string' ? body.detail : typeof body.title === 'string' ? body.title : '';
    super(detail || `HTTP ${status}`);
    this.status = status;
    this.code = typeof body.code === 'string' ? body.code : status === 0 ? 'NETWORK' : `HTTP_${status}`;
    this.detail = detail;
    this.errors = Array.isArray(body.errors) ? (body.errors as FieldError[]) : [];
    this.suggestions = Array.isArray(body.suggestions) ? (body.suggestions as Suggestion[]) : [];
    this.askable = body.askable === true;
    this.conflict = (body.conflict as ApiError['conflict']) ?? null;
    this.waitable = body.waitable === true;
    this.language = typeof body.lang === 'string' ? body.lang : typeof body.code === 'string' ? 'en' : null;
  }

  /** The API's own sentence when it is in `language`, else null. */
  detailIn(language: string): string | null {
    return this.detail && this.language === language ? this.detail : null;
  }
}

let csrfToken: string | null = null;
let onUnauthenticated: (() => void) | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when a request answers 401 after sign-in (the session expired). */
export function setUnauthenticatedHandler(handler: (() => void) | null): void {
  onUnauthenticated = handler;
}

type Query = Record<string, string | number | boolean | null | undefined>;

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

export async function request<T>(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}, idempotent = true): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', 'Accept-Language': document.documentElement.lang || 'en', ...extraHeaders };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  if (method === 'POST' && idempotent) headers['Idempotency-Key'] = crypto.randomUUID();
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, { code: 'NETWORK' });
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = { detail: text.slice(0, 200) };
  }
  if (!response.ok) {
    const problem = (parsed && typeof parsed === 'object' ? parsed : {}) as Record<string, unknown>;
    const error = new ApiError(response.status, problem);
    if (response.status === 401 && error.code !== 'INVALID_CREDENTIALS') onUnauthenticated?.();
    throw error;
  }
  return parsed as T;
}

export const api = {
  get: <T>(path: string, query?: Query) => request<T>('GET', withQuery(path, query)),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
  /** A POST whose answer holds a secret shown once: the API refuses to store it for a replay, so no Idempotency-Key. */
  postOnce: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}, {}, false),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  delete: <T>(path: string) => request<T>('DELETE', path),
};
