import { Module } from '@nestjs/common';
import { BROKER_CONFIG, BrokerConfig } from '../config/broker-config';
import { deliverToSession, deliverWithAcl } from '../qos/deliver';
import { Router } from './router';

@Module({
  providers: [
    {
      provide: Router,
      useFactory: (config: BrokerConfig) => new Router(config.acl ? deliverWithAcl(config.acl) : deliverToSession),
      inject: [BROKER_CONFIG],
    },
  ],
  exports: [Router],
})
export class RoutingModule {}
