/**
 * CONNECT load for the authentication benchmarks: one login at a time per simulated device (connect, CONNECT,
 * CONNACK, DISCONNECT, close), and one connected client whose PINGREQ round trips show whether the broker's
 * event loop keeps turning meanwhile.
 */
import * as net from 'node:net';
import { performance } from 'node:perf_hooks';
import * as tls from 'node:tls';
import { ConnectPacket, Packet, PacketParser, PacketType, ParseStatus, encodePacket } from '@nestmq/mqtt-protocol';

const DISCONNECT = Buffer.from([0xe0, 0x01, 0x00]);
const PINGREQ = Buffer.from([0xc0, 0x00]);

export interface Attempt {
  reasonCode: number;
  ms: number;
  /** TLS only: the handshake resumed an earlier session. */
  resumed?: boolean;
}

/** Where and how a login connects: plain TCP, or TLS with these options (a client certificate, the CA). */
export interface Dial {
  port: number;
  localAddress?: string;
  /** `onSession` receives the TLS session to resume with next time (`session`). */
  tls?: tls.ConnectionOptions & { onSession?: (session: Buffer) => void };
}

/**
 * Answers a packet the broker sent before its CONNACK (an AUTH of enhanced authentication) with the packet to
 * send back, or throws when the exchange went wrong.
 */
export type Exchange = (packet: Packet) => Packet;

function open(dial: Dial): net.Socket {
  const tcp = net.connect({ port: dial.port, host: '127.0.0.1', localAddress: dial.localAddress });
  tcp.setNoDelay(true);
  if (!dial.tls) return tcp;
  const { onSession, ...options } = dial.tls;
  const socket = tls.connect({ ...options, socket: tcp, servername: options.servername ?? 'localhost' });
  if (onSession) socket.on('session', onSession);
  return socket;
}

/** One login: CONNECT, CONNACK (after `exchange` answered any AUTH), then DISCONNECT or the broker's close. */
export function login(dial: Dial, connect: ConnectPacket, exchange?: Exchange): Promise<Attempt> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const parser = new PacketParser({ protocolVersion: 5 });
    const socket = open(dial);
    let answer: Attempt | undefined;
    const timer = setTimeout(() => socket.destroy(new Error(`${connect.clientId}: no CONNACK within 30 s`)), 30_000);
    let resumed: boolean | undefined;
    socket.on(dial.tls ? 'secureConnect' : 'connect', () => {
      if (socket instanceof tls.TLSSocket) resumed = socket.isSessionReused();
      socket.write(encodePacket(connect, 5)!);
    });
    socket.on('data', (chunk) => {
      parser.push(chunk);
      for (let s = parser.read(); s !== ParseStatus.NeedMore; s = parser.read()) {
        const packet = s === ParseStatus.Packet ? parser.packet : undefined;
        if (packet?.type === PacketType.Auth && exchange && answer === undefined) {
          try {
            socket.write(encodePacket(exchange(packet), 5)!);
          } catch (e) {
            socket.destroy(e as Error);
          }
          continue;
        }
        if (packet?.type !== PacketType.Connack || answer !== undefined) {
          socket.destroy(new Error(`${connect.clientId}: unexpected ${packet ? PacketType[packet.type] : `parse status ${s}`}`));
          return;
        }
        answer = { reasonCode: packet.reasonCode, ms: performance.now() - started, ...(resumed !== undefined && { resumed }) };
        if (packet.reasonCode === 0) socket.end(DISCONNECT);
      }
    });
    let error: Error | undefined;
    socket.on('error', (e) => (error = e));
    socket.on('close', () => {
      clearTimeout(timer);
      if (answer !== undefined) resolve(answer);
      else reject(error ?? new Error(`${connect.clientId}: closed without a CONNACK`));
    });
  });
}

export interface Pinger {
  /** Round trips since the last call, in ms. */
  window(): number[];
  stop(): void;
}

/** A logged-in client that sends PINGREQ every 20 ms, one in flight at a time. */
export async function pinger(dial: Dial, connect: ConnectPacket, exchange?: Exchange): Promise<Pinger> {
  const socket = open(dial);
  const parser = new PacketParser({ protocolVersion: 5 });
  let rtts: number[] = [];
  let sentAt: number | undefined;
  const connected = new Promise<void>((resolve, reject) => {
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      parser.push(chunk);
      for (let s = parser.read(); s !== ParseStatus.NeedMore; s = parser.read()) {
        const packet = parser.packet;
        if (packet?.type === PacketType.Auth && exchange) {
          socket.write(encodePacket(exchange(packet), 5)!);
        } else if (packet?.type === PacketType.Connack) {
          if (packet.reasonCode === 0) resolve();
          else reject(new Error(`pinger: CONNACK 0x${packet.reasonCode.toString(16)}`));
        } else if (packet?.type === PacketType.Pingresp && sentAt !== undefined) {
          rtts.push(performance.now() - sentAt);
          sentAt = undefined;
        }
      }
    });
  });
  socket.on(dial.tls ? 'secureConnect' : 'connect', () => socket.write(encodePacket({ ...connect, keepAlive: 600 }, 5)!));
  await connected;
  const timer = setInterval(() => {
    // An unanswered ping counts from when it was sent.
    if (sentAt !== undefined) return;
    sentAt = performance.now();
    socket.write(PINGREQ);
  }, 20);
  return {
    window: () => {
      const out = rtts;
      rtts = [];
      return out;
    },
    stop: () => {
      clearInterval(timer);
      socket.destroy();
    },
  };
}

/** The p-quantile (0..1) of a sample, NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** A CONNECT of MQTT 5.0 with a clean start. */
export function connectPacket(clientId: string, username?: string, password?: Buffer | string, properties?: ConnectPacket['properties']): ConnectPacket {
  return {
    type: PacketType.Connect,
    protocolName: 'MQTT',
    protocolVersion: 5,
    clean: true,
    keepAlive: 60,
    clientId,
    ...(username !== undefined && { username }),
    ...(password !== undefined && { password: typeof password === 'string' ? Buffer.from(password) : password }),
    ...(properties !== undefined && { properties }),
  };
}

/**
 * `clients` devices logging in again and again (`attempt(i, n)`: device i's n-th login), each one login at
 * a time, until stopped. What they answered is counted only while `measuring`.
 */
export class LoginLoad {
  measuring = false;
  readonly counts = new Map<number, number>();
  readonly latencies: number[] = [];
  readonly failures: string[] = [];
  /** Measured logins whose TLS handshake resumed a session. */
  resumed = 0;
  private stopping = false;
  private readonly loops: Array<Promise<void>>;

  constructor(clients: number, attempt: (i: number, n: number) => Promise<Attempt>) {
    this.loops = Array.from({ length: clients }, (_, i) => this.loop(i, attempt));
  }

  /** Logins answered while measuring. */
  get answered(): number {
    return [...this.counts.values()].reduce((a, b) => a + b, 0);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.loops);
  }

  private async loop(i: number, attempt: (i: number, n: number) => Promise<Attempt>): Promise<void> {
    for (let n = 0; !this.stopping; n++) {
      try {
        const a = await attempt(i, n);
        if (!this.measuring) continue;
        this.counts.set(a.reasonCode, (this.counts.get(a.reasonCode) ?? 0) + 1);
        this.latencies.push(a.ms);
        if (a.resumed) this.resumed++;
      } catch (e) {
        this.failures.push((e as Error).message);
        if (this.failures.length > 20) throw new Error(`too many failed logins: ${this.failures.slice(0, 3).join('; ')}`);
      }
    }
  }
}
