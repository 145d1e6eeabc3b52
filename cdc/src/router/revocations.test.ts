import type { ChangeEvent, ChangeOp, Row } from '@commerce/common';
import { REVOCATIONS_TOPIC } from '@commerce/hub/bus';
import { describe, expect, it } from 'vitest';
import { routeChanges } from './route.ts';

let seq = 0;
function change(op: ChangeOp, before: Row | null, after: Row | null): ChangeEvent {
  seq++;
  return {
    source: 'pg',
    table: 'public.terminals',
    op,
    key: { id: String((after ?? before)?.id ?? '') },
    before,
    after,
    unchanged: [],
    txId: `tx${seq}`,
    commitTs: 1_700_000_000_000,
    position: `00000000000000BB/${seq.toString(16).toUpperCase().padStart(8, '0')}`,
  };
}

const terminal = (over: Row = {}): Row => ({
  id: '17',
  merchant_id: '3',
  branch_id: '4',
  kind: 'kds',
  name: 'Grill screen',
  station_ids: ['5'],
  paired_by: null,
  revoked_at: null,
  last_seen_at: null,
  created_at: '2026-11-22T10:00:00.000000Z',
  updated_at: '2026-11-22T10:00:00.000000Z',
  ...over,
});

describe('terminal revocations', () => {
  it('turns revoked_at becoming set into one terminal.revoked on the internal revocations topic', () => {
    const revoked = change('u', null, terminal({ revoked_at: '2026-11-22T11:00:00.000000Z' }));
    const { events } = routeChanges([revoked]);
    expect(events).toEqual([
      {
        v: 1,
        type: 'terminal.revoked',
        id: `terminal.revoked:17@${revoked.position}`,
        merchantId: '3',
        topic: REVOCATIONS_TOPIC,
        entity: { subject: { kind: 'terminal', id: '17' }, revokedAt: '2026-11-22T11:00:00.000000Z' },
        position: revoked.position,
        occurredAt: 1_700_000_000_000,
      },
    ]);
  });

  it('routes nothing for terminals that stay active, are paired, or were already revoked', () => {
    const { events } = routeChanges([
      change('c', null, terminal()),
      change('u', null, terminal({ name: 'Renamed' })),
      change(
        'u',
        terminal({ revoked_at: '2026-11-22T11:00:00.000000Z' }),
        terminal({ revoked_at: '2026-11-22T11:00:00.000000Z' }),
      ),
      change('r', null, terminal({ revoked_at: '2026-11-22T11:00:00.000000Z' })),
      change('d', { id: '17' }, null),
    ]);
    expect(events).toEqual([]);
  });

  it('with a before-image that shows it active, the transition is routed', () => {
    const { events } = routeChanges([change('u', terminal(), terminal({ revoked_at: '2026-11-22T11:00:00.000000Z' }))]);
    expect(events.map((e) => [e.type, e.topic, (e.entity as { subject: { id: string } }).subject.id])).toEqual([
      ['terminal.revoked', REVOCATIONS_TOPIC, '17'],
    ]);
  });
});
