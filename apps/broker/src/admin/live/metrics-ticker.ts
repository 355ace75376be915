import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PubSubEngine } from 'graphql-subscriptions';
import { StatusService } from '../status/status.service';
import { ADMIN_PUBSUB, BROKER_METRICS } from './admin-pubsub';
import { BrokerMetricsType } from './live.types';

/** Publishes the broker's counters once a second for `brokerMetrics`, with the rates since the tick before. */
@Injectable()
export class MetricsTicker implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private last: BrokerMetricsType | undefined;

  constructor(
    private readonly status: StatusService,
    @Inject(ADMIN_PUBSUB) private readonly pubsub: PubSubEngine,
  ) {}

  onApplicationBootstrap(): void {
    // A tick that fails (a subscriber's error) is skipped: never a rejection left to end the process.
    this.timer = setInterval(() => void this.tick().catch(() => undefined), 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async tick(now = Date.now()): Promise<void> {
    const counters = this.status.status(now).counters;
    const last = this.last;
    const seconds = last ? Math.max(0.001, (now - last.at.getTime()) / 1000) : 1;
    const rate = (value: number, before: number | undefined): number => (before === undefined ? 0 : Math.max(0, value - before) / seconds);
    const tick: BrokerMetricsType = {
      at: new Date(now),
      counters,
      publishReceivedPerSecond: rate(counters.publishReceived, last?.counters.publishReceived),
      publishSentPerSecond: rate(counters.publishSent, last?.counters.publishSent),
      publishDroppedPerSecond: rate(counters.publishDropped, last?.counters.publishDropped),
    };
    this.last = tick;
    await this.pubsub.publish(BROKER_METRICS, tick);
  }
}
