import { TableUsage } from '@nestmq/persistence';

/**
 * Holds a table that clients fill (message history, session events) to its byte bound: every few seconds
 * one row read says how big it is, and when it is over, its oldest rows go. Between two checks it may grow
 * past the bound by what arrives in that time.
 */
export class TableBound {
  /** Rows deleted to stay within the bound since start. */
  trimmed = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly usage: TableUsage,
    private readonly maxBytes: number,
    private readonly everyMs = 5000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.enforce().catch(() => undefined), this.everyMs);
    this.timer.unref();
  }

  /** Trims now (one trim at a time); resolves to the rows deleted. */
  enforce(): Promise<number> {
    this.running ??= this.usage
      .trimTo(this.maxBytes)
      .then((deleted) => {
        this.trimmed += deleted;
        return deleted;
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /** Stops the checks and waits for a trim under way. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }
}
