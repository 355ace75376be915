import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ReasonCode } from '@nestmq/mqtt-protocol';
import { BROKER_CONFIG, BrokerConfig } from '../config/broker-config';
import { KeepAliveMonitor } from '../keepalive/keep-alive-monitor';
import { BrokerContext } from './broker-context';
import { Connection } from './connection';
import { BoundListener, openListeners } from './listeners';

/** Opens the listeners at start-up; at shutdown stops accepting and tells every 5.0 client 0x8B. */
@Injectable()
export class ListenersService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Listeners');
  private readonly connections = new Set<Connection>();
  listeners: BoundListener[] = [];

  constructor(
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    private readonly broker: BrokerContext,
    private readonly keepAlive: KeepAliveMonitor,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.listeners = await openListeners(this.config, this.broker, (c) => {
      this.connections.add(c);
      c.socket.once('close', () => this.connections.delete(c));
    });
    this.keepAlive.start();
    for (const l of this.listeners) {
      const url = l.kind === 'ws' ? `ws://${l.host}:${l.port}/mqtt` : `${l.kind}://${l.host}:${l.port}`;
      this.logger.log(`listening on ${url}`);
    }
  }

  /** The port a listener of that kind is bound to (ephemeral ports are known only after start). */
  port(kind: BoundListener['kind']): number {
    const listener = this.listeners.find((l) => l.kind === kind);
    if (!listener) throw new Error(`no ${kind} listener`);
    return listener.port;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.keepAlive.stop();
    const closing = Promise.all(this.listeners.map((l) => l.close()));
    for (const c of this.connections) c.disconnect(ReasonCode.ServerShuttingDown, 'Server shutting down');
    const allClosed = new Promise<void>((resolve) => {
      const check = (): void => (this.connections.size === 0 ? resolve() : void setTimeout(check, 20));
      check();
    });
    await Promise.race([Promise.all([closing, allClosed]), new Promise((r) => setTimeout(r, 2000).unref())]);
    for (const c of this.connections) c.socket.destroy();
  }
}
