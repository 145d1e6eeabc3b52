import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type ConnectorFile,
  ConnectorRegistrationError,
  registerConnector,
  renderConnector,
} from '../../../infra/debezium/register-connector.ts';

/**
 * register-connector.ts against a stand-in for Kafka Connect's REST API on a real port: it must
 * wait for Connect, PUT the config idempotently, ride out 409s, and report FAILED tasks.
 */
interface FakeConnect {
  unavailableFor: number;
  conflictsOnPut: number;
  taskState: 'RUNNING' | 'FAILED';
  statusPollsBeforeRunning: number;
  configs: Map<string, Record<string, string>>;
  requests: string[];
}

const fake: FakeConnect = {
  unavailableFor: 0,
  conflictsOnPut: 0,
  taskState: 'RUNNING',
  statusPollsBeforeRunning: 0,
  configs: new Map(),
  requests: [],
};
let server: Server;
let url: string;

async function body(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text;
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    fake.requests.push(`${req.method} ${req.url}`);
    if (fake.unavailableFor > 0) {
      fake.unavailableFor--;
      return send(503, { error_code: 503, message: 'starting' });
    }
    const m = /^\/connectors\/([^/]+)\/(config|status)$/.exec(req.url ?? '');
    if (req.method === 'GET' && req.url === '/') return send(200, { version: '3.7.0', commit: 'x' });
    if (!m) return send(404, { error_code: 404, message: 'not found' });
    const name = decodeURIComponent(m[1]!);
    if (m[2] === 'config' && req.method === 'GET') {
      const config = fake.configs.get(name);
      return config ? send(200, config) : send(404, { error_code: 404, message: `Connector ${name} not found` });
    }
    if (m[2] === 'config' && req.method === 'PUT') {
      const config = JSON.parse(await body(req)) as Record<string, string>;
      if (fake.conflictsOnPut > 0) {
        fake.conflictsOnPut--;
        return send(409, { error_code: 409, message: 'Cannot complete request because of a conflicting operation' });
      }
      if (!config['connector.class'])
        return send(400, { error_code: 400, message: 'Missing required configuration "connector.class"' });
      const existed = fake.configs.has(name);
      fake.configs.set(name, { ...config, name });
      return send(existed ? 200 : 201, { name, config, tasks: [], type: 'source' });
    }
    if (m[2] === 'status' && req.method === 'GET') {
      if (!fake.configs.has(name)) return send(404, { error_code: 404, message: 'not found' });
      const starting = fake.statusPollsBeforeRunning > 0;
      if (starting) fake.statusPollsBeforeRunning--;
      const state = starting ? 'UNASSIGNED' : fake.taskState;
      return send(200, {
        name,
        connector: { state: starting ? 'UNASSIGNED' : 'RUNNING', worker_id: 'connect:8083' },
        tasks: [
          {
            id: 0,
            state,
            worker_id: 'connect:8083',
            ...(state === 'FAILED' ? { trace: 'PSQLException: publication "commerce_cdc" does not exist' } : {}),
          },
        ],
        type: 'source',
      });
    }
    return send(405, { error_code: 405, message: 'method not allowed' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  Object.assign(fake, {
    unavailableFor: 0,
    conflictsOnPut: 0,
    taskState: 'RUNNING',
    statusPollsBeforeRunning: 0,
    requests: [],
  });
  fake.configs.clear();
});

const connector: ConnectorFile = {
  name: 'commerce-postgres',
  config: { 'connector.class': 'io.debezium.connector.postgresql.PostgresConnector', 'slot.name': 'commerce_debezium' },
};
const register = (c: ConnectorFile = connector) =>
  registerConnector({ connectUrl: url, connector: c, retryDelayMs: 10, timeoutMs: 5_000 });

describe('register-connector', () => {
  it('waits for Connect, creates the connector, then waits for RUNNING', async () => {
    fake.unavailableFor = 3;
    fake.statusPollsBeforeRunning = 2;
    await expect(register()).resolves.toBe('created');
    expect(fake.requests.slice(0, 4)).toEqual(['GET /', 'GET /', 'GET /', 'GET /']);
    expect(fake.requests).toContain('PUT /connectors/commerce-postgres/config');
    expect(fake.configs.get('commerce-postgres')).toEqual({ ...connector.config, name: 'commerce-postgres' });
    expect(fake.requests.filter((r) => r.endsWith('/status'))).toHaveLength(3);
  });

  it('is idempotent: the same config again is not re-PUT, a changed one is updated', async () => {
    await register();
    fake.requests = [];
    await expect(register()).resolves.toBe('unchanged');
    expect(fake.requests.some((r) => r.startsWith('PUT'))).toBe(false);

    const changed = { ...connector, config: { ...connector.config, 'heartbeat.interval.ms': '5000' } };
    await expect(register(changed)).resolves.toBe('updated');
    expect(fake.configs.get('commerce-postgres')?.['heartbeat.interval.ms']).toBe('5000');
  });

  it('retries while Connect answers 409 (rebalancing)', async () => {
    fake.conflictsOnPut = 2;
    await expect(register()).resolves.toBe('created');
    expect(fake.requests.filter((r) => r.startsWith('PUT'))).toHaveLength(3);
  });

  it('fails with Connect’s message on a rejected config, and with the trace of a FAILED task', async () => {
    const invalid = { name: 'broken', config: { 'slot.name': 'x' } };
    await expect(register(invalid)).rejects.toThrow(/HTTP 400 .*connector\.class/);

    fake.taskState = 'FAILED';
    await expect(register()).rejects.toThrow(ConnectorRegistrationError);
    await expect(register()).rejects.toThrow(/publication "commerce_cdc" does not exist/);
  });

  it('gives up with the last error once the deadline passes', async () => {
    fake.unavailableFor = 1_000_000;
    await expect(registerConnector({ connectUrl: url, connector, retryDelayMs: 10, timeoutMs: 100 })).rejects.toThrow(
      /GET \/: gave up after \d+ attempts \(HTTP 503/,
    );
  });
});

/** `${NAME}` / `${NAME:-default}` as connector.json writes them (not JS template placeholders) */
const env = (name: string, fallback?: string) => `$\{${name}${fallback === undefined ? '' : `:-${fallback}`}}`;

describe('connector.json placeholders', () => {
  it('fills NAME and NAME:-default placeholders from the environment and refuses missing values', () => {
    const file: ConnectorFile = {
      name: 'c',
      config: {
        host: env('CDC_DB_HOST', 'postgres'),
        password: env('CDC_DB_PASSWORD'),
        url: `jdbc://${env('CDC_DB_HOST', 'db')}:${env('CDC_DB_PORT', '5432')}`,
      },
    };
    expect(file.config.url).toBe('jdbc://$' + '{CDC_DB_HOST:-db}:$' + '{CDC_DB_PORT:-5432}');
    expect(renderConnector(file, { CDC_DB_PASSWORD: 's3cret' }).config).toEqual({
      host: 'postgres',
      password: 's3cret',
      url: 'jdbc://db:5432',
    });
    expect(renderConnector(file, { CDC_DB_PASSWORD: 'p', CDC_DB_HOST: 'pg' }).config.url).toBe('jdbc://pg:5432');
    expect(() => renderConnector(file, {})).toThrow('missing environment for the connector config: CDC_DB_PASSWORD');
  });
});
