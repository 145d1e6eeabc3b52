import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';

export interface HubGaugeSource {
  connections(): number;
  subscriptions(): number;
  topics(): number;
}

/** The hub's Prometheus metrics, on a registry of its own (two hubs in one process do not collide). */
export function createHubMetrics(source: HubGaugeSource, options: { processMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'hub_' });
  const registers = [registry];
  const metrics = {
    registry,
    connections: new Gauge({
      name: 'hub_connections',
      help: 'open terminal connections (handshaken)',
      registers,
      collect() {
        this.set(source.connections());
      },
    }),
    subscriptions: new Gauge({
      name: 'hub_subscriptions',
      help: 'topic subscriptions of open connections',
      registers,
      collect() {
        this.set(source.subscriptions());
      },
    }),
    topics: new Gauge({
      name: 'hub_topics',
      help: 'topics with local subscribers on this instance',
      registers,
      collect() {
        this.set(source.topics());
      },
    }),
    handshakes: new Counter({
      name: 'hub_handshakes_total',
      help: 'handshakes by result',
      labelNames: ['result'],
      registers,
    }),
    published: new Counter({
      name: 'hub_frames_published_total',
      help: 'topic frames sealed and published',
      registers,
    }),
    events: new Counter({
      name: 'hub_events_published_total',
      help: 'events sealed into topic frames (a frame carries one or more)',
      registers,
    }),
    deliveries: new Counter({
      name: 'hub_deliveries_total',
      help: 'events handed to subscribers (events × local subscribers)',
      registers,
    }),
    drops: new Counter({ name: 'hub_drops_total', help: 'messages dropped at the backpressure limit', registers }),
    slowDisconnects: new Counter({
      name: 'hub_slow_disconnects_total',
      help: 'terminals cut off for exceeding the backpressure limit',
      registers,
    }),
    recoveries: new Counter({
      name: 'hub_recoveries_total',
      help: 'subscriptions resumed from a position, by result',
      labelNames: ['result'],
      registers,
    }),
    replayed: new Counter({ name: 'hub_replayed_entries_total', help: 'history entries replayed', registers }),
    keyRotations: new Counter({
      name: 'hub_key_rotations_total',
      help: 'topic key rotations by reason',
      labelNames: ['reason'],
      registers,
    }),
    refusals: new Counter({
      name: 'hub_refusals_total',
      help: 'refused subscriptions by reason',
      labelNames: ['reason'],
      registers,
    }),
    closes: new Counter({
      name: 'hub_closes_total',
      help: 'connections closed by the hub, by close code',
      labelNames: ['code'],
      registers,
    }),
    forcedCloses: new Counter({
      name: 'hub_forced_closes_total',
      help: 'closing connections dropped without their close frame: what was queued for them did not drain in time',
      registers,
    }),
  };
  return metrics;
}

export type HubMetrics = ReturnType<typeof createHubMetrics>;
