/**
 * A topic's retained history off the JS heap: each entry's text as UTF-8 bytes in chunks (Buffers,
 * which the garbage collector neither scans nor copies), with three small integers per entry in
 * one array. Kept as strings, every retained event survived a scavenge or two, was copied each
 * time, and then made the old generation grow and be marked; kept here, the string the hub seals
 * dies young and history costs the collector next to nothing. Entries leave from the front only.
 */
export class ByteLog {
  /** chunk `id` is `#chunks[id - #chunkBase]`; chunks before the oldest entry's are released */
  #chunks: Buffer[] = [];
  #chunkBase = 0;
  /** bytes written in the newest chunk */
  #used = 0;
  /** chunk id, offset and byte length of each entry, oldest at #first * 3 */
  #index: number[] = [];
  #first = 0;

  constructor(
    /** the first chunk's size; each new one doubles it, up to maxChunkBytes */
    private readonly minChunkBytes = 4 * 1024,
    private readonly maxChunkBytes = 256 * 1024,
  ) {}

  /** entries retained */
  get length(): number {
    return this.#index.length / 3 - this.#first;
  }

  /** bytes held in chunks, used or not (for tests and metrics) */
  get chunkBytes(): number {
    let total = 0;
    for (const chunk of this.#chunks) total += chunk.length;
    return total;
  }

  push(text: string): void {
    const bytes = Buffer.byteLength(text, 'utf8');
    let chunk = this.#chunks[this.#chunks.length - 1];
    if (chunk === undefined || this.#used + bytes > chunk.length) {
      const grown = chunk === undefined ? this.minChunkBytes : Math.min(this.maxChunkBytes, chunk.length * 2);
      chunk = Buffer.allocUnsafeSlow(Math.max(bytes, grown));
      this.#chunks.push(chunk);
      this.#used = 0;
    }
    chunk.write(text, this.#used, bytes, 'utf8');
    this.#index.push(this.#chunkBase + this.#chunks.length - 1, this.#used, bytes);
    this.#used += bytes;
  }

  /** Drops the oldest entry, and the chunks no retained entry uses any more. */
  shift(): void {
    if (this.length === 0) return;
    this.#first++;
    if (this.length === 0) {
      // nothing retained: keep only the chunk being written (later entries go on filling it)
      this.#release(this.#chunkBase + this.#chunks.length - 1);
      this.#index = [];
      this.#first = 0;
      return;
    }
    this.#release(this.#index[this.#first * 3]!);
    // the dropped prefix of the index goes in bulk, so each entry is moved once on average
    if (this.#first >= 1024 && this.#first >= this.length) {
      this.#index = this.#index.slice(this.#first * 3);
      this.#first = 0;
    }
  }

  /** The i-th retained entry, 0 being the oldest. */
  at(i: number): string {
    if (!Number.isInteger(i) || i < 0 || i >= this.length) throw new RangeError(`no entry ${i} of ${this.length}`);
    const at = (this.#first + i) * 3;
    const chunk = this.#chunks[this.#index[at]! - this.#chunkBase]!;
    const offset = this.#index[at + 1]!;
    return chunk.toString('utf8', offset, offset + this.#index[at + 2]!);
  }

  #release(untilChunkId: number): void {
    const drop = untilChunkId - this.#chunkBase;
    if (drop <= 0) return;
    this.#chunks.splice(0, drop);
    this.#chunkBase = untilChunkId;
  }
}
