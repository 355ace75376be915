import { Logger } from '@nestjs/common';
import { BrokerStats } from '../metrics/broker-stats';

/** Distinct messages remembered for rate limiting; beyond it the memory starts over. */
const MAX_REMEMBERED = 1000;

/**
 * Errors nobody expected, caught at a connection's boundary: counted every time ($SYS/broker/errors/internal),
 * logged with their stack at most once per second per message, so a client that triggers one in a loop
 * can neither flood the log nor hide the count.
 */
export class InternalErrorLog {
  private readonly lastLogged = new Map<string, number>();

  constructor(
    private readonly stats: BrokerStats,
    private readonly logger: Pick<Logger, 'error'> = new Logger('Connection'),
  ) {}

  report(error: unknown, clientId: string): void {
    this.stats.internalErrors++;
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const now = Date.now();
    const last = this.lastLogged.get(message);
    if (last !== undefined && now - last < 1000) return;
    if (this.lastLogged.size >= MAX_REMEMBERED) this.lastLogged.clear();
    this.lastLogged.set(message, now);
    const stack = error instanceof Error ? error.stack : undefined;
    this.logger.error(`internal error on the connection of "${clientId.slice(0, 128)}", closed: ${message}`, stack);
  }
}
