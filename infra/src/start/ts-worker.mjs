// Entry of a worker thread running a TypeScript module: a worker does not inherit the main
// thread's module hooks, so tsx is registered here before the module is imported.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
