import { describe, expect, it } from 'vitest';
import { ByteLog } from './byte-log.ts';

// The memory bus keeps each topic's history here; its contract suite covers the bus around it.
// These pin the log itself: exact text back (multi-byte UTF-8 too), trimming from the front, and
// memory that stays bounded while entries come and go.

const text = (i: number) => `{"id":"e${i}","name":"Crème brûlée ${'·'.repeat(i % 7)} 🍮","n":${i}}`;

describe('ByteLog', () => {
  it('gives back exactly what was pushed, oldest first, across chunks', () => {
    const log = new ByteLog(64, 256);
    for (let i = 0; i < 100; i++) log.push(text(i));
    expect(log.length).toBe(100);
    expect(Array.from({ length: 100 }, (_, i) => log.at(i))).toEqual(Array.from({ length: 100 }, (_, i) => text(i)));
  });

  it('drops from the front and keeps the rest in order', () => {
    const log = new ByteLog(64, 256);
    for (let i = 0; i < 10; i++) log.push(text(i));
    for (let i = 0; i < 4; i++) log.shift();
    expect(log.length).toBe(6);
    expect(log.at(0)).toBe(text(4));
    expect(log.at(5)).toBe(text(9));
    expect(() => log.at(6)).toThrow(RangeError);
    expect(() => log.at(-1)).toThrow(RangeError);
  });

  it('holds an entry larger than a chunk', () => {
    const log = new ByteLog(16, 32);
    const big = `"${'x'.repeat(1000)}é"`;
    log.push('a');
    log.push(big);
    log.push('b');
    expect([log.at(0), log.at(1), log.at(2)]).toEqual(['a', big, 'b']);
  });

  it('emptied, it is written on again and nothing old comes back', () => {
    const log = new ByteLog(64, 256);
    for (let i = 0; i < 20; i++) log.push(text(i));
    for (let i = 0; i < 25; i++) log.shift(); // more shifts than entries are harmless
    expect(log.length).toBe(0);
    log.push(text(100));
    expect(log.length).toBe(1);
    expect(log.at(0)).toBe(text(100));
  });

  it('keeps its memory bounded by what it retains while entries come and go, past index compaction', () => {
    const log = new ByteLog(1024, 16 * 1024);
    const keep = 500;
    let bytesAt10k = 0;
    for (let i = 0; i < 50_000; i++) {
      log.push(text(i));
      if (log.length > keep) log.shift();
      if (i === 10_000) bytesAt10k = log.chunkBytes;
      // nothing lost or shifted out of place, also across the index's compactions
      const expected = Math.min(i + 1, keep);
      if (log.length !== expected || log.at(0) !== text(i + 1 - expected) || log.at(expected - 1) !== text(i)) {
        throw new Error(`after push ${i}: ${log.length} entries, oldest ${log.at(0)}`);
      }
    }
    expect(log.length).toBe(keep);
    expect(log.at(0)).toBe(text(50_000 - keep));
    expect(log.at(keep - 1)).toBe(text(49_999));
    const retained = Array.from({ length: keep }, (_, i) => Buffer.byteLength(log.at(i))).reduce((a, b) => a + b, 0);
    // at most the retained bytes plus the chunk being filled and the partly used oldest one
    expect(log.chunkBytes).toBeLessThanOrEqual(retained + 2 * 16 * 1024);
    expect(bytesAt10k).toBeGreaterThan(0);
    expect(Math.abs(log.chunkBytes - bytesAt10k)).toBeLessThanOrEqual(2 * 16 * 1024);
  });
});
