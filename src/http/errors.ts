// The one place where errors become HTTP answers: RFC 9457 problem+json with a stable `code`.
// Unknown errors are logged and answered 500 without internals.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, type ErrorKind } from '../domain/errors.ts';
import { sqlState } from '../db/database.ts';

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
  409: 'Conflict',
  413: 'Request too large',
  415: 'Unsupported media type',
  422: 'Rule not met',
  429: 'Too many requests',
  500: 'Internal error',
  503: 'Service unavailable',
};

export type ProblemBody = { type: string; title: string; status: number; detail: string; code: string; [k: string]: unknown };

export function problem(status: number, code: string, detail: string, extra: Record<string, unknown> = {}): ProblemBody {
  return { type: `urn:webmeetings:problem:${code.toLowerCase().replaceAll('_', '-')}`, title: TITLES[status] ?? 'Error', status, detail, code, ...extra };
}

// Fastify's own request errors, in words a client developer can act on.
const FASTIFY_CODES: Record<string, [number, string, string]> = {
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'MALFORMED_JSON', 'The request body is not valid JSON.'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'EMPTY_BODY', 'The request says it carries JSON but the body is empty.'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'PAYLOAD_TOO_LARGE', 'The request body is larger than this server accepts.'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the request body as application/json.'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'BAD_CONTENT_LENGTH', 'The Content-Length header does not match the body.'],
};

// Unique and foreign-key violations that a request can cause, by constraint name.
const CONSTRAINTS: Record<string, [number, string, string]> = {
  rooms_name_key: [409, 'NAME_TAKEN', 'A room with this name already exists.'],
  institutions_name_key: [409, 'NAME_TAKEN', 'An institution with this name already exists.'],
  users_email_key: [409, 'EMAIL_TAKEN', 'An account with this e-mail already exists.'],
  users_institution_id_fkey: [422, 'INSTITUTION_NOT_FOUND', 'No institution with this id exists.'],
};

export function toProblem(err: unknown, req: FastifyRequest): ProblemBody {
  const base = { instance: req.url, requestId: req.id };
  if (err instanceof AppError) {
    return problem(STATUS[err.kind], err.code, err.message, { ...err.details, ...base });
  }
  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = err.validationContext ?? 'body';
    const errors = err.validation.map((v) => ({
      path: [where, ...String(v.instancePath).split('/').filter(Boolean)].join('.'),
      message: v.message ?? 'is invalid',
    }));
    const first = errors[0];
    return problem(400, 'VALIDATION_FAILED', first ? `${first.path} ${first.message}`.replace(/\.$/, '') + '.' : 'The request is invalid.', {
      errors,
      ...base,
    });
  }
  const fe = err as FastifyError;
  if (fe?.code && FASTIFY_CODES[fe.code]) {
    const [status, code, detail] = FASTIFY_CODES[fe.code]!;
    return problem(status, code, detail, base);
  }
  const constraint = (err as { constraint?: string }).constraint;
  if ((sqlState(err) === '23505' || sqlState(err) === '23503') && constraint && CONSTRAINTS[constraint]) {
    const [status, code, detail] = CONSTRAINTS[constraint]!;
    return problem(status, code, detail, base);
  }
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return problem(fe.statusCode, fe.code ?? 'BAD_REQUEST', fe.message, base);
  }
  return problem(500, 'INTERNAL_ERROR', 'Something went wrong on our side; it has been logged. Try again, and tell the administrators if it persists.', base);
}

export function sendProblem(reply: FastifyReply, body: ProblemBody) {
  return reply.code(body.status).type('application/problem+json').send(body);
}

export function errorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  const body = toProblem(err, req);
  if (body.status >= 500) req.log.error({ err }, 'request failed');
  else req.log.info({ code: body.code, status: body.status }, body.detail);
  return sendProblem(reply, body);
}
