/**
 * Builders for pgoutput v1 messages, byte for byte as the protocol documentation lays them out.
 * Used by the decoder and assembler tests (and nowhere else).
 */
type Part = Buffer;

const u8 = (v: number) => Buffer.from([v]);
const u16 = (v: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v);
  return b;
};
const u32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v);
  return b;
};
const i32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
};
const u64 = (v: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(v);
  return b;
};
const cstr = (s: string) => Buffer.concat([Buffer.from(s, 'utf8'), u8(0)]);
const tag = (c: string) => u8(c.charCodeAt(0));

export type FixtureValue = string | null | 'UNCHANGED';

export function tupleData(values: FixtureValue[]): Buffer {
  const parts: Part[] = [u16(values.length)];
  for (const v of values) {
    if (v === null) parts.push(tag('n'));
    else if (v === 'UNCHANGED') parts.push(tag('u'));
    else {
      const bytes = Buffer.from(v, 'utf8');
      parts.push(tag('t'), u32(bytes.length), bytes);
    }
  }
  return Buffer.concat(parts);
}

export const pgoutput = {
  begin: (finalLsn: bigint, commitTimeMicros: bigint, xid: number) =>
    Buffer.concat([tag('B'), u64(finalLsn), u64(commitTimeMicros), u32(xid)]),
  commit: (commitLsn: bigint, endLsn: bigint, commitTimeMicros: bigint) =>
    Buffer.concat([tag('C'), u8(0), u64(commitLsn), u64(endLsn), u64(commitTimeMicros)]),
  relation: (
    oid: number,
    schema: string,
    name: string,
    identity: 'd' | 'n' | 'f' | 'i',
    columns: Array<{ name: string; typeOid: number; key?: boolean }>,
  ) =>
    Buffer.concat([
      tag('R'),
      u32(oid),
      cstr(schema),
      cstr(name),
      tag(identity),
      u16(columns.length),
      ...columns.flatMap((c) => [u8(c.key ? 1 : 0), cstr(c.name), u32(c.typeOid), i32(-1)]),
    ]),
  type: (oid: number, schema: string, name: string) => Buffer.concat([tag('Y'), u32(oid), cstr(schema), cstr(name)]),
  insert: (oid: number, values: FixtureValue[]) => Buffer.concat([tag('I'), u32(oid), tag('N'), tupleData(values)]),
  update: (oid: number, values: FixtureValue[], old?: { kind: 'K' | 'O'; values: FixtureValue[] }) =>
    Buffer.concat([
      tag('U'),
      u32(oid),
      ...(old ? [tag(old.kind), tupleData(old.values)] : []),
      tag('N'),
      tupleData(values),
    ]),
  delete: (oid: number, kind: 'K' | 'O', values: FixtureValue[]) =>
    Buffer.concat([tag('D'), u32(oid), tag(kind), tupleData(values)]),
  truncate: (oids: number[], options = 0) => Buffer.concat([tag('T'), u32(oids.length), u8(options), ...oids.map(u32)]),
  origin: (lsn: bigint, name: string) => Buffer.concat([tag('O'), u64(lsn), cstr(name)]),
  message: (lsn: bigint, prefix: string, content: string) =>
    Buffer.concat([tag('M'), u8(1), u64(lsn), cstr(prefix), u32(Buffer.byteLength(content)), Buffer.from(content)]),
};
