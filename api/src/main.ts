import { createLogger, parseConfig } from '@commerce/common';
import { apiConfigSchema } from './config.ts';
import { startApiFromConfig } from './start-api.ts';

/** Runs the api alone: `npm run start -w api` (config from the environment, see README). */
const config = parseConfig(apiConfigSchema);
const logger = createLogger('api', config.LOG_LEVEL);
const running = await startApiFromConfig(config, { logger });

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  await running.stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
