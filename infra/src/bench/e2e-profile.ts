import { readFile, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/**
 * A CPU profile of this process (the server parts) over the load, written as a .cpuprofile (open
 * it in Chrome DevTools) and summarized as the functions with the most self time.
 */
export async function startCpuProfile(): Promise<{ stop(path: string, label: string): Promise<string[]> }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  return {
    async stop(path, label) {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      await writeFile(path, JSON.stringify(profile));
      return summarizeProfile(profile.nodes as ProfileNode[], path, label);
    },
  };
}

/** The summary of a .cpuprofile written by `node --cpu-prof` (nothing when it is missing). */
export async function summarizeProfileFile(path: string, label: string): Promise<string[]> {
  const text = await readFile(path, 'utf8').catch(() => null);
  return text ? summarizeProfile((JSON.parse(text) as { nodes: ProfileNode[] }).nodes, path, label) : [];
}

function summarizeProfile(nodes: readonly ProfileNode[], path: string, label: string, top = 25): string[] {
  const self = new Map<string, number>();
  let total = 0;
  for (const node of nodes) {
    const hits = node.hitCount ?? 0;
    total += hits;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${url.replace(/^.*\/(node_modules|work\/main)\//, '')}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    self.set(key, (self.get(key) ?? 0) + hits);
  }
  return [
    `  ${label} CPU profile: ${path} (self time, share of samples):`,
    ...[...self]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, hits]) => `    ${((hits / Math.max(1, total)) * 100).toFixed(1).padStart(5)}%  ${key}`),
  ];
}
