import { parentPort, workerData } from 'node:worker_threads';
import { createApi } from '@commerce/api';
import { createLogger, createTokenSigner, createTokenVerifier } from '@commerce/common';
import { createTerminalRoutes } from '@commerce/terminals';
import { postgresClient } from '../postgres/client.ts';
import type { ApiWorkerData, ApiWorkerMessage } from './api-thread.ts';
import { forwardRoutes } from './route-bridge.ts';

/** The api thread of `npm start` (see api-thread.ts): the api with its own pool, the terminal pages, and the forwarded search routes. */
const data = workerData as ApiWorkerData;
const port = parentPort!;
const say = (m: ApiWorkerMessage) => port.postMessage(m);
const logger = createLogger('start', data.logLevel).child({ part: 'api' });

const sql = postgresClient(data.databaseUrl, {
  max: data.poolMax,
  onnotice: () => {},
  connection: { application_name: 'commerce-api' },
});
const { publicKeyPem, privateKeyPem, ...claims } = data.auth;
const pages = createTerminalRoutes({ hub: data.hub, logger: logger.child({ part: 'terminals' }) });
const forwarded = forwardRoutes(data.forwarded, data.bridge);
const api = createApi({
  config: data.api,
  logger,
  sql,
  tokenVerifier: await createTokenVerifier({ publicKeyPem, ...claims }),
  tokenSigner: await createTokenSigner({ privateKeyPem, ...claims }),
  mount: (app) => {
    app.route('/', forwarded);
    app.route('/', pages.app);
  },
});
const listening = await api.start();
await pages.ready();

port.on('message', async (m: { type: 'stop' }) => {
  if (m.type !== 'stop') return;
  await api.stop().catch((error) => logger.error({ err: error }, 'api stop failed'));
  await sql.end({ timeout: 5 });
  data.bridge.close();
  say({ type: 'stopped' });
  port.close();
});
say({ type: 'listening', port: listening.port });
