import type { Logger } from '@commerce/common';
import type { ClientMessage, Position, RefusalReason, ServerMessageOf } from '@commerce/sdk/wire';
import { authorizeTopic } from './authorize.ts';
import type { Bus } from './bus/bus.ts';
import type { HubMetrics } from './metrics.ts';
import { replayMissed } from './recovery.ts';
import type { Session } from './session.ts';
import type { TopicChannel } from './topic-channel.ts';
import type { TopicRegistry } from './topic-registry.ts';

type Subscribe = Extract<ClientMessage, { t: 'sub' }>;
type Unsubscribe = Extract<ClientMessage, { t: 'unsub' }>;

export interface SubscriptionDeps {
  bus: Bus;
  registry: TopicRegistry;
  metrics: HubMetrics;
  logger: Logger;
  limits: { maxSubscriptions: number; maxRecover: number };
}

/** Subscribe / unsubscribe / loss of access, over sessions and the topic registry. */
export class SubscriptionHandler {
  constructor(private readonly deps: SubscriptionDeps) {}

  async subscribe(session: Session, message: Subscribe): Promise<void> {
    const { rid, topic } = message;
    const verdict = authorizeTopic(session.principal!, topic);
    if (!verdict.ok) return this.#refuse(session, rid, topic, verdict.reason);
    const known = session.topics.has(topic) || session.joining.has(topic);
    let held = session.topics.size;
    for (const pending of session.joining) if (!session.topics.has(pending)) held++;
    if (!known && held >= this.deps.limits.maxSubscriptions) {
      return this.#refuse(session, rid, topic, 'too_many_subscriptions');
    }
    session.joining.add(topic);
    try {
      await this.#subscribe(session, message);
    } finally {
      session.joining.delete(topic);
    }
  }

  async #subscribe(session: Session, message: Subscribe): Promise<void> {
    const { rid, topic } = message;
    let channel: TopicChannel;
    try {
      channel = await this.deps.registry.acquire(topic);
    } catch (error) {
      this.deps.logger.warn({ err: error, topic }, 'cannot serve topic');
      return this.#refuse(session, rid, topic, 'unavailable');
    }
    if (!session.open) return this.deps.registry.released(channel);
    session.topics.set(topic, channel);
    if (!(await channel.join(session)) || !session.open) {
      session.topics.delete(topic);
      channel.leave(session);
      return this.deps.registry.released(channel);
    }
    let head: Position;
    let recovery: ServerMessageOf<'subscribed'>['recovery'] = null;
    try {
      if (message.since) {
        const result = await replayMissed(this.deps.bus, session, channel, message.since, this.deps.limits.maxRecover);
        head = result.head;
        recovery = result.recovered
          ? { recovered: true, count: result.count }
          : { recovered: false, reason: result.reason };
        this.deps.metrics.recoveries.inc({ result: result.recovered ? 'recovered' : result.reason });
        if (result.recovered) this.deps.metrics.replayed.inc(result.count);
      } else {
        head = await this.deps.bus.head(topic);
      }
    } catch (error) {
      this.deps.logger.warn({ err: error, topic }, 'history unavailable');
      session.topics.delete(topic);
      channel.leave(session);
      this.deps.registry.released(channel);
      return this.#refuse(session, rid, topic, 'unavailable');
    }
    await session.sendSealed({ t: 'subscribed', rid, topic, topicId: channel.id, head, recovery });
  }

  unsubscribe(session: Session, message: Unsubscribe): void {
    const channel = session.topics.get(message.topic);
    if (channel) {
      session.topics.delete(message.topic);
      channel.leave(session);
      this.deps.registry.released(channel);
    }
    void session.sendSealed({ t: 'unsubscribed', rid: message.rid, topic: message.topic, reason: 'requested' });
  }

  /** After a token refresh: drop topics the new claims no longer allow, rotating their keys. */
  reauthorize(session: Session): void {
    for (const [topic, channel] of [...session.topics]) {
      if (authorizeTopic(session.principal!, topic).ok) {
        channel.holdsKey(session.principal!); // the new token now knows the key too
        continue;
      }
      this.#drop(session, topic, channel, true);
      void session.sendSealed({ t: 'unsubscribed', rid: null, topic, reason: 'access_lost' });
    }
  }

  /** The session is going away; with `lostAccess` every topic it could read gets a new key. */
  leaveAll(session: Session, lostAccess: boolean): void {
    for (const [topic, channel] of [...session.topics]) this.#drop(session, topic, channel, lostAccess);
  }

  #drop(session: Session, topic: string, channel: TopicChannel, rotate: boolean): void {
    session.topics.delete(topic);
    channel.leave(session);
    // even with nobody left: a later subscriber must not get the key the departed one knows
    if (rotate) void channel.rotate('access_lost');
    this.deps.registry.released(channel);
  }

  #refuse(session: Session, rid: number, topic: string, reason: RefusalReason): Promise<void> {
    this.deps.metrics.refusals.inc({ reason });
    return session.sendSealed({ t: 'refused', rid, topic: topic.slice(0, 200), reason }).then(() => undefined);
  }
}
