import { createLogger, parseConfig } from '@commerce/common';
import { apiConfigSchema } from '../config.ts';
import { startApiFromConfig } from '../start-api.ts';
import { mountNaiveOrders } from './naive-orders.ts';

/** The real api (main.ts) plus the bench's baseline route, run as the bench's child process. */
const config = parseConfig(apiConfigSchema);
const running = await startApiFromConfig(config, {
  logger: createLogger('api-bench', config.LOG_LEVEL),
  mount: mountNaiveOrders,
});
process.send?.({ ready: running.url });
process.on('SIGTERM', () => {
  void running.stop().then(() => process.exit(0));
});
