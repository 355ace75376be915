import { Inject, Injectable } from '@nestjs/common';
import { describeDatabase } from '@nestmq/persistence';
import { BROKER_CONFIG, BrokerConfig, loadBrokerConfig } from '../../config/broker-config';
import { HISTORY_RECORDER } from '../../history/history.module';
import { HistoryRecorder } from '../../history/history-recorder';
import { BrokerStats } from '../../metrics/broker-stats';
import { SessionRegistry } from '../../session/session-registry';
import { ListenersService } from '../../transport/listeners.service';
import { BROKER_VERSION } from '../../version';
import { BrokerStatus } from './broker-status.types';
import { brokerSettings } from './broker-settings';
import { BrokerSetting } from './broker-settings.types';

/** The broker's state as admins see it: read from the counters the hot path keeps, never on it. */
@Injectable()
export class StatusService {
  constructor(
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    private readonly stats: BrokerStats,
    private readonly sessions: SessionRegistry,
    private readonly listeners: ListenersService,
    @Inject(HISTORY_RECORDER) private readonly history: HistoryRecorder | null,
  ) {}

  /** The configuration in effect, without its secrets (see brokerSettings). */
  settings(): BrokerSetting[] {
    return brokerSettings(this.config, loadBrokerConfig({}));
  }

  status(now = Date.now()): BrokerStatus {
    const s = this.stats;
    return {
      version: BROKER_VERSION,
      startedAt: new Date(s.startedAt),
      uptimeSeconds: Math.floor((now - s.startedAt) / 1000),
      listeners: this.listeners.list(),
      counters: {
        clientsConnected: s.clientsConnected,
        clientsMaximum: s.clientsMaximum,
        connectionsTotal: s.connectionsTotal,
        sessions: this.sessions.size,
        messagesReceived: s.messagesReceived,
        messagesSent: s.packetsSent,
        publishReceived: s.publishReceived,
        publishSent: s.publishSent,
        bytesReceived: s.bytesReceived,
        bytesSent: s.bytesSent,
        publishDropped: s.publishDropped,
        historyRecorded: this.history?.recorded ?? 0,
        historyDropped: this.history?.dropped ?? 0,
        inflightMessages: s.inflightMessages,
        queuedMessages: s.queuedMessages,
        historyLagSeconds: this.history !== null && this.history.oldestBufferedAt !== 0 ? Math.max(0, now - this.history.oldestBufferedAt) / 1000 : 0,
      },
      database: {
        kind: this.config.databaseUrl === undefined ? 'embedded' : 'server',
        description: describeDatabase({ url: this.config.databaseUrl, dataDir: this.config.dataDir }),
      },
    };
  }
}
