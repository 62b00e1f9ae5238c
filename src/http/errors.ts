// The one place where errors become HTTP answers: RFC 9457 problem+json with a stable `code`.
// Unknown errors are logged and answered 500 without internals.
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, type ErrorKind } from '../domain/errors.ts';
import { databaseUnavailable, sqlState, statementTimedOut } from '../db/database.ts';
import { pickLang } from './join-pages.ts';
import { italianMessages } from './validation.ts';

/**
 * The language of the messages people read: ?lang= when given, else the signed-in person's saved
 * language, else Italian when Accept-Language ranks it first; else English, the API's language.
 */
export function answerLang(req: FastifyRequest): 'it' | 'en' {
  const query = (req.query as { lang?: unknown } | undefined)?.lang;
  const saved = req.actor?.locale;
  if (query !== 'it' && query !== 'en' && saved) return saved;
  const accept = req.headers?.['accept-language'];
  if (query !== 'it' && query !== 'en' && !/\b(it|en)\b/i.test(accept ?? '')) return 'en';
  return pickLang(typeof query === 'string' ? query : undefined, accept);
}

const STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'too-large': 413,
  unprocessable: 422,
  'rate-limited': 429,
  unavailable: 503,
};

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Sign-in required',
  403: 'Not allowed',
  404: 'Not found',
  405: 'Method not allowed',
  408: 'Request timeout',
  409: 'Conflict',
  413: 'Request too large',
  414: 'Address too long',
  415: 'Unsupported media type',
  422: 'Rule not met',
  429: 'Too many requests',
  431: 'Headers too large',
  500: 'Internal error',
  503: 'Service unavailable',
};

/** What a client is told to wait before sending again a request the database could not serve. */
export const DATABASE_RETRY_SECONDS = 2;

export type ProblemBody = { type: string; title: string; status: number; detail: string; code: string; [k: string]: unknown };

export function problem(status: number, code: string, detail: string, extra: Record<string, unknown> = {}): ProblemBody {
  return { type: `urn:webmeetings:problem:${code.toLowerCase().replaceAll('_', '-')}`, title: TITLES[status] ?? 'Error', status, detail, code, ...extra };
}

/** A message in English and Italian: an AppError's, or one the mapper writes itself. */
type Words = { en: string; it: string };

/** The problem answer for `words` in the request's language, which it names (`lang`) when not English. */
function said(req: FastifyRequest, status: number, code: string, words: Words, extra: Record<string, unknown>): ProblemBody {
  return answerLang(req) === 'it' ? problem(status, code, words.it, { ...extra, lang: 'it' }) : problem(status, code, words.en, extra);
}

// Fastify's own request errors, in words a client developer can act on. Any other FST_ERR_* with a
// 4xx status keeps it, with the code without its prefix (FST_ERR_CTP_INVALID_TYPE -> CTP_INVALID_TYPE).
const FASTIFY_CODES: Record<string, [number, string, Words]> = {
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'MALFORMED_JSON', { en: 'The request body is not valid JSON.', it: 'Il corpo della richiesta non è JSON valido.' }],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'EMPTY_BODY', { en: 'The request says it carries JSON but the body is empty.', it: 'La richiesta dice di contenere JSON, ma il corpo è vuoto.' }],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'PAYLOAD_TOO_LARGE', { en: 'The request body is larger than this server accepts.', it: 'Il corpo della richiesta è più grande di quanto questo server accetti.' }],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'UNSUPPORTED_MEDIA_TYPE', { en: 'Send the request body as application/json.', it: 'Invia il corpo della richiesta come application/json.' }],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'BAD_CONTENT_LENGTH', { en: 'The Content-Length header does not match the body.', it: 'L’intestazione Content-Length non corrisponde al corpo.' }],
  FST_ERR_BAD_URL: [400, 'MALFORMED_URL', { en: 'The address is not valid: a %-escape in it is broken or not UTF-8.', it: 'L’indirizzo non è valido: contiene una sequenza %-escape rotta o non UTF-8.' }],
  FST_ERR_MAX_PARAM_LENGTH: [414, 'PARAMETER_TOO_LONG', { en: 'A part of the address is longer than this server accepts.', it: 'Una parte dell’indirizzo è più lunga di quanto questo server accetti.' }],
};

