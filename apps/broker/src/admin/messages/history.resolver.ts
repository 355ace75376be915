import { Inject } from '@nestjs/common';
import { Args, Int, Query, Resolver } from '@nestjs/graphql';
import { MessageHistoryRepository, StoredHistoryRecord } from '@nestmq/persistence';
import { GraphQLError } from 'graphql';
import { payloadText } from '../payload-text';
import { BROKER_CONFIG, BrokerConfig } from '../../config/broker-config';
import { pageSize } from '../page-size';
import { checkTopicFilter, checkTopicName } from '../topic-input';
import { HistoryMessageType, HistoryPageType, MessagesArgs } from './history.types';

const badInput = (message: string): GraphQLError => new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });

function toMessage(r: StoredHistoryRecord): HistoryMessageType {
  const text = payloadText(r.payload);
  return { ...r, payloadText: text, payloadBase64: r.payload.toString('base64') };
}

/** The message history: searched a page at a time, newest first. */
@Resolver(() => HistoryMessageType)
export class HistoryResolver {
  constructor(
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    private readonly history: MessageHistoryRepository,
  ) {}

  @Query(() => HistoryPageType, { description: 'Recorded messages, newest first, by topic filter, time, publisher and payload text' })
  async messages(@Args() args: MessagesArgs): Promise<HistoryPageType> {
    checkTopicFilter('topicFilter', args.topicFilter, this.config.maxTopicLevels);
    const from = args.from ?? new Date(0);
    const to = args.to ?? new Date(Date.now() + 1000);
    if (from.getTime() >= to.getTime()) throw badInput('from: must be before to');
    const match = { clientId: args.clientId, username: args.username, payloadContains: args.payloadContains };
    try {
      const page = await this.history.search(args.topicFilter, from, to, pageSize(args.first), args.after, match);
      return { messages: page.records.map(toMessage), nextCursor: page.nextCursor };
    } catch (e) {
      if (e instanceof RangeError) throw badInput(`after: ${e.message}; pass a nextCursor`);
      throw e;
    }
  }

  @Query(() => [HistoryMessageType], { description: 'The last messages recorded on a topic, newest first' })
  async latestMessages(@Args('topic') topic: string, @Args('last', { type: () => Int, defaultValue: 10 }) last: number): Promise<HistoryMessageType[]> {
    checkTopicName('topic', topic, this.config.maxTopicLevels);
    return (await this.history.latest(topic, pageSize(last))).map(toMessage);
  }
}
