import { describe, expect, it } from 'vitest';
import { decodePgoutput, PgoutputDecodeError, UNCHANGED_TOAST } from './pgoutput-decoder.ts';
import { pgoutput } from './pgoutput-fixtures.ts';

describe('pgoutput v1 decoder', () => {
  it('decodes begin and commit with full 64-bit LSNs', () => {
    expect(decodePgoutput(pgoutput.begin(0x1_0000_00a0n, 123_456_789n, 4_000_000_000))).toEqual({
      tag: 'begin',
      finalLsn: 0x1_0000_00a0n,
      commitTime: 123_456_789n,
      xid: 4_000_000_000,
    });
    expect(decodePgoutput(pgoutput.commit(0x10n, 0x28n, 5n))).toEqual({
      tag: 'commit',
      commitLsn: 0x10n,
      endLsn: 0x28n,
      commitTime: 5n,
    });
  });

  it('decodes relations with their identity and key flags, and types', () => {
    const msg = decodePgoutput(
      pgoutput.relation(16_400, 'public', 'orders', 'f', [
        { name: 'id', typeOid: 20, key: true },
        { name: 'status', typeOid: 16_500 },
      ]),
    );
    expect(msg).toEqual({
      tag: 'relation',
      relationOid: 16_400,
      schema: 'public',
      name: 'orders',
      replicaIdentity: 'full',
      columns: [
        { name: 'id', isKey: true, typeOid: 20, typeMod: -1 },
        { name: 'status', isKey: false, typeOid: 16_500, typeMod: -1 },
      ],
    });
    expect(decodePgoutput(pgoutput.type(16_500, 'public', 'order_status'))).toEqual({
      tag: 'type',
      typeOid: 16_500,
      schema: 'public',
      name: 'order_status',
    });
  });

  it('keeps tuple values as text, null as null and unchanged TOAST as a marker', () => {
    const msg = decodePgoutput(
      pgoutput.update(7, ['1', null, 'UNCHANGED', 'naïve ✓'], { kind: 'O', values: ['1', 'x', 'y', 'z'] }),
    );
    expect(msg).toEqual({
      tag: 'update',
      relationOid: 7,
      keyTuple: null,
      oldTuple: ['1', 'x', 'y', 'z'],
      newTuple: ['1', null, UNCHANGED_TOAST, 'naïve ✓'],
    });
    expect(decodePgoutput(pgoutput.update(7, ['2'], { kind: 'K', values: ['1'] }))).toMatchObject({
      keyTuple: ['1'],
      oldTuple: null,
    });
    expect(decodePgoutput(pgoutput.update(7, ['2']))).toMatchObject({
      keyTuple: null,
      oldTuple: null,
      newTuple: ['2'],
    });
    expect(decodePgoutput(pgoutput.insert(7, ['']))).toEqual({ tag: 'insert', relationOid: 7, newTuple: [''] });
    expect(decodePgoutput(pgoutput.delete(7, 'K', ['1', null]))).toEqual({
      tag: 'delete',
      relationOid: 7,
      keyTuple: ['1', null],
      oldTuple: null,
    });
  });

  it('decodes truncate, origin and logical messages', () => {
    expect(decodePgoutput(pgoutput.truncate([1, 2], 3))).toEqual({
      tag: 'truncate',
      relationOids: [1, 2],
      cascade: true,
      restartIdentity: true,
    });
    expect(decodePgoutput(pgoutput.origin(9n, 'upstream'))).toEqual({ tag: 'origin', lsn: 9n, name: 'upstream' });
    expect(decodePgoutput(pgoutput.message(9n, 'app', 'hi'))).toMatchObject({
      tag: 'message',
      prefix: 'app',
      transactional: true,
    });
  });

  it('rejects unknown and truncated messages with a clear error', () => {
    expect(() => decodePgoutput(Buffer.from('Z'))).toThrow(PgoutputDecodeError);
    const insert = pgoutput.insert(7, ['hello']);
    expect(() => decodePgoutput(insert.subarray(0, insert.length - 2))).toThrow(/truncated/);
    const binary = Buffer.concat([
      Buffer.from('I'),
      Buffer.from([0, 0, 0, 7]),
      Buffer.from('N'),
      Buffer.from([0, 1]),
      Buffer.from('b'),
    ]);
    expect(() => decodePgoutput(binary)).toThrow(/unsupported tuple value kind b/);
  });
});
