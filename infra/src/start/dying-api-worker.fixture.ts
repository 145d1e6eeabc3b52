import { parentPort } from 'node:worker_threads';

/** For api-thread.test.ts: an "api thread" that says it listens, then dies as a crashed one would. */
parentPort!.postMessage({ type: 'listening', port: 1 });
setTimeout(() => process.exit(3), 100);
