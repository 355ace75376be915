import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SessionEventRepository, TableUsage } from '@nestmq/persistence';
import { DataSource } from 'typeorm';
import { BROKER_CONFIG, BrokerConfig } from '../config/broker-config';
import { DATA_SOURCE } from '../database/database.module';
import { TableBound } from '../database/table-bound';
import { SESSION_EVENT_RECORDER } from './session-event-recorder.token';
import { SessionEventRecorder } from './session-event-recorder';

/**
 * Deletes session events older than SESSION_EVENTS_RETENTION every minute and beyond
 * SESSION_EVENTS_MAX_BYTES every five seconds (a connect flood passes a bound in time alone), and flushes
 * the recorder at shutdown. Retention runs even with SESSION_EVENTS off: the rows hold user names and client addresses,
 * and the retention promised for them holds whether or not new ones are being recorded.
 */
@Injectable()
export class SessionEventRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  readonly bound: TableBound;

  constructor(
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    @Inject(SESSION_EVENT_RECORDER) private readonly recorder: SessionEventRecorder | null,
    private readonly repository: SessionEventRepository,
    @Inject(DATA_SOURCE) dataSource: DataSource,
  ) {
    this.bound = new TableBound(new TableUsage(dataSource, 'session_events'), config.sessionEventsMaxBytes);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.enforce().catch(() => undefined), 60_000);
    this.timer.unref();
    this.bound.start();
  }

  /** Returns how many events were deleted. */
  enforce(now = Date.now()): Promise<number> {
    return this.repository.deleteOlderThan(new Date(now - this.config.sessionEventsRetention * 1000));
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.bound.stop();
    // Listeners closed before this hook (beforeApplicationShutdown): the last disconnects are in the batch.
    await this.recorder?.close();
  }
}
