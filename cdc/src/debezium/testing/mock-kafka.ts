import { type Admin, type ICustomPartitioner, Kafka, logLevel, type Producer } from 'kafkajs';
import { afterAll, beforeAll } from 'vitest';
import { type KafkaMockCluster, startKafkaMockCluster } from './kafka-mock-cluster.ts';

export interface MockKafkaOptions {
  /** The producer's partitioner; kafkajs' own default when absent. */
  createPartitioner?: ICustomPartitioner;
  /** Connect an admin client too (default true). */
  admin?: boolean;
}

export interface MockKafka {
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly producer: Producer;
  readonly brokers: string[];
  /**
   * The Debezium source settings every over-the-wire test starts from: this cluster, the group, no
   * topic refresh, and timings short enough for the mock cluster.
   */
  sourceEnv(groupId: string): Record<string, string>;
  /** Registers something to stop after the file's tests (errors ignored), in the order tracked. */
  track<T extends { stop(): Promise<unknown> }>(source: T): T;
}

/**
 * The fixture shared by the over-the-wire Kafka tests: registers a beforeAll that starts
 * librdkafka's mock cluster (kcat) and connects a kafkajs admin and producer, and an afterAll that
 * stops every tracked source, disconnects and stops the cluster. Call it at a test file's top level.
 * The getters are usable from beforeAll on; vitest runs afterAll hooks in reverse order of
 * registration, so a file's own afterAll registered after this call runs before its teardown.
 */
export function useMockKafka(options: MockKafkaOptions = {}): MockKafka {
  const { createPartitioner, admin: withAdmin = true } = options;
  let cluster: KafkaMockCluster | undefined;
  let kafka: Kafka | undefined;
  let admin: Admin | undefined;
  let producer: Producer | undefined;
  const sources: { stop(): Promise<unknown> }[] = [];

  beforeAll(async () => {
    cluster = await startKafkaMockCluster();
    kafka = new Kafka({
      clientId: 'test',
      brokers: cluster.brokers,
      logLevel: logLevel.NOTHING,
      retry: { retries: 5, initialRetryTime: 50, maxRetryTime: 500 },
    });
    if (withAdmin) {
      admin = kafka.admin();
      await admin.connect();
    }
    producer = kafka.producer({ ...(createPartitioner && { createPartitioner }), allowAutoTopicCreation: true });
    await producer.connect();
  });

  afterAll(async () => {
    for (const source of sources) await source.stop().catch(() => undefined);
    await producer?.disconnect().catch(() => undefined);
    await admin?.disconnect().catch(() => undefined);
    await cluster?.stop();
  });

  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) {
      throw new Error(
        `mock Kafka ${what} is not available${what === 'admin' && !withAdmin ? ' (admin: false)' : ' before beforeAll'}`,
      );
    }
    return value;
  };
  return {
    get kafka() {
      return ready(kafka, 'client');
    },
    get admin() {
      return ready(admin, 'admin');
    },
    get producer() {
      return ready(producer, 'producer');
    },
    get brokers() {
      return ready(cluster, 'cluster').brokers;
    },
    sourceEnv(groupId) {
      return {
        CDC_KAFKA_BROKERS: ready(cluster, 'cluster').brokers.join(','),
        CDC_KAFKA_GROUP_ID: groupId,
        CDC_KAFKA_TOPIC_REFRESH_MS: '0',
        // the mock cluster holds a rejoin until the previous (or dead) member's session expires: keep it short
        CDC_KAFKA_SESSION_TIMEOUT_MS: '3500',
        CDC_KAFKA_MAX_WAIT_MS: '200',
        CDC_KAFKA_HEARTBEAT_INTERVAL_MS: '200',
      };
    },
    track(source) {
      sources.push(source);
      return source;
    },
  };
}
