import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

/**
 * Every partition to one member of the group; the others stand by and take over on the next
 * rebalance when it leaves. A transaction's records are spread over one topic per table (and the
 * transaction topic), so only a consumer that reads all of them can put it back together: split
 * over two members, neither would ever see it whole.
 *
 * The active member stays active across rebalances (it says so in its subscription's userData), so
 * a standby joining does not move the work. Members that do not know this protocol yet (a rolling
 * upgrade) make the group fall back to the next assigner in the consumer's list.
 */
export const SINGLE_ACTIVE_ASSIGNER = 'CommerceSingleActive';

export function singleActiveAssigner(isActive: () => boolean): PartitionAssigner {
  return ({ cluster }) => ({
    name: SINGLE_ACTIVE_ASSIGNER,
    version: 1,
    async assign({ members, topics }) {
      const active = (m: (typeof members)[number]) =>
        AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.userData?.toString() === 'active';
      const ordered = [...members].sort((a, b) =>
        active(a) !== active(b) ? (active(a) ? -1 : 1) : a.memberId < b.memberId ? -1 : 1,
      );
      const assignment: Record<string, number[]> = {};
      for (const topic of topics) {
        assignment[topic] = cluster.findTopicPartitionMetadata(topic).map((p) => p.partitionId);
      }
      return ordered.map((member, i) => ({
        memberId: member.memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 1,
          assignment: i === 0 ? assignment : {},
          userData: Buffer.alloc(0),
        }),
      }));
    },
    protocol({ topics }) {
      return {
        name: SINGLE_ACTIVE_ASSIGNER,
        metadata: AssignerProtocol.MemberMetadata.encode({
          version: 1,
          topics,
          userData: Buffer.from(isActive() ? 'active' : 'standby'),
        }),
      };
    },
  });
}
