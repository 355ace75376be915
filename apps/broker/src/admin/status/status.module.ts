import { Module } from '@nestjs/common';
import { HistoryModule } from '../../history/history.module';
import { MetricsModule } from '../../metrics/metrics.module';
import { SessionModule } from '../../session/session.module';
import { TransportModule } from '../../transport/transport.module';
import { SettingsController } from './settings.controller';
import { StatusController } from './status.controller';
import { StatusResolver } from './status.resolver';
import { StatusService } from './status.service';

@Module({
  imports: [HistoryModule, MetricsModule, SessionModule, TransportModule],
  controllers: [StatusController, SettingsController],
  providers: [StatusService, StatusResolver],
  exports: [StatusService],
})
export class StatusModule {}
