import { type ChildProcess, spawn } from 'node:child_process';

/**
 * librdkafka's mock cluster, started through kcat (Debian: `apt-get install -y kcat`): a real
 * Kafka wire protocol server (produce, fetch, consumer groups, offset commits) in one process.
 * Topics are created on first produce (CreateTopics is not supported). kcat stays attached as a
 * consumer of a keepalive topic; stopping it tears the cluster down.
 */
export interface KafkaMockCluster {
  brokers: string[];
  stop(): Promise<void>;
}

export async function startKafkaMockCluster(timeoutMs = 10_000): Promise<KafkaMockCluster> {
  let child: ChildProcess;
  try {
    child = spawn(
      'kcat',
      ['-C', '-b', '127.0.0.1:9092', '-X', 'test.mock.num.brokers=1', '-t', 'keepalive', '-d', 'mock', '-o', 'end'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } catch (error) {
    throw new Error('cannot start kcat (apt-get install -y kcat)', { cause: error });
  }
  const address = await new Promise<string>((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kcat mock cluster did not report its address within ${timeoutMs} ms:\n${log.slice(-2000)}`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error('cannot start kcat (apt-get install -y kcat)', { cause: error }));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kcat exited with ${code} before the mock cluster came up:\n${log.slice(-2000)}`));
    });
    child.stderr!.setEncoding('utf8');
    const onData = (chunk: string) => {
      log += chunk;
      const match = /bootstrap\.servers=(\S+)/.exec(log);
      if (match) {
        clearTimeout(timer);
        child.stderr!.off('data', onData);
        // keep draining the (debug-level) log, or kcat blocks on a full pipe
        child.stderr!.resume();
        resolve(match[1]!);
      }
    };
    child.stderr!.on('data', onData);
  });
  child.removeAllListeners('exit');
  return {
    brokers: address.split(','),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 2_000).unref();
      }),
  };
}
