import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

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

/**
 * The summary of the biggest .cpuprofile `node --cpu-prof` wrote into a folder (the main thread's;
 * loader threads write small ones beside it), or nothing when there is none.
 */
export async function summarizeLargestProfile(dir: string, label: string): Promise<string[]> {
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.cpuprofile'));
  const sized = await Promise.all(
    files.map(async (f) => ({ path: join(dir, f), size: (await stat(join(dir, f))).size })),
  );
  const largest = sized.sort((a, b) => b.size - a.size)[0];
  if (!largest) return [];
  const profile = JSON.parse(await readFile(largest.path, 'utf8')) as { nodes: ProfileNode[] };
  return summarizeProfile(profile.nodes, largest.path, label);
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
