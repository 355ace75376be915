import { Module } from '@nestjs/common';
import { BROKER_CONFIG, BrokerConfig } from '../config/broker-config';
import { deliverToSession, deliverWithAcl, mayReadWithAcl } from '../qos/deliver';
import { SESSION_PERSISTENCE, SessionPersistence } from '../session/session-persistence';
import { Router } from './router';

@Module({
  providers: [
    {
      provide: Router,
      useFactory: (config: BrokerConfig, persistence: SessionPersistence) => {
        const mayRead = config.acl ? mayReadWithAcl(config.acl) : null;
        return new Router(
          mayRead ? deliverWithAcl(mayRead) : deliverToSession,
          persistence,
          config.topicCacheBytes,
          { messages: config.maxRetainedMessages, bytes: config.maxRetainedBytes },
          mayRead,
        );
      },
      inject: [BROKER_CONFIG, SESSION_PERSISTENCE],
    },
  ],
  exports: [Router],
})
export class RoutingModule {}
