import { Module } from '@nestjs/common';
import { RoutingModule } from '../routing/routing.module';
import { SessionModule } from '../session/session.module';
import { MetricsModule } from './metrics.module';
import { SysTopicsPublisher } from './sys-topics';

@Module({
  imports: [MetricsModule, RoutingModule, SessionModule],
  providers: [SysTopicsPublisher],
})
export class SysTopicsModule {}
