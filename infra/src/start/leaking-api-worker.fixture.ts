import { parentPort } from 'node:worker_threads';

/** For api-thread.test.ts: an "api thread" that says it listens, then leaks until its heap runs out. */
parentPort!.postMessage({ type: 'listening', port: 1 });
const kept: unknown[] = [];
setInterval(() => {
  for (let i = 0; i < 50_000; i++) kept.push({ i, text: `leaked ${i}` });
}, 1);
