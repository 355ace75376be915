import { Module } from '@nestjs/common';
import { BROKER_CONFIG, BrokerConfig } from '../config/broker-config';
import { KeepAliveMonitor } from './keep-alive-monitor';

@Module({
  providers: [
    {
      provide: KeepAliveMonitor,
      useFactory: (config: BrokerConfig) => new KeepAliveMonitor(config.connectTimeout * 1000),
      inject: [BROKER_CONFIG],
    },
  ],
  exports: [KeepAliveMonitor],
})
export class KeepAliveModule {}
