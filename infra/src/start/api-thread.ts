import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import type { ApiRuntimeConfig } from '@commerce/api';
import type { Logger } from '@commerce/common';
import type { Hono } from 'hono';
import { InfraError } from '../errors.ts';
import { type RouteSpec, routesOf, serveRoutes } from './route-bridge.ts';

/** What the api thread is started with: plain data (it crosses the thread boundary by copy). */
export interface ApiThreadSettings {
  api: Partial<ApiRuntimeConfig> & Pick<ApiRuntimeConfig, 'API_HOST' | 'API_PORT'>;
  databaseUrl: string;
  /** connections of the thread's own pool */
  poolMax: number;
  auth: { publicKeyPem: string; privateKeyPem: string; issuer: string; audience: string };
  /** the hub the terminal pages and paired devices are given */
  hub: { url: string; publicKey: string };
  logLevel: string;
}

/** workerData of api-worker.ts */
export interface ApiWorkerData extends ApiThreadSettings {
  /** routes served by this (the main) thread, and the port they are forwarded over */
  forwarded: RouteSpec[];
  bridge: MessagePort;
}

export type ApiWorkerMessage = { type: 'listening'; port: number } | { type: 'stopped' };

export interface ApiThread {
  port: number;
  /** the api drains (as Api.stop), closes its pool, then the thread ends */
  stop(): Promise<void>;
}

const STOP_TIMEOUT_MS = 20_000;

/**
 * The api in a worker thread of this process: its HTTP parsing, validation and garbage
 * collection no longer wait behind capture's decoding and the hub's fan-out on the main thread,
 * and theirs no longer delay an order's answer. `served` (the embedded search routes, whose index
 * lives here) is answered by this thread over a MessagePort. `onFatal` hears of a thread that
 * died after it started.
 */
export async function startApiThread(deps: {
  settings: ApiThreadSettings;
  served: Hono;
  logger: Logger;
  onFatal: (error: Error) => void;
  /** the module the thread runs (api-worker.ts; a test gives its own) */
  entry?: URL;
  /** cap on the thread's old generation in MB (API_THREAD_MAX_HEAP_MB); 0 or absent: V8's default */
  maxHeapMb?: number;
}): Promise<ApiThread> {
  const maxHeapMb = deps.maxHeapMb ?? 0;
  const channel = new MessageChannel();
  serveRoutes(deps.served, channel.port1);
  const data: ApiWorkerData = { ...deps.settings, forwarded: routesOf(deps.served), bridge: channel.port2 };
  const worker = new Worker(new URL('./ts-worker.mjs', import.meta.url), {
    workerData: { entry: (deps.entry ?? new URL('./api-worker.ts', import.meta.url)).href, ...data },
    transferList: [channel.port2],
    resourceLimits: { ...youngGeneration(), ...(maxHeapMb > 0 ? { maxOldGenerationSizeMb: maxHeapMb } : {}) },
  });
  /** the thread's error as said to a human: running out of its heap names the setting */
  const explain = (error: Error): Error =>
    (error as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY'
      ? new InfraError(
          'internal',
          'api.out_of_memory',
          `the api thread ran out of memory (${maxHeapMb > 0 ? `API_THREAD_MAX_HEAP_MB=${maxHeapMb}` : 'V8’s default heap limit'})`,
          { cause: error },
        )
      : error;
  let stopping = false;
  let exited = false;
  const exit = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const messages: Array<(m: ApiWorkerMessage) => void> = [];
  worker.on('message', (m: ApiWorkerMessage) => {
    for (const listener of messages.splice(0)) listener(m);
  });
  const next = () => new Promise<ApiWorkerMessage>((resolve) => messages.push(resolve));

  const port = await new Promise<number>((resolve, reject) => {
    const failed = (error: Error) => reject(explain(error));
    const early = (code: number) =>
      reject(new InfraError('internal', 'api.thread_exited', `the api thread exited (${code}) before it listened`));
    worker.once('error', failed);
    worker.once('exit', early);
    void next().then((m) => {
      worker.off('error', failed);
      worker.off('exit', early);
      if (m.type === 'listening') resolve(m.port);
    });
  }).catch(async (error: unknown) => {
    await worker.terminate();
    channel.port1.close();
    throw error;
  });

  // a thread that fails says so with 'error' and then 'exit': the first one is reported, once
  let reported = false;
  const report = (error: Error) => {
    if (stopping || reported) return;
    reported = true;
    deps.onFatal(error);
  };
  worker.on('error', (error) => report(explain(error)));
  worker.once('exit', (code) => {
    exited = true;
    channel.port1.close();
    report(new InfraError('internal', 'api.thread_exited', `the api thread exited (${code})`));
  });
  deps.logger.info({ port }, 'api thread listening');

  return {
    port,
    async stop() {
      if (stopping) return exit;
      stopping = true;
      if (!exited) {
        const stopped = next();
        worker.postMessage({ type: 'stop' });
        const timer = new Promise((resolve) => setTimeout(resolve, STOP_TIMEOUT_MS).unref());
        await Promise.race([stopped, exit, timer]);
        await worker.terminate();
      }
      await exit;
    },
  };
}

/**
 * The thread's young generation sized as this process's (`npm start` runs with
 * --max-semi-space-size): V8 flags do not reach a worker's heap, its resource limits do. Three
 * semi-spaces' worth gives it the same new space as the main thread (measured).
 */
function youngGeneration(): { maxYoungGenerationSizeMb?: number } {
  const flag = process.execArgv.find((a) => a.startsWith('--max-semi-space-size='));
  const mb = flag ? Number(flag.split('=')[1]) : Number.NaN;
  return Number.isFinite(mb) && mb > 0 ? { maxYoungGenerationSizeMb: 3 * mb } : {};
}
