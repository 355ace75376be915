import { Module } from '@nestjs/common';
import { BrokerStats } from './broker-stats';

/** One BrokerStats per broker: two brokers in one process (tests) count apart. */
@Module({
  providers: [{ provide: BrokerStats, useFactory: () => new BrokerStats() }],
  exports: [BrokerStats],
})
export class MetricsModule {}
