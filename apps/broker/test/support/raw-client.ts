import {
  ConnectPacket,
  MqttProtocolError,
  Packet,
  PacketParser,
  PacketType,
  ProtocolVersion,
  encodePacket,
} from '@nestmq/mqtt-protocol';
import { Socket, connect } from 'node:net';
import { ConnectionOptions, connect as connectTls } from 'node:tls';
import { withTimeout } from './clients';

/**
 * A client on a bare socket, speaking through our codec: for the behaviour a library would hide
 * (exact bytes, DUP, resends, not acknowledging, misbehaving on purpose).
 */
export class RawClient {
  readonly socket: Socket;
  readonly parser: PacketParser;
  private readonly queue: Packet[] = [];
  private waiter: (() => void) | undefined;
  readonly closed: Promise<void>;

  private constructor(socket: Socket, readonly version: ProtocolVersion) {
    this.socket = socket;
    this.parser = new PacketParser({ protocolVersion: version });
    socket.on('data', (chunk) => {
      this.parser.push(chunk);
      for (let p = this.parser.next(); p !== 'need-more'; p = this.parser.next()) {
        if (p instanceof MqttProtocolError) throw p;
        this.queue.push(p);
      }
      this.waiter?.();
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
  }

  static async open(port: number, version: ProtocolVersion = 5): Promise<RawClient> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawClient(socket, version);
  }

  /** Over TLS: resolves once the handshake is done, rejects when the broker refuses it. */
  static async openTls(port: number, options: ConnectionOptions, version: ProtocolVersion = 5): Promise<RawClient> {
    const socket = connectTls({ port, host: '127.0.0.1', servername: 'localhost', ...options });
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
    });
    return new RawClient(socket, version);
  }

  /** Opens, sends CONNECT, and returns once the CONNACK (checked for success) has arrived. */
  static async connected(port: number, connect: Partial<ConnectPacket> = {}, version: ProtocolVersion = 5): Promise<RawClient> {
    const client = await RawClient.open(port, version);
    client.send({
      type: PacketType.Connect,
      protocolName: version === 3 ? 'MQIsdp' : 'MQTT',
      protocolVersion: version,
      clean: true,
      keepAlive: 0,
      clientId: `raw-${Math.random().toString(36).slice(2)}`,
      ...connect,
    });
    const connack = await client.expect(PacketType.Connack);
    if (connack.reasonCode !== 0) throw new Error(`CONNACK ${connack.reasonCode}`);
    return client;
  }

  send(packet: Packet): void {
    this.socket.write(encodePacket(packet, this.version)!);
  }

  sendBytes(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** The next packet received; rejects when none arrives in time. */
  async next(timeoutMs = 5000): Promise<Packet> {
    if (this.queue.length === 0) {
      // A chunk may end inside a packet (a large PUBLISH spans many): wait on until one is whole or the socket closes.
      let closed = this.socket.destroyed;
      const onClose = (): void => {
        closed = true;
        this.waiter?.();
      };
      this.socket.once('close', onClose);
      try {
        await withTimeout(
          (async () => {
            while (this.queue.length === 0 && !closed) await new Promise<void>((resolve) => (this.waiter = resolve));
          })(),
          timeoutMs,
          'a packet from the broker',
        );
      } finally {
        this.waiter = undefined;
        this.socket.off('close', onClose);
      }
    }
    const packet = this.queue.shift();
    if (packet === undefined) throw new Error('connection closed before a packet arrived');
    return packet;
  }

  /** The next packet, which must be of `type`. */
  async expect<T extends Packet['type']>(type: T, timeoutMs = 5000): Promise<Extract<Packet, { type: T }>> {
    const packet = await this.next(timeoutMs);
    if (packet.type !== type) throw new Error(`expected packet type ${type}, got ${JSON.stringify(packet)}`);
    return packet as Extract<Packet, { type: T }>;
  }

  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }
}
