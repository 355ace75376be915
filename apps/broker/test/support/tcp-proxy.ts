import { AddressInfo, Server, Socket, connect, createServer } from 'node:net';

/**
 * A TCP proxy a test puts between the broker and its database, to make the database go away and come
 * back while the broker runs, without touching the real server. `cut()` tears down every proxied
 * connection and destroys new ones as they arrive (what a crashed or restarting server looks like to a
 * client); `blackhole()` tears them down too but then holds new ones open without a byte in either
 * direction (an unreachable host whose packets are dropped); `restore()` lets connections through again.
 */
export class TcpProxy {
  private readonly server: Server;
  private readonly pairs = new Set<[Socket, Socket]>();
  private readonly held = new Set<Socket>();
  private mode: 'open' | 'cut' | 'blackhole' = 'open';

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {
    this.server = createServer((client) => this.accept(client));
  }

  /** Listens on an ephemeral port of 127.0.0.1 and returns it. */
  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  cut(): void {
    this.mode = 'cut';
    this.dropAll();
  }

  blackhole(): void {
    this.mode = 'blackhole';
    this.dropAll();
  }

  restore(): void {
    this.mode = 'open';
    for (const socket of this.held) socket.destroy();
    this.held.clear();
  }

  async close(): Promise<void> {
    this.dropAll();
    this.restore();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private dropAll(): void {
    for (const [client, upstream] of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }

  private accept(client: Socket): void {
    if (this.mode === 'cut') {
      client.destroy();
      return;
    }
    if (this.mode === 'blackhole') {
      this.held.add(client);
      client.on('error', () => undefined);
      client.on('close', () => this.held.delete(client));
      return;
    }
    const upstream = connect(this.targetPort, this.targetHost);
    const pair: [Socket, Socket] = [client, upstream];
    this.pairs.add(pair);
    // Either side failing or closing ends both, as a real network path would.
    const end = (): void => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of pair) {
      socket.setNoDelay(true);
      socket.on('error', end);
      socket.on('close', end);
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
