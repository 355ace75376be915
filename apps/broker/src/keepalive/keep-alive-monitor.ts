import { ReasonCode } from '@nestmq/mqtt-protocol';
import { ConnectionState, type Connection } from '../transport/connection';

/**
 * One timer for every connection: a client silent for 1.5 times its Keep Alive is disconnected with 0x8D
 * [MQTT-3.1.2-22], and a connection that has not sent CONNECT within the connect timeout is closed.
 * A sweep costs a comparison per connection; a timer per connection would cost a reschedule per packet.
 */
export class KeepAliveMonitor {
  private readonly connections = new Set<Connection>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly connectTimeoutMs: number,
    private readonly sweepMs = 250,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => this.sweep(Date.now()), this.sweepMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  watch(connection: Connection): void {
    this.connections.add(connection);
  }

  unwatch(connection: Connection): void {
    this.connections.delete(connection);
  }

  get size(): number {
    return this.connections.size;
  }

  sweep(now: number): void {
    for (const c of this.connections) {
      if (c.state === ConnectionState.AwaitingConnect || c.state === ConnectionState.Authenticating) {
        if (now - c.openedAt > this.connectTimeoutMs) c.close();
      } else if (c.state === ConnectionState.Connected && c.keepAliveMs > 0 && now - c.lastPacketAt > c.keepAliveMs * 1.5 && c.hookWait === undefined) {
        c.disconnect(ReasonCode.KeepAliveTimeout, 'Keep Alive timeout');
      }
    }
  }
}
