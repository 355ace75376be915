import { Module } from '@nestjs/common';
import { BROKER_CONFIG, BrokerConfig } from '../config/broker-config';
import { BrokerStats } from '../metrics/broker-stats';
import { MetricsModule } from '../metrics/metrics.module';
import { InflightCap } from './inflight-cap';
import { InflightWindows, PacketIdAllocators } from './inflight-windows';
import { RedeliveryPolicy, RESEND_ON_RECONNECT } from './redelivery-policy';

/**
 * QoS 1 and 2 towards clients: Packet Identifier allocation, each session's in-flight window with its
 * queue limits, the redelivery policy, and the server's in-flight cap. Sessions get their windows here;
 * the transport applies the cap to each client's Receive Maximum. The windows themselves are plain
 * objects on the hot path: nothing here is looked up per message.
 */
@Module({
  imports: [MetricsModule],
  providers: [
    { provide: RedeliveryPolicy, useValue: RESEND_ON_RECONNECT },
    { provide: PacketIdAllocators, useValue: new PacketIdAllocators() },
    {
      provide: InflightWindows,
      useFactory: (config: BrokerConfig, allocators: PacketIdAllocators, redelivery: RedeliveryPolicy, stats: BrokerStats) =>
        new InflightWindows({ messages: config.maxQueuedMessages, bytes: config.maxQueuedBytes }, allocators, redelivery, stats),
      inject: [BROKER_CONFIG, PacketIdAllocators, RedeliveryPolicy, BrokerStats],
    },
    { provide: InflightCap, useFactory: (config: BrokerConfig) => new InflightCap(config.maxInflightMessages), inject: [BROKER_CONFIG] },
  ],
  exports: [InflightWindows, InflightCap, RedeliveryPolicy, PacketIdAllocators],
})
export class QosModule {}
