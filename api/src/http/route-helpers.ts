import type { z } from '@hono/zod-openapi';
import { ErrorSchema } from './schemas.ts';

export const BEARER_SECURITY = [{ Bearer: [] }];

export function json<T extends z.ZodTypeAny>(schema: T, description: string) {
  return { content: { 'application/json': { schema } }, description };
}

export function jsonBody<T extends z.ZodTypeAny>(schema: T) {
  return { content: { 'application/json': { schema } }, required: true };
}

const error = (description: string) => ({ content: { 'application/json': { schema: ErrorSchema } }, description });

/** The error answers every authenticated route can give. */
export const COMMON_ERRORS = {
  400: error('invalid input: the field path and the reason'),
  401: error('missing, malformed, expired or foreign token'),
  403: error('the token’s roles do not allow this'),
  404: error('not found (another merchant’s ids are never found)'),
} as const;

/** ...and what a mutating route adds. */
export const MUTATION_ERRORS = {
  ...COMMON_ERRORS,
  409: error('conflict: illegal state transition (names the current status), short stock, duplicate'),
  413: error('body too large'),
  422: error('Idempotency-Key already used with a different request'),
} as const;
