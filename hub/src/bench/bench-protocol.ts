import type { DomainEvent } from '@commerce/common';

/** Shared by the benchmark's processes: the one topic, the event shape and the IPC messages. */
export const BENCH_TOPIC = 'm:1:b:1:kitchen:1';
export const BENCH_TOPIC_ID = 1;
export const EVENT_BYTES = 200;

/**
 * plain: uWS publish of each raw event; encrypted: the hub as configured by default (events of one
 * turn coalesced into one sealed frame); encrypted-single: the hub with one event per frame;
 * ws: a `ws` server sealing per socket.
 */
export type Mode = 'plain' | 'encrypted' | 'encrypted-single' | 'ws';

/** Events in a topic frame at buf[start..]: the u16 after the epoch and the seq (see docs/hub-protocol.md §6). */
export const topicFrameCount = (buf: Uint8Array, start: number) =>
  (buf[start + 23 + buf[start + 14]!]! << 8) | buf[start + 24 + buf[start + 14]!]!;

const origin = performance.timeOrigin;
/** Wall-clock ms with sub-ms precision, comparable across the benchmark's processes. */
export const now = () => origin + performance.now();

/** A kitchen event padded so its JSON is exactly EVENT_BYTES long; sentAt is when it was published. */
export function benchEvent(seq: number, sentAt = now()): DomainEvent {
  const event: DomainEvent = {
    v: 1,
    type: 'kitchen.ticket.created',
    id: `e${seq}`,
    merchantId: '1',
    topic: BENCH_TOPIC,
    entity: { seq, sentAt, pad: '' },
    position: `0/${seq}`,
    occurredAt: null,
  };
  const length = JSON.stringify(event).length;
  (event.entity as { pad: string }).pad = 'x'.repeat(Math.max(0, EVENT_BYTES - length));
  return event;
}

export type ServerCommand =
  | { cmd: 'publish'; durationMs: number; window: number; ratePerS: number }
  | { cmd: 'ack'; min: number }
  | { cmd: 'rss' }
  | { cmd: 'stop' };

export type ServerReport =
  | { type: 'ready'; port: number; spkiPem: string }
  | { type: 'published'; count: number; firstAt: number; lastAt: number; cpuMs: number; sysMs: number }
  | { type: 'rss'; rss: number; heapUsed: number; heapTotal: number; external: number; connections: number };

export interface ClientSetup {
  cmd: 'connect';
  mode: Mode;
  port: number;
  count: number;
  probes: number;
  token: string;
  spkiPem: string;
}

export type ClientCommand = ClientSetup | { cmd: 'phase'; sampleEvery: number } | { cmd: 'report' } | { cmd: 'close' };

export type ClientReport =
  | { type: 'connected'; count: number; failed: number }
  | { type: 'progress'; min: number; sum: number }
  | {
      type: 'report';
      min: number;
      sum: number;
      lastAt: number;
      latencies: number[];
      decrypted: number;
      errors: number;
      closed: number;
      cpuMs: number;
      /** the kernel's share of cpuMs (socket reads) */
      sysMs: number;
    };
