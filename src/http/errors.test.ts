import { describe, expect, it } from 'vitest';
import type { FastifyRequest } from 'fastify';
import { AppError, fieldErrors } from '../domain/errors.ts';
import { toProblem } from './errors.ts';

const req = { url: '/api/v1/x', id: 'r1' } as FastifyRequest;

describe('mapping errors to problem+json', () => {
  it('keeps the status of any Fastify error and names it by its code', () => {
    const err = Object.assign(new Error('Unsupported Media Type: text/xml'), { code: 'FST_ERR_CTP_INVALID_TYPE', statusCode: 415 });
    expect(toProblem(err, req)).toMatchObject({ status: 415, code: 'CTP_INVALID_TYPE', detail: 'Unsupported Media Type: text/xml' });
  });

  it('answers 400 for text PostgreSQL cannot store, whichever way it got there (SQLSTATE 22021)', () => {
    const err = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' });
    expect(toProblem(err, req)).toMatchObject({ status: 400, code: 'INVALID_CHARACTERS' });
  });

  it('answers 500 without internals for anything else', () => {
    expect(toProblem(new Error('boom at line 3'), req)).toMatchObject({ status: 500, code: 'INTERNAL_ERROR', detail: expect.not.stringContaining('boom') });
  });

  it('answers 503 DATABASE_UNAVAILABLE with a wait, never the driver\'s words, when the database is away', () => {
    const away = [
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      Object.assign(new Error('the database system is starting up'), { code: '57P03' }),
      new AggregateError([Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' })]),
    ];
    for (const err of away) {
      const p = toProblem(err, req);
      expect(p, err.message).toMatchObject({ status: 503, code: 'DATABASE_UNAVAILABLE', retryAfterSeconds: expect.any(Number) });
      if (err.message) expect(p.detail).not.toContain(err.message);
    }
    const slow = Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' });
    expect(toProblem(slow, req)).toMatchObject({ status: 503, code: 'DATABASE_TIMEOUT' });
  });
});

describe('a refused field in the answer', () => {
  const field = fieldErrors([{ path: 'from', en: 'must be a day', it: 'deve essere un giorno' }]);
  const refusal = () => new AppError('invalid', 'VALIDATION_FAILED', 'from must be a day.', field.en, { it: 'from deve essere un giorno.', details: field.it });

  it('is named by the part of the request that held it', () => {
    const inQuery = { ...req, query: { from: 'soon' } } as unknown as FastifyRequest;
    expect(toProblem(refusal(), inQuery).errors).toEqual([{ path: 'querystring.from', message: 'must be a day' }]);
    const inBody = { ...req, query: {}, body: { from: 'soon' } } as unknown as FastifyRequest;
    expect(toProblem(refusal(), inBody).errors).toEqual([{ path: 'body.from', message: 'must be a day' }]);
    // A field the request left out is a body field: the use cases name the body's.
    expect(toProblem(refusal(), { ...req, body: {} } as FastifyRequest).errors).toEqual([{ path: 'body.from', message: 'must be a day' }]);
  });
});
