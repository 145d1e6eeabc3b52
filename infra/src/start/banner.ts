import { DEMO_STAFF_PIN } from '../seed/demo-seed.ts';
import type { StartConfig } from './config.ts';
import type { DemoToken } from './demo-tokens.ts';

export function printBanner(info: {
  config: StartConfig;
  databaseUrl: string;
  urls: Array<[string, string]>;
  tokens: DemoToken[];
  redisUrl: string | undefined;
}) {
  const lines = [
    '',
    'Commerce hub is up (Ctrl-C to stop).',
    '',
    ...info.urls.map(([label, url]) => `  ${label.padEnd(22)} ${url}`),
    `  ${'Postgres'.padEnd(22)} ${info.databaseUrl.replace(/:[^:@/]+@/, ':***@')}`,
    `  ${'Bus'.padEnd(22)} ${info.config.BUS_DRIVER}${info.redisUrl ? ` (${info.redisUrl})` : ''}`,
    `  ${'Api runs on'.padEnd(22)} ${info.config.API_THREAD === 'worker' ? 'a worker thread of its own' : 'the main thread'} (API_THREAD=${info.config.API_THREAD})`,
    '',
    `Sign in on /pair as any demo staff member (e.g. manager@demo-bistro.test, merchant demo-bistro) with PIN ${DEMO_STAFF_PIN},`,
    'or paste one of these tokens (Authorization: Bearer <token> for the api):',
    ...info.tokens.flatMap((t) => [`  ${t.label}:`, `    ${t.token}`]),
    '',
  ];
  console.log(lines.join('\n'));
}
