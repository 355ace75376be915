import { Inject, Injectable } from '@nestjs/common';
import { topicMatches } from '@nestmq/mqtt-protocol';
import { MessageHistoryRepository } from '@nestmq/persistence';
import { BROKER_CONFIG, BrokerConfig } from '../../config/broker-config';
import { Router } from '../../routing/router';
import { pageSize } from '../page-size';
import { KeyedPage, byString } from '../paging';
import { checkTopicFilter } from '../topic-input';
import { TopicPageType } from './topics.types';

/**
 * The topics the broker knows, by name: those with a retained message and those in the message history,
 * each with who a message on it would reach. Subscribers are looked up for the page's topics only.
 */
@Injectable()
export class TopicsService {
  constructor(
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    private readonly router: Router,
    private readonly history: MessageHistoryRepository,
  ) {}

  /** Known topics matching `filter`, by name, `first` (1 to MAX_PAGE_SIZE) after the topic `after`. */
  async page(filter: string, first: number, after: string | null | undefined): Promise<TopicPageType> {
    pageSize(first);
    checkTopicFilter('filter', filter, this.config.maxTopicLevels);
    const known = new Map<string, { retained: boolean; recorded: number; lastMessageAt: Date | null }>();
    for (const m of this.router.retained.matching(filter, Date.now())) known.set(m.topic, { retained: true, recorded: 0, lastMessageAt: null });
    for (const t of await this.history.topics()) {
      if (!topicMatches(filter, t.topic)) continue;
      const entry = known.get(t.topic) ?? { retained: false, recorded: 0, lastMessageAt: null };
      entry.recorded = t.count;
      entry.lastMessageAt = t.lastAt;
      known.set(t.topic, entry);
    }
    const page = new KeyedPage<string>(first, after);
    for (const topic of known.keys()) page.add(topic, topic);
    const { items, nextCursor } = page.result();
    return {
      topics: items.map((topic) => ({ topic, ...known.get(topic)!, subscribers: this.router.subscribersOf(topic).sort((a, b) => byString(a.clientId, b.clientId)) })),
      total: page.total,
      nextCursor,
    };
  }
}
