/**
 * Event ids already applied, bounded: the hub may replay what a screen already saw (recovery
 * overlapping the live stream, a snapshot racing events), and applying twice must be a no-op.
 * Oldest ids are forgotten first; the window only needs to cover one reconnect's overlap.
 */
export class SeenEvents {
  private readonly ids = new Set<string>();

  constructor(private readonly limit = 5000) {}

  /** true the first time an id is offered, false after. */
  firstTime(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.limit) {
      const oldest = this.ids.values().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
    return true;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  get size(): number {
    return this.ids.size;
  }

  clear(): void {
    this.ids.clear();
  }
}
