/**
 * Postgres WAL positions (LSNs) are 64-bit; Postgres prints them as `HIGH/LOW` in hex without
 * padding, which does not sort as a string. We keep them as bigint inside the source and print them
 * zero-padded to 16 hex digits in positions, so plain string comparison orders them.
 */
export type Lsn = bigint;

const LSN_TEXT = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;

export function parseLsn(text: string): Lsn {
  const m = LSN_TEXT.exec(text);
  if (!m) throw new RangeError(`not an LSN: ${JSON.stringify(text)}`);
  return (BigInt(`0x${m[1]}`) << 32n) | BigInt(`0x${m[2]}`);
}

/** Postgres's own notation (`16/B374D848`), for SQL and logs. */
export function formatLsn(lsn: Lsn): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

/** 16 upper-case hex digits: the sortable form used inside positions. */
export function lsnHex(lsn: Lsn): string {
  return lsn.toString(16).toUpperCase().padStart(16, '0');
}

/**
 * The pgoutput source's position: `<commit end LSN, 16 hex>/<change index in its transaction, 8 hex>`,
 * e.g. `00000000016B3748/00000003`. Fixed width (25 characters), so string order = commit order,
 * then order within the transaction. The commit end LSN is what the slot confirms
 * (`confirmed_flush_lsn`), so an operator can compare a position with the slot directly.
 */
export function pgPosition(commitEndLsn: Lsn, index: number): string {
  return pgPositions(commitEndLsn)(index);
}

/** pgPosition for many changes of one commit: the LSN is formatted once. */
export function pgPositions(commitEndLsn: Lsn): (index: number) => string {
  const prefix = `${lsnHex(commitEndLsn)}/`;
  return (index) => {
    const hex = index.toString(16).toUpperCase();
    return prefix + (hex.length === 8 ? hex : '00000000'.slice(hex.length) + hex);
  };
}

const POSITION = /^([0-9A-F]{16})\/([0-9A-F]{8})$/;

export function parsePgPosition(position: string): { commitEndLsn: Lsn; index: number } {
  const m = POSITION.exec(position);
  if (!m) throw new RangeError(`not a pgoutput position: ${JSON.stringify(position)}`);
  return { commitEndLsn: BigInt(`0x${m[1]}`), index: Number.parseInt(m[2]!, 16) };
}
