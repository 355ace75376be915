import { Inject } from '@nestjs/common';
import { Args, Resolver, Subscription } from '@nestjs/graphql';
import { BROKER_CONFIG, BrokerConfig } from '../../config/broker-config';
import { PacketType, decodePropertyBlock } from '@nestmq/mqtt-protocol';
import { propertiesToJson } from '../../history/history-recorder';
import { payloadText } from '../payload-text';
import { checkTopicFilter } from '../topic-input';
import { PubSubEngine } from 'graphql-subscriptions';
import { SessionEvent } from '@nestmq/persistence';
import { ADMIN_PUBSUB, BROKER_METRICS, CLIENT_EVENTS } from './admin-pubsub';
import { LiveFeed, LiveMessage } from './live-feed';
import { BrokerMetricsType, ClientEventType, LiveMessageType } from './live.types';


function toLive({ message, username, skippedBefore }: LiveMessage): LiveMessageType {
  const text = payloadText(message.payload);
  return {
    topic: message.topic,
    payloadText: text,
    payloadBase64: message.payload.toString('base64'),
    qos: message.qos,
    retain: message.retain,
    publisherClientId: message.publisherId || null,
    publisherUsername: username ?? null,
    receivedAt: new Date(message.receivedAt),
    properties: message.properties === null ? null : propertiesToJson(decodePropertyBlock(message.properties, PacketType.Publish)),
    skippedBefore,
  };
}

@Resolver()
export class LiveResolver {
  constructor(
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    private readonly feed: LiveFeed,
    @Inject(ADMIN_PUBSUB) private readonly pubsub: PubSubEngine,
  ) {}

  @Subscription(() => LiveMessageType, { description: 'Messages clients publish on a topic filter, live, at most ADMIN_LIVE_MAX_RATE a second', resolve: toLive })
  messagePublished(@Args('topicFilter') topicFilter: string): AsyncIterableIterator<LiveMessage> {
    return this.feed.watch(checkTopicFilter('topicFilter', topicFilter, this.config.maxTopicLevels));
  }

  @Subscription(() => ClientEventType, {
    description: 'Clients connecting, refused (with the reason code), disconnecting (with who ended it and why) and kicked, as it happens',
    resolve: (event: SessionEvent): ClientEventType => event,
  })
  clientEvents(): AsyncIterator<SessionEvent> {
    return this.pubsub.asyncIterableIterator<SessionEvent>(CLIENT_EVENTS);
  }

  @Subscription(() => BrokerMetricsType, { description: 'The counters and their rates, a tick a second', resolve: (tick: BrokerMetricsType) => tick })
  brokerMetrics(): AsyncIterator<BrokerMetricsType> {
    return this.pubsub.asyncIterableIterator<BrokerMetricsType>(BROKER_METRICS);
  }
}
