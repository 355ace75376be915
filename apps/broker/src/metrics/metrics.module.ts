import { Module } from '@nestjs/common';
import { BrokerStats } from './broker-stats';

@Module({
  providers: [{ provide: BrokerStats, useValue: new BrokerStats() }],
  exports: [BrokerStats],
})
export class MetricsModule {}
