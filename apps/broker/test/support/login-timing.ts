import { connect as tcpConnect } from 'node:net';
import { ConnackPacket, PacketParser, PacketType, encodePacket } from '@nestmq/mqtt-protocol';
import { withTimeout } from './clients';

/**
 * CONNECTs timed one by one, for the tests that an unknown user and a wrong password are answered alike
 * and after the same work, whichever authenticator decides.
 */

export interface Attempt {
  username?: string;
  password?: Buffer | string;
  version?: 4 | 5;
  clientId?: string;
  /** Where the client connects from: any 127.x.y.z reaches a broker on 127.0.0.1. */
  localAddress?: string;
}

/** One CONNECT on a fresh socket: the CONNACK and how long it took from CONNECT written to CONNACK read. */
export async function attempt(port: number, a: Attempt = {}): Promise<{ connack: ConnackPacket; ms: number }> {
  const version = a.version ?? 5;
  const socket = tcpConnect({ port, host: '127.0.0.1', localAddress: a.localAddress });
  socket.on('error', () => undefined);
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const parser = new PacketParser({ protocolVersion: version });
    const answer = new Promise<ConnackPacket>((resolve, reject) => {
      socket.on('data', (chunk) => {
        parser.push(chunk);
        const p = parser.next();
        if (p !== 'need-more' && !(p instanceof Error) && p.type === PacketType.Connack) resolve(p);
      });
      socket.once('close', () => reject(new Error('closed without CONNACK')));
    });
    const password = typeof a.password === 'string' ? Buffer.from(a.password) : a.password;
    const started = process.hrtime.bigint();
    socket.write(
      encodePacket(
        {
          type: PacketType.Connect, protocolName: 'MQTT', protocolVersion: version, clean: true, keepAlive: 0,
          clientId: a.clientId ?? `ah-${Math.random().toString(36).slice(2)}`,
          ...(a.username !== undefined ? { username: a.username } : {}),
          ...(password !== undefined ? { password } : {}),
        },
        version,
      )!,
    );
    const connack = await withTimeout(answer, 10_000, 'CONNACK');
    return { connack, ms: Number(process.hrtime.bigint() - started) / 1e6 };
  } finally {
    socket.destroy();
  }
}

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

/**
 * Rounds of one attempt per path, interleaved so that a noisy neighbour slows every path alike; the
 * median per path, with the reason code each path answered.
 */
export async function timePaths(port: number, paths: Record<string, Attempt>, rounds: number): Promise<Record<string, { median: number; codes: Set<number> }>> {
  const samples: Record<string, number[]> = {};
  const codes: Record<string, Set<number>> = {};
  for (const name of Object.keys(paths)) {
    samples[name] = [];
    codes[name] = new Set();
  }
  for (let i = 0; i < rounds; i++) {
    for (const [name, a] of Object.entries(paths)) {
      const { connack, ms } = await attempt(port, a);
      samples[name].push(ms);
      codes[name].add(connack.reasonCode);
    }
  }
  return Object.fromEntries(Object.keys(paths).map((name) => [name, { median: median(samples[name]), codes: codes[name] }]));
}
