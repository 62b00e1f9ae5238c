// Request validation: fastify-type-provider-zod's, plus the means to say its messages in Italian.
// Zod writes its messages in English when it parses; the error mapper (errors.ts) only learns the
// answer's language afterwards, and only for the few requests that fail. So a failed validation
// keeps what it parsed, and a person answered in Italian gets the same input parsed once more with
// zod's Italian locale (`z.locales.it()`), the schemas' own messages taken from schema-words.ts.
import type { FastifySchemaCompiler, ValidationResult } from 'fastify';
import { validatorCompiler as zodValidatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { safeParse, type $ZodType } from 'zod/v4/core';
import { italianOfSchemaWords } from './schema-words.ts';

const ITALIAN = z.locales.it();
const PARSE_AGAIN = Symbol('parse again in Italian');

type Reparse = () => readonly { path: PropertyKey[]; message: string }[];

export const validatorCompiler: FastifySchemaCompiler<$ZodType> = (route) => {
  const validate = zodValidatorCompiler(route) as (data: unknown) => { error?: ValidationResult[]; value?: unknown };
  return (data: unknown) => {
    const result = validate(data);
    if (result.error) {
      const again: Reparse = () => safeParse(route.schema, data, { error: ITALIAN.localeError }).error?.issues ?? [];
      Object.defineProperty(result.error, PARSE_AGAIN, { value: again });
    }
    return result;
  };
};

/**
 * The messages of a failed validation in Italian, one per entry of `validation` (fastify's
 * `err.validation`), or undefined when they cannot be had (not from this compiler, or the second
 * parse found other issues: it never should, the input and schema being the same).
 */
export function italianMessages(validation: readonly { instancePath?: string }[]): string[] | undefined {
  const again = (validation as unknown as { [PARSE_AGAIN]?: Reparse })[PARSE_AGAIN];
  if (!again) return undefined;
  const issues = again();
  if (issues.length !== validation.length) return undefined;
  const messages: string[] = [];
  for (const [i, issue] of issues.entries()) {
    if (`/${issue.path.map(String).join('/')}` !== validation[i]!.instancePath) return undefined;
    messages.push(italianOfSchemaWords(issue.message) ?? issue.message);
  }
  return messages;
}
