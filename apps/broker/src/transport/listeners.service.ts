import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ReasonCode } from '@nestmq/mqtt-protocol';
import { BROKER_CONFIG, BrokerConfig } from '../config/broker-config';
import { KeepAliveMonitor } from '../keepalive/keep-alive-monitor';
import { BrokerContext } from './broker-context';
import { Connection } from './connection';
import { ListenerException, ListenerExceptionCode } from './listener.exception';
import { Listener, ListenerKind, openListeners } from './listeners';

/** How long closing waits for disconnected clients to go before it returns (shutdown: destroys them). */
const CLOSE_WAIT_MS = 2000;

/** A listener as the admin API shows it. */
export interface ListenerState {
  /** `kind:port`, e.g. `mqtt:1883`: how a change names it. */
  id: string;
  kind: ListenerKind;
  host: string;
  port: number;
  url: string;
  /** Accepts new connections. */
  enabled: boolean;
  /** Connections it accepted that are open now. */
  connections: number;
}

/** What setEnabled did. */
export interface ListenerChange {
  before: ListenerState;
  after: ListenerState;
  /** Clients told DISCONNECT 0x8B (3.1.1: closed). */
  disconnected: number;
}

function stateOf(l: Listener): ListenerState {
  return { id: l.id, kind: l.kind, host: l.host, port: l.port, url: l.url, enabled: l.enabled, connections: l.connections.size };
}

/** Resolves once every connection of `connections` still open has closed, or after `ms`. */
function closedWithin(connections: Array<{ connection: Connection; listener: Listener }>, ms: number): Promise<void> {
  const closing = connections
    .filter(({ connection, listener }) => listener.connections.has(connection))
    .map(({ connection }) => new Promise<void>((resolve) => connection.socket.once('close', () => resolve())));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms).unref()));
  return Promise.race([Promise.all(closing).then(() => undefined), timeout]).finally(() => clearTimeout(timer));
}

/**
 * Owns the listeners: opens them at start-up, stops and starts one at an admin's request (new clients are
 * refused while it is stopped; connected ones stay unless it is told to disconnect them), and at shutdown
 * stops accepting and tells every 5.0 client 0x8B.
 */
@Injectable()
export class ListenersService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Listeners');
  listeners: Listener[] = [];
  /** Starts and stops, one at a time: two admins enabling at once must not bind two servers. */
  private changes: Promise<unknown> = Promise.resolve();
  private shuttingDown = false;

  constructor(
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    private readonly broker: BrokerContext,
    private readonly keepAlive: KeepAliveMonitor,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.listeners = await openListeners(this.config, this.broker, (c, listener) => {
      listener.connections.add(c);
      c.socket.once('close', () => listener.connections.delete(c));
    });
    this.keepAlive.start();
    for (const l of this.listeners) this.logger.log(`listening on ${l.url}`);
  }

  /** The port a listener of that kind is bound to (ephemeral ports are known only after start). */
  port(kind: ListenerKind): number {
    const listener = this.listeners.find((l) => l.kind === kind);
    if (!listener) throw new Error(`no ${kind} listener`);
    return listener.port;
  }

  /** Every listener, enabled or not, in the order they were opened. */
  list(): ListenerState[] {
    return this.listeners.map(stateOf);
  }

  /** Listeners accepting connections now. */
  get enabledCount(): number {
    return this.listeners.filter((l) => l.enabled).length;
  }

  /**
   * Stops a listener accepting new connections, or starts it again on the same port. Its connected
   * clients stay, unless `disconnectClients` (only when disabling): then 5.0 clients are told DISCONNECT
   * 0x8B Server shutting down, 3.1.1 clients are closed, and this resolves once they have gone (at most
   * CLOSE_WAIT_MS). Enabling or disabling a listener that already is changes nothing.
   */
  setEnabled(id: string, enabled: boolean, disconnectClients = false): Promise<ListenerChange> {
    const run = this.changes.then(() => this.change(id, enabled, disconnectClients));
    this.changes = run.catch(() => undefined);
    return run;
  }

  private async change(id: string, enabled: boolean, disconnectClients: boolean): Promise<ListenerChange> {
    if (this.shuttingDown) throw new ListenerException(ListenerExceptionCode.SHUTTING_DOWN, 'the broker is shutting down: its listeners are closing');
    const listener = this.listeners.find((l) => l.id === id);
    if (listener === undefined) {
      const known = this.listeners.map((l) => l.id).join(', ') || 'none';
      throw new ListenerException(ListenerExceptionCode.NOT_FOUND, `no listener "${id}"; the listeners are: ${known}`);
    }
    if (enabled && disconnectClients) {
      throw new ListenerException(ListenerExceptionCode.INVALID_INPUT, 'disconnectClients applies when disabling a listener, not when enabling it');
    }
    const before = stateOf(listener);
    let disconnected = 0;
    if (enabled) {
      if (!listener.enabled) {
        try {
          await listener.start();
        } catch (e) {
          const cause = (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));
          this.logger.warn(`${listener.url}: cannot listen again (${cause}); it stays disabled`);
          throw new ListenerException(
            ListenerExceptionCode.LISTEN_FAILED,
            `cannot listen on ${listener.host}:${listener.port} again (${cause === 'EADDRINUSE' ? 'the port is taken' : cause}); ${listener.id} stays disabled`,
          );
        }
        this.logger.log(`listening on ${listener.url} again`);
      }
    } else {
      if (listener.enabled) {
        listener.stop();
        this.logger.log(`${listener.url}: stopped accepting connections`);
      }
      if (disconnectClients) {
        const connections = [...listener.connections].map((connection) => ({ connection, listener }));
        disconnected = connections.length;
        for (const { connection } of connections) connection.disconnect(ReasonCode.ServerShuttingDown, 'Listener stopped by an administrator');
        await closedWithin(connections, CLOSE_WAIT_MS);
        if (disconnected > 0) this.logger.log(`${listener.url}: disconnected ${disconnected} client(s)`);
      }
    }
    return { before, after: stateOf(listener), disconnected };
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    this.keepAlive.stop();
    // A start under way binds its port first; then it is stopped with the others.
    await this.changes;
    for (const l of this.listeners) l.stop();
    const connections = this.listeners.flatMap((listener) => [...listener.connections].map((connection) => ({ connection, listener })));
    for (const { connection } of connections) connection.disconnect(ReasonCode.ServerShuttingDown, 'Server shutting down');
    await closedWithin(connections, CLOSE_WAIT_MS);
    for (const l of this.listeners) for (const c of l.connections) c.socket.destroy();
  }
}
