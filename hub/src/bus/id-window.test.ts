import { describe, expect, it } from 'vitest';
import { IdWindow, idHash } from './id-window.ts';

// The memory bus's dedupe window. A false "seen" would drop an event, a false "new" would deliver
// one twice: both are checked against a plain Set and FIFO, also with hashes made to collide.

/** The reference: what the window must answer, as the memory bus did before (Set + FIFO). */
function reference(size: number) {
  const ids = new Set<string>();
  const order: string[] = [];
  return {
    has: (id: string) => ids.has(id),
    add(id: string) {
      ids.add(id);
      order.push(id);
      if (order.length > size) ids.delete(order.shift()!);
    },
  };
}

describe('IdWindow', () => {
  it('remembers exactly the last `size` ids, across its growth', () => {
    const window = new IdWindow(1000);
    for (let i = 0; i < 1000; i++) window.add(`o:${i}:0/${i.toString(16)}`);
    expect(window.length).toBe(1000);
    for (let i = 0; i < 1000; i++) expect(window.has(`o:${i}:0/${i.toString(16)}`)).toBe(true);
    window.add('one more');
    expect(window.has('o:0:0/0')).toBe(false);
    expect(window.has('o:1:0/1')).toBe(true);
    expect(window.has('one more')).toBe(true);
    expect(window.has('never added')).toBe(false);
  });

  it('never takes a colliding id for a seen one, and forgets colliding ids one by one', () => {
    const window = new IdWindow(3, () => 7); // every id has the same hash
    window.add('a');
    window.add('b');
    expect([window.has('a'), window.has('b'), window.has('c')]).toEqual([true, true, false]);
    window.add('c');
    window.add('d'); // 'a' leaves
    expect([window.has('a'), window.has('b'), window.has('c'), window.has('d')]).toEqual([false, true, true, true]);
    for (const id of ['x', 'y', 'z']) window.add(id);
    expect(['b', 'c', 'd'].map((id) => window.has(id))).toEqual([false, false, false]);
    expect(['x', 'y', 'z'].map((id) => window.has(id))).toEqual([true, true, true]);
  });

  it('answers as a Set with a FIFO does, over a random run with many collisions', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (const size of [1, 5, 64, 300]) {
      const window = new IdWindow(size, (id) => id.length % 4);
      const expected = reference(size);
      for (let op = 0; op < 5000; op++) {
        const id = `e${Math.floor(random() * size * 3)}${'é'.repeat(Math.floor(random() * 3))}`;
        const seen = expected.has(id);
        expect(window.has(id), `size ${size}, op ${op}, ${id}`).toBe(seen);
        if (!seen) {
          window.add(id);
          expected.add(id);
        }
      }
    }
  });

  it('hashes to a 30-bit integer, the same each time', () => {
    for (const id of ['', 'o:1:0/16B3A8', 'k:99:3', '🍮'.repeat(20)]) {
      const h = idHash(id);
      expect(Number.isInteger(h) && h >= 0 && h < 2 ** 30).toBe(true);
      expect(idHash(id)).toBe(h);
    }
    expect(idHash('o:1:0/1')).not.toBe(idHash('o:1:0/2'));
  });

  it('refuses a size below one', () => {
    expect(() => new IdWindow(0)).toThrow(RangeError);
  });
});
