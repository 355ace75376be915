import { Module } from '@nestjs/common';
import { HistoryModule } from '../history/history.module';
import { RoutingModule } from '../routing/routing.module';
import { SessionModule } from '../session/session.module';
import { SessionEventsModule } from '../session-events/session-events.module';
import { MetricsModule } from './metrics.module';
import { SysTopicsPublisher } from './sys-topics';

@Module({
  imports: [HistoryModule, MetricsModule, RoutingModule, SessionModule, SessionEventsModule],
  providers: [SysTopicsPublisher],
})
export class SysTopicsModule {}
