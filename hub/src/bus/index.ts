export type { Bus, BusEntry, BusListener, HistoryResult, PublishResult, TopicPosition } from './bus.ts';
export {
  INTERNAL_TOPIC_PREFIX,
  isInternalTopic,
  REVOCATIONS_TOPIC,
  type RevocationEntity,
} from './control-topics.ts';
export { type BusConfig, type BusDriver, busDriverSchema, createBus, DEFAULT_HISTORY_MAX } from './create-bus.ts';
export { MemoryBus, type RetentionOptions } from './memory-bus.ts';
export { RedisBus, type RedisBusOptions } from './redis-bus.ts';
