import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SessionEventRepository } from '@nestmq/persistence';
import { BROKER_CONFIG, BrokerConfig } from '../config/broker-config';
import { SESSION_EVENT_RECORDER } from './session-event-recorder.token';
import { SessionEventRecorder } from './session-event-recorder';

/**
 * Deletes session events older than SESSION_EVENTS_RETENTION every minute, and flushes the recorder at
 * shutdown. Retention runs even with SESSION_EVENTS off: the rows hold user names and client addresses,
 * and the retention promised for them holds whether or not new ones are being recorded.
 */
@Injectable()
export class SessionEventRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    @Inject(SESSION_EVENT_RECORDER) private readonly recorder: SessionEventRecorder | null,
    private readonly repository: SessionEventRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.enforce().catch(() => undefined), 60_000);
    this.timer.unref();
  }

  /** Returns how many events were deleted. */
  enforce(now = Date.now()): Promise<number> {
    return this.repository.deleteOlderThan(new Date(now - this.config.sessionEventsRetention * 1000));
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    // Listeners closed before this hook (beforeApplicationShutdown): the last disconnects are in the batch.
    await this.recorder?.close();
  }
}
