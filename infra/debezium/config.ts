import { defineConfig, env } from '@commerce/common';
import { z } from 'zod';

/**
 * The connector registration job (register-connector.ts). The CDC_* values fill the `${NAME}`
 * placeholders of connector.json; their defaults are the file's own `${NAME:-default}` ones
 * (infra/src/compose/compose.test.ts holds them equal).
 */
export const connectRegisterConfigSchema = defineConfig(
  'connect-register',
  z.object({
    CONNECT_URL: env.url(['http', 'https']).default('http://connect:8083').describe('Kafka Connect REST API'),
    CONNECTOR_FILE: z
      .string()
      .min(1)
      .optional()
      .describe('connector JSON to register; unset = infra/debezium/connector.json'),
    CONNECT_TIMEOUT_MS: env
      .int(300_000, 1_000)
      .describe('give up (exit 1) when Connect is not up, or the connector and its task not RUNNING, by then'),
    CDC_DB_HOST: z.string().min(1).default('postgres').describe('Postgres host as Kafka Connect reaches it'),
    CDC_DB_PORT: env.int(5432, 1, 65535).describe('Postgres port as Kafka Connect reaches it'),
    CDC_DB_USER: z.string().min(1).default('commerce').describe('Postgres user of the connector (needs REPLICATION)'),
    CDC_DB_PASSWORD: z.string().min(1).describe('password of CDC_DB_USER'),
    CDC_DB_NAME: z.string().min(1).default('commerce').describe('database whose publication is streamed'),
    CDC_TOPIC_PARTITIONS: env.int(4, 1, 10_000).describe('partitions of the change topics Connect creates'),
    CDC_TOPIC_REPLICATION_FACTOR: env
      .int(1, 1, 100)
      .describe('replication factor of the topics Connect creates (at most the number of brokers)'),
    CDC_TOPIC_RETENTION_MS: env
      .int(604_800_000, -1)
      .describe('retention of the change topics (-1 = forever); cdc must catch up within it or re-snapshot'),
  }),
);

export type ConnectRegisterConfig = z.infer<typeof connectRegisterConfigSchema>;

/** The parsed values as strings, for the connector file's placeholders. */
export function connectorVariables(config: ConnectRegisterConfig): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) if (value !== undefined) variables[key] = String(value);
  return variables;
}
