import { Inject, Injectable } from '@nestjs/common';
import { PacketType, decodePropertyBlock } from '@nestmq/mqtt-protocol';
import { payloadText } from '../payload-text';
import { propertiesToJson } from '../../history/history-recorder';
import { BROKER_CONFIG, BrokerConfig } from '../../config/broker-config';
import { Message } from '../../routing/message';
import { Router } from '../../routing/router';
import { AuditService } from '../audit/audit.service';
import { badInput } from '../admin-error';
import { MAX_PAGE_SIZE, pageSize } from '../page-size';
import { KeyedPage } from '../paging';
import { checkTopicFilter, checkTopicName } from '../topic-input';
import { RetainedPageType, RetainedMessageType } from './retained.types';

function toRetained(m: Message): RetainedMessageType {
  const text = payloadText(m.payload);
  return {
    topic: m.topic,
    payloadText: text,
    payloadBase64: m.payload.toString('base64'),
    qos: m.qos,
    publisherClientId: m.publisherId || null,
    receivedAt: new Date(m.receivedAt),
    expiresAt: m.expiresAt === 0 ? null : new Date(m.expiresAt),
    properties: m.properties === null ? null : propertiesToJson(decodePropertyBlock(m.properties, PacketType.Publish)),
  };
}

/** The retained store, browsed by filter; clearing a topic removes it without delivering anything. */
@Injectable()
export class RetainedService {
  constructor(
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    private readonly router: Router,
    private readonly audit: AuditService,
  ) {}

  /** Retained messages matching `filter`, by topic, `first` (1 to MAX_PAGE_SIZE) after the topic `after`. */
  page(filter: string, first: number, after: string | null | undefined): RetainedPageType {
    pageSize(first);
    checkTopicFilter('filter', filter, this.config.maxTopicLevels);
    const page = new KeyedPage<Message>(first, after);
    for (const m of this.router.retained.matching(filter, Date.now())) page.add(m.topic, m);
    const { items, nextCursor } = page.result();
    return { messages: items.map(toRetained), total: page.total, nextCursor };
  }

  /** Clears the retained messages of these topics (1 to MAX_PAGE_SIZE of them); returns how many there were. */
  async clear(actor: string, topics: readonly string[]): Promise<number> {
    if (topics.length === 0 || topics.length > MAX_PAGE_SIZE) throw badInput(`topics: 1 to ${MAX_PAGE_SIZE} at a time`);
    for (const topic of topics) checkTopicName('topics', topic, this.config.maxTopicLevels);
    const now = Date.now();
    let cleared = 0;
    for (const topic of topics) {
      if (this.router.retained.matching(topic, now).length === 0) continue;
      // An empty retained message clears the topic, as a client's would; it is stored, not routed.
      this.router.retained.store(new Message(topic, Buffer.from(topic), Buffer.alloc(0), 0, true, null, 0, '', now));
      cleared++;
    }
    await this.audit.record({ actor, action: 'clearRetained', target: topics.length === 1 ? topics[0] : null, details: { topics, cleared } });
    return cleared;
  }
}
