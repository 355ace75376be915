import { Module } from '@nestjs/common';
import { Router } from '../routing/router';
import { RoutingModule } from '../routing/routing.module';
import { WillScheduler } from './will-scheduler';

@Module({
  imports: [RoutingModule],
  providers: [{ provide: WillScheduler, useFactory: (router: Router) => new WillScheduler(router), inject: [Router] }],
  exports: [WillScheduler],
})
export class WillModule {}
