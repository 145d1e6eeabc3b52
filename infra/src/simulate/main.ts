import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { OptionsError, parseSimulateArgs, usage } from './options.ts';

/**
 * `npm run simulate -- --pos 20 --kds 12 --orders-per-s 50 --duration 60 [--with-redis]`.
 * Checks the flags, then runs the simulator in host.ts in a process group of its own: Ctrl-C in a
 * terminal signals the whole foreground group, and the embedded Postgres would otherwise stop at once
 * under the running parts. Here only this launcher gets it and asks the host to end the rush early
 * and stop everything in order.
 */
let parsed: ReturnType<typeof parseSimulateArgs>;
try {
  parsed = parseSimulateArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof OptionsError)) throw error;
  console.error(`simulate: ${error.message}\n\n${usage()}`);
  process.exit(2);
}
if (parsed.help) {
  console.log(usage());
  process.exit(0);
}

const host = fork(fileURLToPath(new URL('./host.ts', import.meta.url)), [], {
  execArgv: ['--import', 'tsx'],
  detached: true,
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
host.send(parsed.options);
let signals = 0;
const forward = () => {
  // the first signal ends the rush early; a third one stops waiting for a clean shutdown
  if (++signals > 2) {
    // the host's whole group: the rush's devices, the embedded Postgres and Redis with it
    if (host.pid) process.kill(-host.pid, 'SIGKILL');
    process.exit(130);
  }
  if (host.exitCode === null) host.kill('SIGINT');
};
process.on('SIGINT', forward);
process.on('SIGTERM', forward);
host.once('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
