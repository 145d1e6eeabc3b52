/**
 * Internal bus topics: control events between cdc and every hub instance, never readable by a
 * terminal. They start with `_hub:`, which no tenant topic grammar (`m:<merchant>:…`) can produce,
 * and authorize.ts refuses them explicitly.
 */
export const INTERNAL_TOPIC_PREFIX = '_hub:';

/**
 * Access revocations committed in Postgres (a terminal's `revoked_at` set), routed by cdc. Every
 * hub instance subscribes and ends the matching sessions at once, rotating their topics' keys.
 */
export const REVOCATIONS_TOPIC = `${INTERNAL_TOPIC_PREFIX}revocations`;

/** The entity of a `terminal.revoked` event on REVOCATIONS_TOPIC. */
export interface RevocationEntity {
  subject: { kind: 'terminal' | 'staff'; id: string };
  /** when it was revoked (ISO-8601), as committed */
  revokedAt: string | null;
}

export const isInternalTopic = (topic: string) => topic.startsWith(INTERNAL_TOPIC_PREFIX);
