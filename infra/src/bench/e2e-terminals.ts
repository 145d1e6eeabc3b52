import type { DomainEvent } from '@commerce/common';
import type { HubClient } from '@commerce/sdk';
import { connectAll, connectTerminal } from '../simulate/terminal.ts';
import { NO_LOOP_DELAY, watchEventLoop } from './e2e-loop.ts';
import { type Delivery, now, type TerminalsCommand, type TerminalsReport } from './e2e-protocol.ts';

/**
 * The benchmark's terminals, in their own process so their decrypting does not share the server's
 * event loop: each is a real SDK client (ws, pinned hub key, ECDH handshake, AES-GCM), subscribed to
 * its topics. Every order.created and kitchen.ticket.created decrypted is stamped with the time.
 */
const deliveries = new Map<string, Delivery>();
/**
 * (terminal, event) pairs seen at least once: the bench's grace wait compares them with what it
 * expects. Counted from the deliveries' own terminal lists (a few terminals per event), not a set of
 * pair strings: this process stands in for 200 devices, and what it keeps over a run becomes old
 * space its collector must mark and scavenges must track, pauses that land in the measured latencies.
 */
let count = 0;
let rejected = 0;
let reloads = 0;
let disconnects = 0;
let clients: HubClient[] = [];
let loop: ReturnType<typeof watchEventLoop> | null = null;
const send = (report: TerminalsReport) => process.send!(report);

function onEvent(terminal: string, event: DomainEvent): void {
  const at = now();
  let key: string;
  if (event.type === 'order.created') key = `o:${String(event.entity.id)}`;
  else if (event.type === 'kitchen.ticket.created')
    key = `k:${String(event.entity.orderId)}:${String(event.entity.stationId)}`;
  else return;
  const found = deliveries.get(key);
  if (found) {
    // a duplicate must not stand in for a delivery still on its way to another terminal
    if (!found.terminals.includes(terminal)) count++;
    found.at.push(at);
    found.terminals.push(terminal);
  } else {
    count++;
    deliveries.set(key, { key, at: [at], terminals: [terminal], committedAt: event.occurredAt });
  }
}

process.on('message', async (command: TerminalsCommand) => {
  switch (command.cmd) {
    case 'connect': {
      const started = now();
      try {
        clients = await connectAll(
          command.terminals,
          (plan) =>
            connectTerminal({
              url: command.url,
              token: plan.token,
              publicKeyPem: command.publicKeyPem,
              topics: plan.topics,
              name: plan.name,
              onEvent: (event) => onEvent(plan.name, event),
              onRejected: () => rejected++,
              onReload: () => reloads++,
              timeoutMs: 60_000,
            }),
          8,
        );
        for (const client of clients) client.on('state', ({ state }) => state === 'reconnecting' && disconnects++);
        loop = watchEventLoop();
        send({ type: 'connected', count: clients.length, ms: now() - started });
      } catch (error) {
        send({ type: 'failed', message: (error as Error).message });
      }
      return;
    }
    case 'count':
      send({ type: 'count', deliveries: count });
      return;
    case 'collect':
      send({
        type: 'collected',
        deliveries: [...deliveries.values()],
        rejected,
        reloads,
        disconnects,
        loopDelay: loop?.stop() ?? NO_LOOP_DELAY,
      });
      return;
    case 'exit':
      for (const client of clients) client.close();
      setTimeout(() => process.exit(0), 100);
  }
});
process.on('disconnect', () => process.exit(0));
