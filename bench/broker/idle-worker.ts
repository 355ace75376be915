/**
 * Opens idle MQTT connections: at most `concurrency` between connect() and CONNACK at a time, CONNECT
 * packets encoded before the clock starts. Runs in a worker thread (several share the work, so that the
 * load generator's cost per connection does not bound the connect rate of a fast broker).
 *
 * Protocol with the parent: worker -> 'ready'; parent -> { go: n } (open connections until n in all);
 * worker -> 'connected' (with times and counts), possibly several rounds; parent -> 'close';
 * worker -> 'closed' (with connections the broker closed meanwhile), exit.
 */
import { ConnectPacket, PacketParser, PacketType, ParseStatus, ProtocolVersion, encodePacket } from '@nestmq/mqtt-protocol';
import * as net from 'node:net';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';

export interface IdleWorkerData {
  port: number;
  protocolVersion: ProtocolVersion;
  /** Client identifiers bench-idle-FROM .. bench-idle-(TO - 1). */
  from: number;
  to: number;
  concurrency: number;
}

export interface IdleConnected {
  type: 'connected';
  /** process.hrtime in ms: the same clock in every thread. */
  firstConnectAt: number;
  lastConnackAt: number;
  acked: number;
  failed: number;
  anomalies: Array<[string, number]>;
}

export interface IdleClosed {
  type: 'closed';
  closedByBroker: number;
}

const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

function main(data: IdleWorkerData): void {
  const port = parentPort!;
  const { protocolVersion, from, to, concurrency } = data;
  const count = to - from;
  const connects = Array.from({ length: count }, (_, i) => {
    const packet: ConnectPacket = {
      type: PacketType.Connect,
      protocolName: 'MQTT',
      protocolVersion,
      clean: true,
      keepAlive: 600,
      clientId: `bench-idle-${from + i}`,
    };
    return encodePacket(packet, protocolVersion)!;
  });
  const sockets: net.Socket[] = [];
  const anomalies = new Map<string, number>();
  const anomaly = (what: string): void => void anomalies.set(what, (anomalies.get(what) ?? 0) + 1);
  let started = 0;
  let acked = 0;
  let failed = 0;
  let closedByBroker = 0;
  let firstConnectAt = 0;
  let lastConnackAt = 0;
  /** Connections to open in this round (in all, earlier rounds included). */
  let goal = 0;
  let reported = true;

  const launch = (): void => {
    while (started < goal && started - acked - failed < concurrency) open(started++);
    if (acked + failed === goal && !reported) {
      reported = true;
      const msg: IdleConnected = { type: 'connected', firstConnectAt, lastConnackAt, acked, failed, anomalies: [...anomalies] };
      port.postMessage(msg);
    }
  };

  const open = (i: number): void => {
    const socket = net.connect({ port: data.port, host: '127.0.0.1' });
    socket.setNoDelay(true);
    sockets.push(socket);
    let parser: PacketParser | null = new PacketParser({ protocolVersion });
    /** 0: waiting for CONNACK, 1: accepted, 2: failed or closed. */
    let state = 0;
    const fail = (what: string): void => {
      if (state === 2) return;
      if (state === 1) {
        closedByBroker++;
        state = 2;
        return;
      }
      state = 2;
      failed++;
      anomaly(what);
      launch();
    };
    socket.on('connect', () => socket.write(connects[i]));
    socket.on('data', (chunk) => {
      if (parser === null) return anomaly('data after CONNACK on an idle connection');
      parser.push(chunk);
      const status = parser.read();
      if (status === ParseStatus.NeedMore) return;
      const packet = parser.packet;
      if (status === ParseStatus.Packet && packet!.type === PacketType.Connack && packet!.reasonCode === 0) {
        parser = null;
        state = 1;
        acked++;
        lastConnackAt = nowMs();
        launch();
      } else {
        fail(status === ParseStatus.Packet ? `${PacketType[packet!.type]} instead of CONNACK 0` : 'unreadable CONNACK');
      }
    });
    socket.on('error', (e) => fail(`connect: ${(e as NodeJS.ErrnoException).code ?? e.message}`));
    socket.on('close', () => fail('closed before CONNACK'));
  };

  port.on('message', (msg: string | { go: number }) => {
    if (typeof msg === 'object') {
      goal = Math.min(count, msg.go);
      reported = false;
      firstConnectAt = nowMs();
      lastConnackAt = firstConnectAt;
      launch();
    } else if (msg === 'close') {
      for (const socket of sockets) {
        socket.removeAllListeners('close');
        socket.on('error', () => {});
        socket.destroy();
      }
      const closed: IdleClosed = { type: 'closed', closedByBroker };
      port.postMessage(closed);
      port.close();
    }
  });
  port.postMessage('ready');
}

if (!isMainThread && parentPort !== null) main(workerData as IdleWorkerData);
