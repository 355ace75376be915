import { Module } from '@nestjs/common';
import { AccessModule } from '../auth/access.module';
import { TopicAccess } from '../auth/topic-access';
import { BROKER_CONFIG, BrokerConfig } from '../config/broker-config';
import { deliverToSession, deliverWithAcl, mayReadWithAcl } from '../qos/deliver';
import { SESSION_PERSISTENCE, SessionPersistence } from '../session/session-persistence';
import { Router } from './router';

@Module({
  imports: [AccessModule],
  providers: [
    {
      provide: Router,
      useFactory: (config: BrokerConfig, persistence: SessionPersistence, access: TopicAccess) => {
        const router = new Router(deliverToSession, persistence, config.topicCacheBytes, { messages: config.maxRetainedMessages, bytes: config.maxRetainedBytes });
        // Without any rule, delivery makes no check at all; the first rule added switches the checks on.
        const mayRead = mayReadWithAcl(access);
        const useAccess = (): void => (access.active ? router.useAccess(deliverWithAcl(mayRead), mayRead) : router.useAccess(deliverToSession, null));
        useAccess();
        access.onChange(useAccess);
        return router;
      },
      inject: [BROKER_CONFIG, SESSION_PERSISTENCE, TopicAccess],
    },
  ],
  exports: [Router],
})
export class RoutingModule {}