// Node's HTTP parser refuses some requests before Fastify sees them (RFC 9110, 15.5).
const CLIENT_ERRORS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'HEADERS_TOO_LARGE', 'The request headers are larger than this server accepts.'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'REQUEST_TIMEOUT', 'The request took too long to arrive.'],
};

// Text that PostgreSQL cannot store (NUL, invalid UTF-8): the schemas refuse it, this is the backstop
// for a value that reached the database another way (SQLSTATE 22021, 22P05).
const UNSTORABLE_TEXT = new Set(['22021', '22P05']);

// Unique and foreign-key violations that a request can cause, by constraint name.
const CONSTRAINTS: Record<string, [number, string, Words]> = {
  rooms_name_key: [409, 'NAME_TAKEN', { en: 'A room with this name already exists.', it: 'Esiste già un’aula con questo nome.' }],
  institutions_name_key: [409, 'NAME_TAKEN', { en: 'An institution with this name already exists.', it: 'Esiste già un ente con questo nome.' }],
  users_email_key: [409, 'EMAIL_TAKEN', { en: 'An account with this e-mail already exists.', it: 'Esiste già un account con questo indirizzo e-mail.' }],
  users_institution_id_fkey: [422, 'INSTITUTION_NOT_FOUND', { en: 'No institution with this id exists.', it: 'Non esiste un ente con questo id.' }],
};

const UNSTORABLE: Words = {
  en: 'The request contains characters that cannot be stored, such as a NUL (\\u0000); remove them.',
  it: 'La richiesta contiene caratteri che non si possono salvare, come un NUL (\\u0000); toglili.',
};
const DATABASE_AWAY: Words = {
  en: 'The database cannot be reached at the moment; send the request again in a few seconds.',
  it: 'Il database al momento non è raggiungibile; invia di nuovo la richiesta tra qualche secondo.',
};
const INTERNAL: Words = {
  en: 'Something went wrong on our side; it has been logged. Try again, and tell the administrators if it persists.',
  it: 'Qualcosa non ha funzionato da parte nostra; è stato registrato. Riprova e, se il problema resta, avvisa gli amministratori.',
};
const DATABASE_SLOW: Words = {
  en: 'The database took too long to answer; send the request again in a few seconds.',
  it: 'Il database ha impiegato troppo a rispondere; invia di nuovo la richiesta tra qualche secondo.',
};

/**
 * A use case names a refused field as the request's data has it (`seats`, `rrule`: the booking
 * import reads the same refusals); the API says where in the request it was, as its validation
 * does (`body.seats`, `querystring.from`), so a client maps one kind of path to its fields.
 */
function located(details: Record<string, unknown>, req: FastifyRequest): Record<string, unknown> {
  if (!Array.isArray(details.errors)) return details;
  const has = (part: unknown, key: string) => typeof part === 'object' && part !== null && Object.hasOwn(part, key);
  const errors = (details.errors as { path: string }[]).map((e) => {
    const top = e.path.split('.')[0]!;
    return { ...e, path: `${has(req.query, top) && !has(req.body, top) ? 'querystring' : 'body'}.${e.path}` };
  });
  return { ...details, errors };
}

