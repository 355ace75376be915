import { topicMatches } from '@nestmq/mqtt-protocol';
import { NO_PERSISTENCE, SessionPersistence } from '../session/session-persistence';
import { Message } from './message';

/** The last retained message per topic (§3.3.1.3); an empty payload deletes it [MQTT-3.3.1-6]. */
export class RetainedStore {
  private readonly byTopic = new Map<string, Message>();

  constructor(private readonly persistence: SessionPersistence = NO_PERSISTENCE) {}

  /** Messages loaded from storage at start-up. */
  restore(messages: Iterable<Message>): void {
    for (const m of messages) this.byTopic.set(m.topic, m);
  }

  get size(): number {
    return this.byTopic.size;
  }

  /** Stores or, for an empty payload, clears the topic's retained message. */
  store(message: Message): void {
    if (message.payload.length === 0) {
      if (this.byTopic.delete(message.topic)) this.persistence.retainedRemoved(message.topic);
    } else {
      this.byTopic.set(message.topic, message);
      this.persistence.retainedSaved(message);
    }
  }

  /** Retained messages matching a (plain, non-shared) filter, expired ones removed on the way [MQTT-3.3.2-5]. */
  matching(filter: string, now: number): Message[] {
    const out: Message[] = [];
    const exact = !filter.includes('+') && !filter.includes('#');
    if (exact) {
      const m = this.byTopic.get(filter);
      if (m !== undefined) this.keepIfLive(m, now, out);
      return out;
    }
    for (const m of this.byTopic.values()) {
      if (topicMatches(filter, m.topic)) this.keepIfLive(m, now, out);
    }
    return out;
  }

  private keepIfLive(m: Message, now: number, out: Message[]): void {
    if (m.isExpired(now)) {
      this.byTopic.delete(m.topic);
      this.persistence.retainedRemoved(m.topic);
    } else {
      out.push(m);
    }
  }
}
