import { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BrokerConfig } from '../config/broker-config';

/** A VACUUM pass at most this often: the space of a minute of deleted rows waits at most a minute. */
const EVERY_MS = 60_000;

/**
 * The embedded database has no autovacuum: the space of deleted rows (trimmed history and session events,
 * acknowledged messages, expired sessions) would never be reused, and its files and memory would grow with
 * every row ever written. A plain VACUUM makes that space reusable; it skips the pages that did not change.
 * PostgreSQL servers run their own autovacuum, so this runs only on the embedded database.
 */
export class EmbeddedVacuum implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Database');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastError = '';

  constructor(
    private readonly config: BrokerConfig,
    private readonly dataSource: DataSource,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.databaseUrl !== undefined) return;
    this.timer = setInterval(() => void this.vacuum(), EVERY_MS);
    this.timer.unref();
  }

  /** One pass at a time; a failure is logged once until the next success. */
  vacuum(): Promise<void> {
    this.running ??= this.dataSource
      .query('VACUUM')
      .then(
        () => {
          this.lastError = '';
        },
        (e: Error) => {
          if (e.message !== this.lastError) this.logger.warn(`VACUUM failed: ${e.message}`);
          this.lastError = e.message;
        },
      )
      .finally(() => (this.running = undefined));
    return this.running;
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
