import { ByteLog } from './byte-log.ts';

/** FNV-1a over the UTF-16 code units, cut to 30 bits so it stays a small integer (no heap number). */
export function idHash(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h & 0x3fffffff;
}

/**
 * The last `size` event ids of a topic, for dedupe, off the JS heap: the ids as bytes in a ByteLog,
 * their hashes in a ring of integers, and a count per hash. A hash nobody has is a definite "new";
 * a hash seen before is confirmed against the stored ids, so a collision never drops an event.
 * As a Set of strings, a full window was up to 20k retained strings per topic for the collector
 * to mark; here it is a few arrays.
 */
export class IdWindow {
  readonly #ids = new ByteLog(1024, 64 * 1024);
  /** hashes in arrival order from #start, wrapping; grows by doubling up to `size` */
  #hashes = new Int32Array(16);
  /** ring slot of the oldest id; as many hashes follow it as #ids holds */
  #start = 0;
  readonly #counts = new Map<number, number>();

  constructor(
    readonly size: number,
    private readonly hash: (id: string) => number = idHash,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`an id window holds at least one id, not ${size}`);
  }

  get length(): number {
    return this.#ids.length;
  }

  has(id: string): boolean {
    const h = this.hash(id);
    if (!this.#counts.has(h)) return false;
    // newest first: an event sent again (a capture restart) is usually a recent one
    const cap = this.#hashes.length;
    for (let k = this.length - 1; k >= 0; k--) {
      if (this.#hashes[(this.#start + k) % cap] === h && this.#ids.at(k) === id) return true;
    }
    return false;
  }

  /** Remembers `id` (the caller checked has() first), forgetting the oldest when full. */
  add(id: string): void {
    if (this.length === this.size) this.#evictOldest();
    else if (this.length === this.#hashes.length) this.#grow();
    const h = this.hash(id);
    this.#hashes[(this.#start + this.length) % this.#hashes.length] = h;
    this.#counts.set(h, (this.#counts.get(h) ?? 0) + 1);
    this.#ids.push(id);
  }

  #grow(): void {
    const grown = new Int32Array(Math.min(this.size, this.#hashes.length * 2));
    for (let k = 0; k < this.length; k++) grown[k] = this.#hashes[(this.#start + k) % this.#hashes.length]!;
    this.#hashes = grown;
    this.#start = 0;
  }

  #evictOldest(): void {
    const h = this.#hashes[this.#start]!;
    const left = (this.#counts.get(h) ?? 1) - 1;
    if (left === 0) this.#counts.delete(h);
    else this.#counts.set(h, left);
    this.#start = (this.#start + 1) % this.#hashes.length;
    this.#ids.shift();
  }
}
