import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiError } from '../errors.ts';

/**
 * Refuses bodies over `maxBytes` (413). A declared Content-Length is checked from the header alone,
 * so the node adapter keeps its fast path (reading the body straight from the socket instead of
 * building a web Request and stream); only bodies without a length are counted as they stream in.
 */
export function bodyGuard(maxBytes: number): MiddlewareHandler {
  const tooLarge = () => {
    throw new ApiError('payload_too_large', 'http.payload_too_large', `body larger than ${maxBytes} bytes`);
  };
  const streaming = bodyLimit({ maxSize: maxBytes, onError: tooLarge });
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      if (!/^\d+$/.test(length) || Number(length) > maxBytes) tooLarge();
      return next();
    }
    return streaming(c, next);
  };
}
