import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-env.ts';
import { authorize, type Permission } from './rbac.ts';

/** Route middleware: a valid bearer token whose roles grant `permission`. */
export function requires(permission: Permission): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const principal = await c.var.authenticator.authenticate(c.req.header('authorization'));
    authorize(principal, permission);
    c.set('principal', principal);
    await next();
  };
}
