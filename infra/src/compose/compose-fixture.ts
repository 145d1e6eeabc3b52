import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandText, dependencies, interpolate, loadCompose, serviceEnv } from './compose-file.ts';

// docker-compose.yml cannot run here (no Docker engine): the compose tests read it the way Compose
// would, with a `.env` made the way the file's header says.
export const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
export const composePath = join(root, 'docker-compose.yml');

const oneLine = (pem: string) => pem.trim().replace(/\n/g, '\\n');
const keyPair = () =>
  generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
const auth = keyPair();
const hubKey = keyPair();
export const dotEnv = {
  POSTGRES_PASSWORD: 'pg-secret-0123',
  TYPESENSE_API_KEY: 'ts-admin-0123',
  AUTH_JWT_PRIVATE_KEY: oneLine(auth.privateKey),
  AUTH_JWT_PUBLIC_KEY: oneLine(auth.publicKey),
  HUB_SIGNING_KEY: oneLine(hubKey.privateKey),
  HUB_PUBLIC_KEY: oneLine(hubKey.publicKey),
};
export const compose = loadCompose(composePath, dotEnv);
export const services = compose.services;
export const names = Object.keys(services);
export const envOf = (name: string) => serviceEnv(services[name]!);
/** services whose process is `<pkg>/src/main.ts` (or a given script) */
export const running = (script: string) => names.filter((n) => commandText(services[n]!).includes(script));
/** one-shot jobs: something waits for them to complete */
export const oneShots = new Set(
  names.flatMap((n) =>
    dependencies(services[n]!)
      .filter((d) => d.condition === 'service_completed_successfully')
      .map((d) => d.name),
  ),
);
export const urlHost = (url: string) => new URL(url).hostname;
export const connector = JSON.parse(readFileSync(join(root, 'infra/debezium/connector.json'), 'utf8')) as {
  name: string;
  config: Record<string, string>;
};
export const connectorValue = (key: string) => interpolate(connector.config[key] ?? '', {});
