import { createHmac } from 'node:crypto';
import { storeScopeFilter } from '../../query/filter-typesense.ts';

/**
 * Typesense scoped search key, computed locally (no server call), as Typesense documents it:
 *   base64( base64(HMAC-SHA256(parentKey, paramsJSON)) + parentKey[0..4] + paramsJSON )
 * The server recomputes the digest with the parent key, so the embedded parameters (our store
 * filter) cannot be altered by the browser holding the scoped key. The parent must be a key with
 * only the `documents:search` action.
 */
export function generateScopedSearchKey(parentKey: string, params: Record<string, unknown>): string {
  const json = JSON.stringify(params);
  const digest = createHmac('sha256', parentKey).update(json).digest('base64');
  return Buffer.from(`${digest}${parentKey.slice(0, 4)}${json}`).toString('base64');
}

/** A key that can only ever search one store's published products. */
export function storeSearchKey(parentKey: string, merchantId: string, expiresAtSec?: number): string {
  const params: Record<string, unknown> = { filter_by: storeScopeFilter(merchantId) };
  if (expiresAtSec !== undefined) params.expires_at = expiresAtSec;
  return generateScopedSearchKey(parentKey, params);
}
