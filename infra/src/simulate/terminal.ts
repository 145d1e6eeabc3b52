import type { DomainEvent } from '@commerce/common';
import { HubClient, type HubEvent, type WebSocketConstructor } from '@commerce/sdk';
import { nodeTopicCipher } from '@commerce/sdk/node';
import WebSocket from 'ws';
import { z } from 'zod';

/** TERMINAL_CIPHER: how the simulated terminals open frames (node:crypto unless `web`) */
const CIPHER = z
  .enum(['node', 'web'], { message: 'TERMINAL_CIPHER must be node or web' })
  .default('node')
  .parse(process.env.TERMINAL_CIPHER || undefined);

export interface TerminalOptions {
  url: string;
  token: string;
  publicKeyPem: string;
  topics: string[];
  name: string;
  onEvent: (event: DomainEvent, hubEvent: HubEvent) => void;
  onRejected?: (reason: string) => void;
  onReload?: (topic: string) => void;
  timeoutMs?: number;
}

/**
 * A terminal as a real device runs it: the terminal SDK over `ws`, pinning the hub's public key,
 * subscribed to its topics, opening frames with node:crypto (TERMINAL_CIPHER=web: WebCrypto, as
 * browsers do). Resolves once every topic is confirmed; a refused topic is an error
 * (the fleet's tokens should allow exactly what it subscribes to).
 */
export async function connectTerminal(options: TerminalOptions): Promise<HubClient> {
  const client = new HubClient({
    url: options.url,
    token: options.token,
    serverKeys: [options.publicKeyPem],
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    agent: options.name,
    reconnect: { initialDelayMs: 200, maxDelayMs: 2_000 },
    // node:crypto rather than WebCrypto: a fleet of terminals in one process spends a tenth of the CPU per frame
    ...(CIPHER === 'node' ? { topicCipher: nodeTopicCipher } : {}),
  });
  client.on('event', (hubEvent) => options.onEvent(hubEvent.event, hubEvent));
  client.on('rejected', ({ reason }) => options.onRejected?.(reason));
  client.on('reload-required', ({ topic }) => options.onReload?.(topic));
  const pending = new Set(options.topics);
  const confirmed = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${options.name}: topics not confirmed in time: ${[...pending].join(', ')}`)),
      options.timeoutMs ?? 15_000,
    );
    client.on('subscribed', ({ topic }) => {
      pending.delete(topic);
      if (pending.size === 0) {
        clearTimeout(timer);
        resolve();
      }
    });
    client.on('refused', ({ topic, reason }) => {
      clearTimeout(timer);
      reject(new Error(`${options.name}: hub refused ${topic} (${reason})`));
    });
  });
  try {
    await client.connect();
    for (const topic of options.topics) client.subscribe(topic);
    await confirmed;
  } catch (error) {
    client.close();
    throw error;
  }
  return client;
}

/** Connects many terminals a few at a time (a burst of hundreds of handshakes helps no one). */
export async function connectAll<T>(items: readonly T[], connect: (item: T) => Promise<HubClient>, parallel = 16) {
  const clients: HubClient[] = new Array(items.length);
  let index = 0;
  let failed = false;
  const worker = async () => {
    while (index < items.length && !failed) {
      const i = index++;
      try {
        clients[i] = await connect(items[i]!);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const results = await Promise.allSettled(Array.from({ length: Math.min(parallel, items.length) }, worker));
  const failure = results.find((r) => r.status === 'rejected');
  if (failure) {
    for (const client of clients) client?.close();
    throw failure.reason;
  }
  return clients;
}
