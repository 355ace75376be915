import { Inject, Injectable } from '@nestjs/common';
import { MessageHistoryRepository, StoredHistoryRecord } from '@nestmq/persistence';
import { BROKER_CONFIG, BrokerConfig } from '../../config/broker-config';
import { afterCursor, badInput } from '../admin-error';
import { pageSize } from '../page-size';
import { payloadText } from '../payload-text';
import { checkTopicFilter, checkTopicName } from '../topic-input';
import { HistoryMessageType, HistoryPageType, MessagesArgs } from './history.types';

function toMessage(r: StoredHistoryRecord): HistoryMessageType {
  return {
    id: r.id,
    topic: r.topic,
    payloadText: payloadText(r.payload),
    payloadBase64: r.payload.toString('base64'),
    qos: r.qos,
    retain: r.retain,
    properties: r.properties,
    publisherClientId: r.publisherClientId,
    publisherUsername: r.publisherUsername,
    receivedAt: r.receivedAt,
  };
}

/** The message history: searched a page at a time, newest first. */
@Injectable()
export class HistoryService {
  constructor(
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    private readonly history: MessageHistoryRepository,
  ) {}

  /** Recorded messages matching the search, newest first, a page at a time. */
  async search(args: MessagesArgs): Promise<HistoryPageType> {
    checkTopicFilter('topicFilter', args.topicFilter, this.config.maxTopicLevels);
    const from = args.from ?? new Date(0);
    const to = args.to ?? new Date(Date.now() + 1000);
    if (from.getTime() >= to.getTime()) throw badInput('from: must be before to');
    const first = pageSize(args.first);
    // A filter sent as null (GraphQL lets a client say so) is no filter, as when it is left out.
    const match = { clientId: args.clientId ?? undefined, username: args.username ?? undefined, payloadContains: args.payloadContains ?? undefined };
    const page = await afterCursor(() => this.history.search(args.topicFilter, from, to, first, args.after, match));
    return { messages: page.records.map(toMessage), nextCursor: page.nextCursor };
  }

  /** The last `last` (1 to MAX_PAGE_SIZE) messages recorded on a topic, newest first. */
  async latest(topic: string, last: number): Promise<HistoryMessageType[]> {
    checkTopicName('topic', topic, this.config.maxTopicLevels);
    return (await this.history.latest(topic, pageSize(last, 'last'))).map(toMessage);
  }
}
