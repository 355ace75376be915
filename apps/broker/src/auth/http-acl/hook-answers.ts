/** What a cached entry costs besides its topic's characters: the map slot, the arrays. */
const ENTRY_OVERHEAD = 160;

/** One answer per QoS and retain flag: the hook is told both, so its answer may depend on them. */
const SLOTS = 6;

interface TopicAnswers {
  /** Until when (the hook's clock, ms) each slot's answer holds; 0 = none. */
  readonly until: Float64Array;
  readonly allowed: Uint8Array;
}

/**
 * One connection's memory of the ACL hook's answers, allows and denials alike, per topic (or filter),
 * QoS and retain flag, each for AUTH_HTTP_ACL_CACHE_TTL. Bounded in topics (AUTH_HTTP_ACL_CACHE_ENTRIES)
 * and in bytes, since topics are the client's to choose and may each be 64 KiB: past either bound the
 * topics asked about first are forgotten first. A lookup allocates nothing.
 */
export class HookAnswers {
  private readonly entries = new Map<string, TopicAnswers>();
  private bytes = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The remembered answer, or undefined when there is none still valid at `now`. */
  get(topic: string, qos: number, retain: boolean, now: number): boolean | undefined {
    const entry = this.entries.get(topic);
    if (entry === undefined) return undefined;
    const slot = qos * 2 + (retain ? 1 : 0);
    return entry.until[slot] > now ? entry.allowed[slot] === 1 : undefined;
  }

  set(topic: string, qos: number, retain: boolean, allowed: boolean, until: number): void {
    let entry = this.entries.get(topic);
    if (entry === undefined) {
      const cost = topic.length * 2 + ENTRY_OVERHEAD;
      if (cost > this.maxBytes) return;
      while (this.entries.size > 0 && (this.entries.size >= this.maxEntries || this.bytes + cost > this.maxBytes)) {
        const oldest = this.entries.keys().next().value!;
        this.entries.delete(oldest);
        this.bytes -= oldest.length * 2 + ENTRY_OVERHEAD;
      }
      entry = { until: new Float64Array(SLOTS), allowed: new Uint8Array(SLOTS) };
      this.entries.set(topic, entry);
      this.bytes += cost;
    }
    const slot = qos * 2 + (retain ? 1 : 0);
    entry.until[slot] = until;
    entry.allowed[slot] = allowed ? 1 : 0;
  }
}
