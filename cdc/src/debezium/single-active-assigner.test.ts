import { AssignerProtocol, type Cluster, type Logger } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { singleActiveAssigner } from './single-active-assigner.ts';

const cluster = {
  findTopicPartitionMetadata: (topic: string) =>
    (topic.endsWith('.transaction') ? [0] : [0, 1, 2, 3]).map((partitionId) => ({ partitionId })),
} as unknown as Cluster;
const topics = ['commerce.public.orders', 'commerce.public.order_lines', 'commerce.transaction'];

function member(memberId: string, active: boolean) {
  const assigner = singleActiveAssigner(() => active)({ cluster, groupId: 'g', logger: {} as Logger });
  return { memberId, memberMetadata: assigner.protocol({ topics }).metadata };
}

async function assign(...members: ReturnType<typeof member>[]) {
  const assigner = singleActiveAssigner(() => false)({ cluster, groupId: 'g', logger: {} as Logger });
  const result = await assigner.assign({ members, topics });
  return Object.fromEntries(
    result.map((r) => [r.memberId, AssignerProtocol.MemberAssignment.decode(r.memberAssignment)!.assignment]),
  );
}

describe('single-active partition assigner', () => {
  it('gives every partition of every topic to one member; the others stand by', async () => {
    const out = await assign(member('b', false), member('a', false));
    expect(out.a).toEqual({
      'commerce.public.orders': [0, 1, 2, 3],
      'commerce.public.order_lines': [0, 1, 2, 3],
      'commerce.transaction': [0],
    });
    expect(out.b).toEqual({});
  });

  it('keeps the work where it is when a standby joins', async () => {
    const out = await assign(member('a', false), member('b', true));
    expect(Object.keys(out.b!)).toHaveLength(3);
    expect(out.a).toEqual({});
  });
});
