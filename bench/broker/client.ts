/**
 * A raw MQTT client for load generation: a node:net socket, our PacketParser on its fast path (a PUBLISH
 * is read in place through the parser's view, never turned into an object), and hooks the load roles
 * fill in. Everything a role sends goes out through `write`, which it calls with whole batches.
 */
import {
  ConnectPacket,
  Packet,
  PacketParser,
  PacketType,
  ParseStatus,
  ProtocolVersion,
  PublishView,
  QoS,
  encodePacket,
} from '@nestmq/mqtt-protocol';
import * as net from 'node:net';

export interface ClientOptions {
  port: number;
  clientId: string;
  protocolVersion: ProtocolVersion;
  /** Seconds; the runs are far shorter than the default. */
  keepAlive?: number;
  /** Keep the session after the connection ends (Clean Start 0 with a Session Expiry in 5.0, Clean Session 0 in 3.1.1). */
  persistent?: boolean;
}

/** Problems seen by any client of a run: unexpected packets, closes, protocol errors. */
export class Anomalies {
  readonly counts = new Map<string, number>();

  add(what: string): void {
    this.counts.set(what, (this.counts.get(what) ?? 0) + 1);
  }

  get total(): number {
    let n = 0;
    for (const v of this.counts.values()) n += v;
    return n;
  }

  toString(): string {
    return [...this.counts].map(([what, n]) => (n === 1 ? what : `${what} (x${n})`)).join('; ');
  }
}

const DISCONNECT_V5 = Buffer.from([0xe0, 0x01, 0x00]);
const DISCONNECT_V4 = Buffer.from([0xe0, 0x00]);

export class RawClient {
  readonly socket: net.Socket;
  readonly parser: PacketParser;
  /** A PUBLISH, read in place: the view is only valid during the call. */
  onPublish: (view: PublishView) => void;
  /** PUBACK, PUBREC, PUBREL or PUBCOMP. */
  onAck: (type: PacketType, packetId: number, reasonCode: number) => void;
  /** After every received chunk was parsed: the place to write the acknowledgements it called for, at once. */
  onChunkEnd: () => void = () => {};
  /** The socket took everything written so far. */
  onDrain: () => void = () => {};

  private closing = false;
  private waiter: { type: PacketType; resolve: (p: Packet) => void; reject: (e: Error) => void } | null = null;

  constructor(
    readonly options: ClientOptions,
    private readonly anomalies: Anomalies,
  ) {
    this.parser = new PacketParser({ protocolVersion: options.protocolVersion });
    this.onPublish = () => anomalies.add(`${options.clientId}: unexpected PUBLISH`);
    this.onAck = (type) => anomalies.add(`unexpected ${PacketType[type]}`);
    this.socket = new net.Socket();
    this.socket.setNoDelay(true);
    this.socket.on('data', this.onData);
    this.socket.on('drain', () => this.onDrain());
    this.socket.on('error', (e) => this.failed(`socket error: ${e.message}`));
    this.socket.on('close', () => this.failed('connection closed by the broker'));
  }

  get v5(): boolean {
    return this.options.protocolVersion === 5;
  }

  /** Connects, sends CONNECT (clean start, no session kept unless `persistent`) and waits for a successful CONNACK. */
  async connect(): Promise<void> {
    const { port, clientId, protocolVersion, keepAlive = 600, persistent = false } = this.options;
    const connect: ConnectPacket = {
      type: PacketType.Connect,
      protocolName: 'MQTT',
      protocolVersion,
      clean: !persistent,
      keepAlive,
      clientId,
      ...(persistent && protocolVersion === 5 ? { properties: { sessionExpiryInterval: 86_400 } } : {}),
    };
    const acked = this.expect(PacketType.Connack);
    this.socket.connect({ port, host: '127.0.0.1' }, () => this.socket.write(encodePacket(connect, protocolVersion)!));
    const connack = (await acked) as Extract<Packet, { type: PacketType.Connack }>;
    if (connack.reasonCode !== 0) throw new Error(`${clientId}: CONNACK 0x${connack.reasonCode.toString(16)}`);
  }

  async subscribe(topicFilter: string, qos: QoS, packetId = 1): Promise<void> {
    const acked = this.expect(PacketType.Suback);
    this.socket.write(
      encodePacket(
        {
          type: PacketType.Subscribe,
          packetId,
          subscriptions: [{ topicFilter, qos, noLocal: false, retainAsPublished: false, retainHandling: 0 }],
        },
        this.options.protocolVersion,
      )!,
    );
    const suback = (await acked) as Extract<Packet, { type: PacketType.Suback }>;
    if (suback.reasonCodes[0] !== qos) throw new Error(`${this.options.clientId}: SUBACK 0x${suback.reasonCodes[0].toString(16)} for QoS ${qos}`);
  }

  /** Returns false when the socket buffers more than its high-water mark (wait for onDrain). */
  write(bytes: Buffer): boolean {
    return this.socket.write(bytes);
  }

  /** DISCONNECT, then end; resolves once the socket is closed (or after a second). */
  disconnect(): Promise<void> {
    if (this.closing || this.socket.destroyed) return Promise.resolve();
    this.closing = true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.socket.destroy();
        resolve();
      }, 1000);
      this.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.socket.end(this.v5 ? DISCONNECT_V5 : DISCONNECT_V4);
    });
  }

  destroy(): void {
    this.closing = true;
    this.socket.destroy();
  }

  private expect(type: PacketType): Promise<Packet> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.options.clientId}: no ${PacketType[type]} within 10 s`)), 10_000);
      this.waiter = {
        type,
        resolve: (p) => {
          clearTimeout(timer);
          resolve(p);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
    });
  }

  private readonly onData = (chunk: Buffer): void => {
    const parser = this.parser;
    parser.push(chunk);
    for (let s = parser.read(); s !== ParseStatus.NeedMore; s = parser.read()) {
      if (s === ParseStatus.Publish) {
        this.onPublish(parser.publish);
      } else if (s === ParseStatus.Packet) {
        this.onPacket(parser.packet!);
      } else {
        this.failed(`unparsable input: ${parser.error!.message}`);
        this.socket.destroy();
        return;
      }
    }
    this.onChunkEnd();
  };

  private onPacket(packet: Packet): void {
    switch (packet.type) {
      case PacketType.Puback:
      case PacketType.Pubrec:
      case PacketType.Pubrel:
      case PacketType.Pubcomp:
        this.onAck(packet.type, packet.packetId, packet.reasonCode);
        return;
      case PacketType.Pingresp:
        return;
      case PacketType.Disconnect:
        this.failed(`DISCONNECT 0x${packet.reasonCode.toString(16)} from the broker`);
        return;
      default:
        if (this.waiter !== null && this.waiter.type === packet.type) {
          const w = this.waiter;
          this.waiter = null;
          w.resolve(packet);
        } else {
          this.anomalies.add(`unexpected ${PacketType[packet.type]}`);
        }
    }
  }

  private failed(what: string): void {
    if (this.closing) return;
    if (this.waiter !== null) {
      const w = this.waiter;
      this.waiter = null;
      w.reject(new Error(`${this.options.clientId}: ${what}`));
      return;
    }
    this.anomalies.add(what);
  }
}

/** One CONNECT/CONNACK exchange, then DISCONNECT: is the broker accepting MQTT clients yet? */
export async function probe(port: number, protocolVersion: ProtocolVersion): Promise<void> {
  const client = new RawClient({ port, clientId: `bench-probe-${process.pid}`, protocolVersion }, new Anomalies());
  try {
    await client.connect();
    await client.disconnect();
  } finally {
    client.destroy();
  }
}
