import { Module } from '@nestjs/common';
import { PubSub } from 'graphql-subscriptions';
import { BROKER_CONFIG, BrokerConfig } from '../../config/broker-config';
import { BrokerContext } from '../../transport/broker-context';
import { TransportModule } from '../../transport/transport.module';
import { StatusModule } from '../status/status.module';
import { SessionEventsModule } from '../../session-events/session-events.module';
import { ADMIN_PUBSUB } from './admin-pubsub';
import { ClientEventsRelay } from './client-events';
import { LiveFeed } from './live-feed';
import { LiveResolver } from './live.resolver';
import { MetricsTicker } from './metrics-ticker';

@Module({
  imports: [SessionEventsModule, StatusModule, TransportModule],
  providers: [
    { provide: ADMIN_PUBSUB, useFactory: () => new PubSub() },
    {
      provide: LiveFeed,
      useFactory: (config: BrokerConfig, broker: BrokerContext) => new LiveFeed((watcher) => (broker.publishWatcher = watcher), config.adminLiveMaxRate),
      inject: [BROKER_CONFIG, BrokerContext],
    },
    ClientEventsRelay,
    LiveResolver,
    MetricsTicker,
  ],
})
export class LiveModule {}
