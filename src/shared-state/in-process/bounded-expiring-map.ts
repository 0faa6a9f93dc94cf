/** Entries tracked at once; past this, expired ones are swept, and if that is not enough, all go. */
const MAX_ENTRIES = 100_000;

/**
 * A Map whose entries expire, bounded in size so that a flood of distinct
 * keys cannot grow the process without limit. Expiry is checked on read;
 * no timers.
 */
export class BoundedExpiringMap<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();

  constructor(private readonly maxEntries: number = MAX_ENTRIES) {}

  get(key: string, now: number = Date.now()): { value: V; until: number } | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.until <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  set(key: string, value: V, until: number, now: number = Date.now()): void {
    if (!this.entries.has(key) && this.entries.size >= this.maxEntries) this.sweep(now);
    this.entries.set(key, { value, until });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  private sweep(now: number): void {
    for (const [key, entry] of this.entries) if (entry.until <= now) this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.entries.clear();
  }
}
