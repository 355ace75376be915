/**
 * Entries that are taken once, before they expire, and never more than `capacity` at a time: a flood of
 * new ones pushes out the oldest rather than growing memory, so starting sign-ins costs an attacker work
 * and the broker nothing lasting.
 */
export class SingleUseStore<T> {
  /** Insertion order is age order: the first entry is the oldest. */
  private readonly entries = new Map<string, { value: T; expiresAt: number }>();

  constructor(
    private readonly capacity: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  put(key: string, value: T): void {
    const now = this.now();
    for (const [k, entry] of this.entries) {
      if (entry.expiresAt > now && this.entries.size < this.capacity) break;
      this.entries.delete(k);
    }
    this.entries.set(key, { value, expiresAt: now + this.ttlMs });
  }

  /** The value, once: a second take, or one after it expired, finds nothing. */
  take(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    return entry.expiresAt > this.now() ? entry.value : undefined;
  }
}
