/**
 * A change source reads committed changes (Postgres logical replication or Debezium over Kafka),
 * normalizes them to ChangeEvents, hands whole transactions to the sinks with `deliverToSinks`, and
 * acknowledges a position only after every sink succeeded. Implementations sit side by side:
 * pg/ (pgoutput, embedded default) and debezium/ (Kafka consumer group, production).
 */
export interface ChangeSourceRunner {
  start(): Promise<void>;
  stop(): Promise<void>;
}
