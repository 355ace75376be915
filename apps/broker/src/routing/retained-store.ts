import { topicMatches } from '@nestmq/mqtt-protocol';
import { Message } from './message';

/** The last retained message per topic (§3.3.1.3); an empty payload deletes it [MQTT-3.3.1-6]. */
export class RetainedStore {
  private readonly byTopic = new Map<string, Message>();

  get size(): number {
    return this.byTopic.size;
  }

  /** Stores or, for an empty payload, clears the topic's retained message. */
  store(message: Message): void {
    if (message.payload.length === 0) this.byTopic.delete(message.topic);
    else this.byTopic.set(message.topic, message);
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
    if (m.isExpired(now)) this.byTopic.delete(m.topic);
    else out.push(m);
  }
}
