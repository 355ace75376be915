import { isWildcardFilter } from '@nestmq/mqtt-protocol';
import { NO_PERSISTENCE, SessionPersistence } from '../session/session-persistence';
import { Message } from './message';
import { RetainedTree } from './retained-tree';

/**
 * The last retained message per topic (§3.3.1.3); an empty payload deletes it [MQTT-3.3.1-6]. Kept by topic
 * level, so that a wildcard SUBSCRIBE costs what its filter can match, not a pass over every retained topic.
 * Bounded in count and bytes (MAX_RETAINED_MESSAGES, MAX_RETAINED_BYTES): every retained message stays in
 * memory and is reloaded at every start, so clients must not be able to grow the store without end.
 */
export class RetainedStore {
  private readonly tree = new RetainedTree();
  private bytes = 0;

  constructor(
    private readonly persistence: SessionPersistence = NO_PERSISTENCE,
    private readonly maxMessages = Infinity,
    private readonly maxBytes = Infinity,
  ) {}

  /** Messages loaded from storage at start-up: all of them, even beyond the bounds (lowered since, say). */
  restore(messages: Iterable<Message>): void {
    for (const m of messages) {
      const replaced = this.tree.get(m.topic);
      if (replaced !== undefined) this.bytes -= replaced.byteSize;
      this.tree.set(m);
      this.bytes += m.byteSize;
    }
  }

  get size(): number {
    return this.tree.size;
  }

  /** Bytes of the retained messages (topic, properties, payload), as MAX_RETAINED_BYTES counts them. */
  get byteSize(): number {
    return this.bytes;
  }

  /**
   * Whether storing `message` keeps the store within its bounds: a new topic needs room in count and
   * bytes, a replacement in bytes; a deletion (empty payload) always fits.
   */
  admits(message: Message): boolean {
    if (message.payload.length === 0) return true;
    const replaced = this.tree.get(message.topic);
    const bytes = this.bytes - (replaced === undefined ? 0 : replaced.byteSize) + message.byteSize;
    if (bytes > this.maxBytes) return false;
    return replaced !== undefined || this.tree.size < this.maxMessages;
  }

  /**
   * Stores or, for an empty payload, clears the topic's retained message. False when the bounds leave no
   * room: nothing is stored (a will, say, is still delivered, just not retained).
   */
  store(message: Message): boolean {
    if (message.payload.length === 0) {
      const removed = this.tree.get(message.topic);
      if (removed !== undefined && this.tree.delete(message.topic)) {
        this.bytes -= removed.byteSize;
        this.persistence.retainedRemoved(message.topic);
      }
      return true;
    }
    if (!this.admits(message)) return false;
    const replaced = this.tree.get(message.topic);
    if (replaced !== undefined) this.bytes -= replaced.byteSize;
    this.tree.set(message);
    this.bytes += message.byteSize;
    this.persistence.retainedSaved(message);
    return true;
  }

  /** Retained messages matching a (plain, non-shared) filter, expired ones removed on the way [MQTT-3.3.2-5]. */
  matching(filter: string, now: number): Message[] {
    if (!isWildcardFilter(filter)) {
      const m = this.tree.get(filter);
      if (m === undefined) return [];
      if (!m.isExpired(now)) return [m];
      this.remove(m);
      return [];
    }
    const found = this.tree.match(filter);
    let live = 0;
    for (const m of found) {
      if (m.isExpired(now)) this.remove(m);
      else found[live++] = m;
    }
    found.length = live;
    return found;
  }

  private remove(m: Message): void {
    if (this.tree.delete(m.topic)) this.bytes -= m.byteSize;
    this.persistence.retainedRemoved(m.topic);
  }
}
