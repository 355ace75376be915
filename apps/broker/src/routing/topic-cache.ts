/** What a cached entry costs besides its topic's characters: the map slot and the value's reference. */
const ENTRY_OVERHEAD = 64;

/**
 * A per-topic cache bounded in bytes, not entries: topics are the client's to choose, up to 65,535 bytes
 * each, so a count bound still lets a client pin gigabytes of topic names. When the budget is spent the
 * cache starts over: the entries are cheap to work out again, and a topic flood costs the flooder a miss
 * per message, never everyone else their memory.
 */
export class TopicCache<V> {
  private readonly entries = new Map<string, V>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** Bytes the cached topics cost, as counted against the budget. */
  get usedBytes(): number {
    return this.bytes;
  }

  get(topic: string): V | undefined {
    return this.entries.get(topic);
  }

  set(topic: string, value: V): void {
    const cost = topic.length * 2 + ENTRY_OVERHEAD;
    if (cost > this.maxBytes) return;
    if (this.entries.has(topic)) {
      this.entries.set(topic, value);
      return;
    }
    if (this.bytes + cost > this.maxBytes) this.clear();
    this.entries.set(topic, value);
    this.bytes += cost;
  }

  /** Like set, but only while there is room: for entries not worth evicting others for. */
  setIfRoom(topic: string, value: V): void {
    const cost = topic.length * 2 + ENTRY_OVERHEAD;
    if (this.bytes + cost > this.maxBytes || this.entries.has(topic)) return;
    this.entries.set(topic, value);
    this.bytes += cost;
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }
}
