import type { Logger } from '@commerce/common';
import { z } from 'zod';
import type { Bus } from './bus/bus.ts';
import { REVOCATIONS_TOPIC } from './bus/control-topics.ts';
import type { RevocationMatch } from './revocation.ts';

const revocationSchema = z.object({
  type: z.literal('terminal.revoked'),
  entity: z.object({
    subject: z.object({ kind: z.enum(['terminal', 'staff']), id: z.string().min(1) }),
  }),
});

export interface RevocationFeedDeps {
  bus: Pick<Bus, 'subscribe'>;
  /** ends the matching sessions here (4003) and rotates every topic key they were handed; returns how many ended */
  revoke: (match: RevocationMatch) => number;
  logger: Logger;
}

/**
 * Every hub instance listens to the bus's revocations topic, where cdc puts each revocation
 * committed in Postgres: the session of a revoked terminal ends on whichever instance holds it,
 * within the bus's latency, instead of at the next periodic re-check. Only live entries matter:
 * a terminal revoked while this instance was down is refused at its next handshake anyway.
 * Returns the unsubscribe function.
 */
export function subscribeRevocations(deps: RevocationFeedDeps): Promise<() => Promise<void>> {
  return deps.bus.subscribe(REVOCATIONS_TOPIC, (entry) => {
    const parsed = revocationSchema.safeParse(entry.event);
    if (!parsed.success) {
      deps.logger.warn({ seq: entry.seq, type: entry.event.type }, 'ignored a malformed revocation event');
      return;
    }
    const subject = parsed.data.entity.subject;
    const ended = deps.revoke({ subject });
    deps.logger.info({ subject, ended }, 'revocation from the bus');
  });
}
