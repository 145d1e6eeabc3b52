import type { NotRecoveredReason, Position, ServerMessage } from '@commerce/sdk/wire';
import type { Bus } from './bus/bus.ts';
import type { Session } from './session.ts';

const PAGE = 500;
/** Entries per replay message: keeps each sealed message well under a megabyte. */
const PER_MESSAGE = 100;

export type Recovery =
  | { recovered: true; count: number; head: Position }
  | { recovered: false; reason: NotRecoveredReason; head: Position };

/**
 * Sends a reconnecting subscriber exactly the entries after `since`, in order, as sealed replay
 * messages, or says why it cannot (then the terminal reloads its state from the api). The session
 * is already subscribed to the live stream, so nothing appended after the last page is missed.
 */
export async function replayMissed(
  bus: Bus,
  session: Session,
  topic: { name: string; id: number },
  since: Position,
  maxRecover: number,
): Promise<Recovery> {
  let page = await bus.history(topic.name, since, PAGE);
  if (!page.recovered) return { recovered: false, reason: page.reason, head: page.head };
  const target = page.head;
  if (target.seq - since.seq > maxRecover) return { recovered: false, reason: 'too_far_behind', head: target };
  let last: Position = since.seq === 0 ? { epoch: target.epoch, seq: 0 } : since;
  let count = 0;
  for (;;) {
    const entries = page.entries.filter((entry) => entry.seq <= target.seq);
    for (let i = 0; i < entries.length; i += PER_MESSAGE) {
      const chunk = entries.slice(i, i + PER_MESSAGE);
      const message: ServerMessage = {
        t: 'replay',
        topicId: topic.id,
        entries: chunk.map((entry) => ({ epoch: entry.epoch, seq: entry.seq, event: entry.event as never })),
      };
      if (!(await session.sendSealed(message))) return { recovered: false, reason: 'trimmed', head: target };
    }
    count += entries.length;
    const tail = entries.at(-1);
    if (tail) last = { epoch: tail.epoch, seq: tail.seq };
    if (last.seq >= target.seq) break;
    if (entries.length === 0) return { recovered: false, reason: 'trimmed', head: target };
    page = await bus.history(topic.name, last, PAGE);
    if (!page.recovered) return { recovered: false, reason: page.reason, head: page.head };
  }
  return { recovered: true, count, head: last };
}
