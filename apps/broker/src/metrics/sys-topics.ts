import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { BROKER_CONFIG, BrokerConfig } from '../config/broker-config';
import { HISTORY_RECORDER } from '../history/history.module';
import { HistoryRecorder } from '../history/history-recorder';
import { Message } from '../routing/message';
import { Router } from '../routing/router';
import { SessionRegistry } from '../session/session-registry';
import { SESSION_EVENT_RECORDER } from '../session-events/session-events.module';
import { SessionEventRecorder } from '../session-events/session-event-recorder';
import { BROKER_VERSION } from '../version';
import { BrokerStats } from './broker-stats';

/**
 * Publishes the broker's state as retained messages under `$SYS/broker/` every SYS_INTERVAL seconds,
 * with the topic names Mosquitto uses, so existing dashboards read them unchanged.
 */
@Injectable()
export class SysTopicsPublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    private readonly router: Router,
    private readonly sessions: SessionRegistry,
    private readonly stats: BrokerStats,
    @Inject(HISTORY_RECORDER) private readonly history: HistoryRecorder | null,
    @Inject(SESSION_EVENT_RECORDER) private readonly sessionEvents: SessionEventRecorder | null,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.sysInterval <= 0) return;
    this.publish(`$SYS/broker/version`, `NestMQ ${BROKER_VERSION}`);
    this.publishAll();
    this.timer = setInterval(() => this.publishAll(), this.config.sysInterval * 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** The current values, by topic. */
  snapshot(): Record<string, number | string> {
    const s = this.stats;
    return {
      '$SYS/broker/uptime': `${Math.floor((Date.now() - s.startedAt) / 1000)} seconds`,
      '$SYS/broker/clients/connected': s.clientsConnected,
      '$SYS/broker/clients/maximum': s.clientsMaximum,
      '$SYS/broker/clients/total': this.sessions.size,
      '$SYS/broker/messages/received': s.messagesReceived,
      '$SYS/broker/messages/sent': s.packetsSent,
      '$SYS/broker/publish/messages/received': s.publishReceived,
      '$SYS/broker/publish/messages/sent': s.publishSent,
      '$SYS/broker/publish/messages/dropped': s.publishDropped,
      '$SYS/broker/bytes/received': s.bytesReceived,
      '$SYS/broker/bytes/sent': s.bytesSent,
      '$SYS/broker/errors/internal': s.internalErrors,
      '$SYS/broker/errors/protocol': s.protocolErrors,
      '$SYS/broker/clients/refused busy': s.connectsRefusedBusy,
      '$SYS/broker/clients/refused throttled': s.connectsRefusedThrottled,
      '$SYS/broker/clients/refused connecting bytes': s.connectsRefusedConnectingBytes,
      '$SYS/broker/clients/refused auth backend': s.connectsRefusedAuthBackend,
      '$SYS/broker/clients/refused per address': s.connectsRefusedPerAddress,
      '$SYS/broker/clients/credentials expired': s.credentialsExpired,
      '$SYS/broker/acl hook/requests': s.aclHookRequests,
      '$SYS/broker/acl hook/failures': s.aclHookFailures,
      '$SYS/broker/retained messages/count': this.router.retained.size,
      '$SYS/broker/retained messages/bytes': this.router.retained.byteSize,
      '$SYS/broker/retained messages/refused': s.retainedRefused,
      '$SYS/broker/subscriptions/count': this.router.trie.size,
      '$SYS/broker/subscriptions/shared/no reader': this.router.unreadableInGroups,
      '$SYS/broker/history/recorded': this.history?.recorded ?? 0,
      '$SYS/broker/history/dropped': this.history?.dropped ?? 0,
      '$SYS/broker/events/recorded': this.sessionEvents?.recorded ?? 0,
      '$SYS/broker/events/dropped': this.sessionEvents?.dropped ?? 0,
    };
  }

  private publishAll(): void {
    for (const [topic, value] of Object.entries(this.snapshot())) this.publish(topic, String(value));
  }

  private publish(topic: string, value: string): void {
    const now = Date.now();
    this.router.publish(new Message(topic, Buffer.from(topic), Buffer.from(value), 0, true, null, 0, '', now));
  }
}
