import { Inject, Injectable, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { MessageHistoryRepository, TableUsage } from '@nestmq/persistence';
import { DataSource } from 'typeorm';
import { BROKER_CONFIG, BrokerConfig } from '../config/broker-config';
import { DATA_SOURCE } from '../database/database.module';
import { TableBound } from '../database/table-bound';
import { HistoryRecorder } from './history-recorder';

/** Null when HISTORY_TOPICS is empty. */
export const HISTORY_RECORDER = Symbol('HISTORY_RECORDER');

/**
 * Enforces HISTORY_RETENTION and HISTORY_MAX_PER_TOPIC every minute and HISTORY_MAX_BYTES every five
 * seconds (a flood of distinct topics passes the first two); flushes the recorder at shutdown.
 */
@Injectable()
export class HistoryRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  readonly bound: TableBound;

  constructor(
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    @Inject(HISTORY_RECORDER) private readonly recorder: HistoryRecorder | null,
    private readonly repository: MessageHistoryRepository,
    @Inject(DATA_SOURCE) dataSource: DataSource,
  ) {
    this.bound = new TableBound(new TableUsage(dataSource, 'history_blocks'), config.historyMaxBytes);
  }

  onApplicationBootstrap(): void {
    if (this.recorder === null) return;
    this.timer = setInterval(() => void this.enforce().catch(() => undefined), 60_000);
    this.timer.unref();
    this.bound.start();
  }

  /** The topics trimmed by count last time: their rows still in the recorder's batch then are in the table now. */
  private previousTopics: string[] | null = null;

  /** The first run after start trims every topic in the table; later runs the topics recorded meanwhile. */
  enforce(): Promise<number> {
    const recorded = this.recorder?.takeRecordedTopics() ?? null;
    const topics = recorded === null || this.previousTopics === null ? undefined : [...new Set([...this.previousTopics, ...recorded])];
    this.previousTopics = recorded;
    return this.repository.applyRetention(new Date(Date.now() - this.config.historyRetention * 1000), this.config.historyMaxPerTopic, topics);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.bound.stop();
    await this.recorder?.flush();
  }
}

@Module({
  providers: [
    { provide: MessageHistoryRepository, useFactory: (ds: DataSource) => new MessageHistoryRepository(ds), inject: [DATA_SOURCE] },
    {
      provide: HISTORY_RECORDER,
      useFactory: (config: BrokerConfig, repository: MessageHistoryRepository) =>
        config.historyTopics.length === 0 ? null : new HistoryRecorder(config.historyTopics, repository, config.historyBuffer, 100, config.historyBufferBytes, config.topicCacheBytes),
      inject: [BROKER_CONFIG, MessageHistoryRepository],
    },
    HistoryRetention,
  ],
  exports: [HISTORY_RECORDER, MessageHistoryRepository],
})
export class HistoryModule {}