export function toProblem(err: unknown, req: FastifyRequest): ProblemBody {
  const base = { instance: req.url, requestId: req.id };
  if (err instanceof AppError) {
    // In the person's language (saved, ?lang=, Accept-Language): every AppError has Italian.
    // The Italian details replace only the entries they hold (words); the others are the same in both.
    const details = answerLang(req) === 'it' ? { ...err.details, ...err.translations.details } : err.details;
    return said(req, STATUS[err.kind], err.code, { en: err.message, it: err.translations.it }, { ...located(details, req), ...base });
  }
  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = err.validationContext ?? 'body';
    // zod's messages in Italian for a person answered in Italian (validation.ts); the paths are the API's.
    const italian = answerLang(req) === 'it' ? italianMessages(err.validation) : undefined;
    const errors = err.validation.map((v, i) => ({
      path: [where, ...String(v.instancePath).split('/').filter(Boolean)].join('.'),
      message: italian?.[i] ?? v.message ?? 'is invalid',
      // A refinement may name its own code (schemas.ts: RANGE_REVERSED); zod keeps it in params.
      code: (v.params as { params?: { code?: unknown } } | undefined)?.params?.code,
    }));
    const first = errors.find((e) => typeof e.code === 'string') ?? errors[0];
    const code = typeof first?.code === 'string' ? first.code : 'VALIDATION_FAILED';
    return problem(400, code, first ? `${first.path} ${first.message}`.replace(/\.$/, '') + '.' : 'The request is invalid.', {
      errors: errors.map(({ path, message }) => ({ path, message })),
      ...base,
      ...(italian && { lang: 'it' }),
    });
  }
  const fe = err as FastifyError;
  if (fe?.code && FASTIFY_CODES[fe.code]) {
    const [status, code, words] = FASTIFY_CODES[fe.code]!;
    return said(req, status, code, words, base);
  }
  if (typeof fe?.code === 'string' && fe.code.startsWith('FST_ERR_') && typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return problem(fe.statusCode, fe.code.slice('FST_ERR_'.length), fe.message, base);
  }
  if (UNSTORABLE_TEXT.has(sqlState(err) ?? '')) {
    return said(req, 400, 'INVALID_CHARACTERS', UNSTORABLE, base);
  }
  // The database is away (restart, failover, network) or too slow: the request may succeed if sent
  // again shortly, so 503 with Retry-After, never 500 and never the driver's own words.
  if (databaseUnavailable(err)) {
    return said(req, 503, 'DATABASE_UNAVAILABLE', DATABASE_AWAY, { retryAfterSeconds: DATABASE_RETRY_SECONDS, ...base });
  }
  if (statementTimedOut(err)) {
    return said(req, 503, 'DATABASE_TIMEOUT', DATABASE_SLOW, { retryAfterSeconds: DATABASE_RETRY_SECONDS, ...base });
  }
  const constraint = (err as { constraint?: string }).constraint;
  if ((sqlState(err) === '23505' || sqlState(err) === '23503') && constraint && CONSTRAINTS[constraint]) {
    const [status, code, words] = CONSTRAINTS[constraint]!;
    return said(req, status, code, words, base);
  }
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return problem(fe.statusCode, fe.code ?? 'BAD_REQUEST', fe.message, base);
  }
  return said(req, 500, 'INTERNAL_ERROR', INTERNAL, base);
}

// The code each problem answer carried, for what counts outcomes after the answer (metrics).
const sentCodes = new WeakMap<FastifyReply, string>();
export const problemCodeOf = (reply: FastifyReply): string | undefined => sentCodes.get(reply);

export function sendProblem(reply: FastifyReply, body: ProblemBody) {
  sentCodes.set(reply, body.code);
  return reply.code(body.status).type('application/problem+json').send(body);
}

export function errorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  const body = toProblem(err, req);
  // RFC 9110, 10.2.3: every limit that says how long to wait says it in Retry-After too.
  if (typeof body.retryAfterSeconds === 'number') reply.header('retry-after', String(body.retryAfterSeconds));
  if (body.code === 'DATABASE_UNAVAILABLE' || body.code === 'DATABASE_TIMEOUT') req.log.warn({ code: body.code, err: (err as Error).message }, body.detail);
  else if (body.status >= 500) req.log.error({ err }, 'request failed');
  else req.log.info({ code: body.code, status: body.status }, body.detail);
  return sendProblem(reply, body);
}

/** Fastify's clientErrorHandler: a request Node's parser refused, answered on the raw socket. */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Duplex) {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, detail] = CLIENT_ERRORS[err.code ?? ''] ?? [400, 'MALFORMED_REQUEST', 'The request is not valid HTTP.'];
  const body = JSON.stringify(problem(status, code, detail));
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${TITLES[status]}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(err);
}
