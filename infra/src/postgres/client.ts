import postgres, { type Options, type Sql } from 'postgres';

/**
 * postgres.js for a URL whose host may be a Unix socket folder, percent-encoded as libpq and
 * node-postgres read it (`postgres://user:pw@%2Fpath%2Fto%2Fdir:5432/db`); postgres.js itself would
 * look that host up in DNS. Any other URL is passed through as is.
 */
// biome-ignore lint/complexity/noBannedTypes: postgres.js's own default for "no custom types"
export function postgresClient(url: string, options: Options<{}> = {}): Sql {
  const host = decodeURIComponent(new URL(url).hostname);
  return postgres(url, host.startsWith('/') ? { ...options, host } : options);
}
