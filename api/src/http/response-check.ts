import type { Logger } from '@commerce/common';
import type { OpenAPIHono, RouteConfig } from '@hono/zod-openapi';
import type { ZodType } from 'zod';
import { ApiError } from '../errors.ts';
import type { AppEnv } from './app-env.ts';

type AnyHandler = (...args: unknown[]) => unknown;

/**
 * With API_VALIDATE_RESPONSES (tests), every JSON response is parsed with the zod schema its route
 * declares for that status, so the OpenAPI document cannot drift from what the api really sends.
 */
export function checkResponses(app: OpenAPIHono<AppEnv>, logger: Logger): void {
  const original = app.openapi.bind(app) as unknown as (
    route: RouteConfig,
    handler: AnyHandler,
    hook?: unknown,
  ) => unknown;
  const wrapped = (route: RouteConfig, handler: AnyHandler, hook?: unknown) =>
    original(
      route,
      async (...args: unknown[]) => {
        const response = (await handler(...args)) as Response;
        const declared = route.responses[response.status] as { content?: Record<string, { schema?: ZodType }> };
        const content = declared?.content;
        const schema = content?.['application/json']?.schema;
        if (schema && response.headers.get('content-type')?.includes('json')) {
          const result = schema.safeParse(await response.clone().json());
          if (!result.success) {
            logger.error(
              { route: `${route.method} ${route.path}`, status: response.status, issues: result.error.issues },
              'response does not match its schema',
            );
            throw new ApiError('internal', 'api.response_schema', 'response does not match its schema');
          }
        }
        return response;
      },
      hook,
    );
  (app as unknown as { openapi: typeof wrapped }).openapi = wrapped;
}
