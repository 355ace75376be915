import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DATA_SOURCE } from '../database/database.module';
import { HISTORY_RECORDER, HistoryModule } from '../history/history.module';
import { HistoryRecorder } from '../history/history-recorder';
import { SessionModule } from '../session/session.module';
import { SessionRegistry } from '../session/session-registry';
import { SESSION_EVENT_RECORDER, SessionEventsModule } from '../session-events/session-events.module';
import { SessionEventRecorder } from '../session-events/session-event-recorder';
import { BrokerStats } from './broker-stats';
import { MetricsController } from './metrics.controller';
import { MetricsModule } from './metrics.module';
import { PrometheusMetrics } from './prometheus-metrics';

@Module({
  imports: [HistoryModule, MetricsModule, SessionModule, SessionEventsModule],
  controllers: [MetricsController],
  providers: [
    {
      provide: PrometheusMetrics,
      useFactory: (stats: BrokerStats, sessions: SessionRegistry, history: HistoryRecorder | null, sessionEvents: SessionEventRecorder | null, dataSource: DataSource) =>
        new PrometheusMetrics({ stats, sessions, history, sessionEvents, dataSource }),
      inject: [BrokerStats, SessionRegistry, HISTORY_RECORDER, SESSION_EVENT_RECORDER, DATA_SOURCE],
    },
  ],
})
export class PrometheusModule {}
