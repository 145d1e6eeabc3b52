/**
 * Registers (or updates) the Debezium connector with Kafka Connect, idempotently:
 *   PUT /connectors/<name>/config   (201 created, 200 updated)
 * Waits for Connect's REST API to come up, retries while Connect rebalances (409) or errs (5xx),
 * skips the PUT when the running config is already the same, then waits until the connector
 * and its task report RUNNING (exit 1 with the task's trace if one FAILED).
 *
 * `${NAME}` and `${NAME:-default}` in connector.json are filled from the parsed config
 * (connectRegisterConfigSchema in config.ts), so the password stays out of the file (note: Connect's
 * REST API shows the resolved value).
 *
 *   npx tsx infra/debezium/register-connector.ts        (CONNECT_URL, CONNECTOR_FILE, CDC_DB_*, CDC_TOPIC_*)
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '@commerce/common';
import { connectorVariables, connectRegisterConfigSchema } from './config.ts';

export interface ConnectorFile {
  name: string;
  config: Record<string, string>;
}

export type Fetch = (
  url: string,
  init?: { method?: string; headers?: Record<string, string>; body?: string },
) => Promise<{
  status: number;
  text(): Promise<string>;
}>;

export interface RegisterOptions {
  connectUrl: string;
  connector: ConnectorFile;
  fetch?: Fetch;
  /** give up after this long overall (default 5 minutes) */
  timeoutMs?: number;
  /** pause between attempts (default 2 s) */
  retryDelayMs?: number;
  log?: (message: string) => void;
}

export type RegisterOutcome = 'created' | 'updated' | 'unchanged';

export class ConnectorRegistrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConnectorRegistrationError';
  }
}

const PLACEHOLDER = /\$\{([A-Z0-9_]+)(?::-([^}]*))?\}/g;

/** Fills `${NAME}` / `${NAME:-default}` from env; a placeholder without value or default is an error. */
export function renderConnector(file: ConnectorFile, env: Record<string, string | undefined>): ConnectorFile {
  const missing = new Set<string>();
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(file.config)) {
    if (typeof value !== 'string') throw new ConnectorRegistrationError(`config.${key} must be a string`);
    config[key] = value.replace(PLACEHOLDER, (_m, name: string, fallback: string | undefined) => {
      const given = env[name];
      if (given !== undefined && given !== '') return given;
      if (fallback !== undefined) return fallback;
      missing.add(name);
      return '';
    });
  }
  if (missing.size > 0) {
    throw new ConnectorRegistrationError(`missing environment for the connector config: ${[...missing].join(', ')}`);
  }
  return { name: file.name, config };
}

export function loadConnectorFile(path: string): ConnectorFile {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as ConnectorFile;
  if (typeof parsed.name !== 'string' || typeof parsed.config !== 'object' || parsed.config === null) {
    throw new ConnectorRegistrationError(`${path}: expected {"name": ..., "config": {...}}`);
  }
  return parsed;
}

function sameConfig(running: Record<string, unknown>, wanted: ConnectorFile): boolean {
  // Connect echoes the config back with `name` added
  const desired: Record<string, string> = { ...wanted.config, name: wanted.name };
  const keys = new Set([...Object.keys(running), ...Object.keys(desired)]);
  for (const key of keys) if (running[key] !== desired[key]) return false;
  return true;
}

export async function registerConnector(options: RegisterOptions): Promise<RegisterOutcome> {
  const fetchImpl: Fetch = options.fetch ?? (globalThis.fetch as unknown as Fetch);
  const base = options.connectUrl.replace(/\/+$/, '');
  const name = encodeURIComponent(options.connector.name);
  const deadline = Date.now() + (options.timeoutMs ?? 300_000);
  const delay = options.retryDelayMs ?? 2_000;
  const log = options.log ?? (() => undefined);
  const pause = () => new Promise((resolve) => setTimeout(resolve, delay));

  /** One HTTP exchange, retried on network errors, 409 and 5xx until the deadline. */
  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> => {
    for (let attempt = 1; ; attempt++) {
      let outcome: string;
      try {
        const response = await fetchImpl(`${base}${path}`, {
          method,
          headers: { accept: 'application/json', 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const text = await response.text();
        if (response.status !== 409 && response.status < 500) return { status: response.status, text };
        outcome = `HTTP ${response.status} ${text.slice(0, 200)}`;
      } catch (error) {
        outcome = (error as Error).message;
      }
      if (Date.now() >= deadline) {
        throw new ConnectorRegistrationError(`${method} ${path}: gave up after ${attempt} attempts (${outcome})`);
      }
      log(`${method} ${path}: ${outcome}; retrying`);
      await pause();
    }
  };

  const root = await call('GET', '/');
  if (root.status !== 200) throw new ConnectorRegistrationError(`Kafka Connect at ${base} answered ${root.status}`);

  let outcome: RegisterOutcome;
  const current = await call('GET', `/connectors/${name}/config`);
  if (current.status === 200 && sameConfig(JSON.parse(current.text) as Record<string, unknown>, options.connector)) {
    outcome = 'unchanged';
  } else {
    const put = await call('PUT', `/connectors/${name}/config`, options.connector.config);
    if (put.status !== 200 && put.status !== 201) {
      throw new ConnectorRegistrationError(`PUT /connectors/${name}/config: HTTP ${put.status} ${put.text}`);
    }
    outcome = put.status === 201 ? 'created' : 'updated';
  }
  log(`connector ${options.connector.name}: ${outcome}`);

  // a task starts asynchronously after the PUT: wait for RUNNING, fail loudly on FAILED
  for (;;) {
    const status = await call('GET', `/connectors/${name}/status`);
    if (status.status === 200) {
      const body = JSON.parse(status.text) as {
        connector?: { state?: string; trace?: string };
        tasks?: { id: number; state?: string; trace?: string }[];
      };
      const failed = [body.connector, ...(body.tasks ?? [])].find((s) => s?.state === 'FAILED');
      if (failed) {
        throw new ConnectorRegistrationError(
          `connector ${options.connector.name} FAILED: ${failed.trace ?? 'no trace'}`,
        );
      }
      const tasks = body.tasks ?? [];
      if (body.connector?.state === 'RUNNING' && tasks.length > 0 && tasks.every((t) => t.state === 'RUNNING')) {
        return outcome;
      }
    }
    if (Date.now() >= deadline) {
      throw new ConnectorRegistrationError(`connector ${options.connector.name} did not reach RUNNING in time`);
    }
    await pause();
  }
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  try {
    // parsed once, before anything else: a bad or missing value stops the job naming the key
    const config = parseConfig(connectRegisterConfigSchema);
    const file = config.CONNECTOR_FILE ?? join(dirname(fileURLToPath(import.meta.url)), 'connector.json');
    const connector = renderConnector(loadConnectorFile(file), connectorVariables(config));
    const outcome = await registerConnector({
      connectUrl: config.CONNECT_URL,
      connector,
      timeoutMs: config.CONNECT_TIMEOUT_MS,
      log: (message) => process.stdout.write(`register-connector: ${message}\n`),
    });
    process.stdout.write(`register-connector: ${connector.name} ${outcome} and RUNNING\n`);
  } catch (error) {
    process.stderr.write(`register-connector: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
