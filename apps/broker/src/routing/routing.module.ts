import { Module } from '@nestjs/common';
import { deliverToSession } from '../qos/deliver';
import { Router } from './router';

@Module({
  providers: [{ provide: Router, useFactory: () => new Router(deliverToSession) }],
  exports: [Router],
})
export class RoutingModule {}
