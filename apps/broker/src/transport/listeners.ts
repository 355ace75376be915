import { readFileSync } from 'node:fs';
import { AddressInfo, Server, Socket, createServer } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { IncomingMessage, createServer as createHttpServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { BrokerConfig } from '../config/broker-config';
import type { BrokerContext } from './broker-context';
import { Connection } from './connection';
import { WebSocketDuplex } from './websocket-stream';

export type ListenerKind = 'mqtt' | 'mqtts' | 'ws';

export interface BoundListener {
  kind: ListenerKind;
  host: string;
  port: number;
  close(): Promise<void>;
}

/** Every connection gets the same socket treatment: no Nagle delay, the broker batches its own writes. */
function tuneSocket(socket: Socket): void {
  socket.setNoDelay(true);
}

function listen(server: Server | ReturnType<typeof createHttpServer>, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closer(server: { close(cb: () => void): void }): () => Promise<void> {
  return () => new Promise((resolve) => server.close(() => resolve()));
}

/** Opens the TCP, TLS and WebSocket listeners that the configuration switches on. */
export async function openListeners(config: BrokerConfig, broker: BrokerContext, onConnection: (c: Connection) => void): Promise<BoundListener[]> {
  const bound: BoundListener[] = [];
  try {
    await openEach(config, broker, onConnection, bound);
  } catch (e) {
    // A port that is taken fails start-up; the listeners already open must not keep the process alive.
    await Promise.all(bound.map((l) => l.close()));
    throw e;
  }
  return bound;
}

async function openEach(config: BrokerConfig, broker: BrokerContext, onConnection: (c: Connection) => void, bound: BoundListener[]): Promise<void> {
  const accept = (socket: Socket): void => {
    tuneSocket(socket);
    onConnection(new Connection(socket, broker, socket.remoteAddress ?? ''));
  };

  if (config.mqttPort !== null) {
    const server = createServer(accept);
    const port = await listen(server, config.host, config.mqttPort);
    bound.push({ kind: 'mqtt', host: config.host, port, close: closer(server) });
  }
  if (config.mqttsPort !== null) {
    const server = createTlsServer(
      {
        cert: readFileSync(config.tlsCertFile!),
        key: readFileSync(config.tlsKeyFile!),
        ca: config.tlsCaFile ? readFileSync(config.tlsCaFile) : undefined,
        requestCert: config.tlsCaFile !== undefined,
        rejectUnauthorized: config.tlsCaFile !== undefined,
      },
      (socket) => accept(socket),
    );
    const port = await listen(server, config.host, config.mqttsPort);
    bound.push({ kind: 'mqtts', host: config.host, port, close: closer(server) });
  }
  if (config.wsPort !== null) {
    const http = createHttpServer((_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket: connect to /mqtt\n');
    });
    const wss = new WebSocketServer({
      server: http,
      path: '/mqtt',
      // The client offers "mqtt" (5.0 and 3.1.1) or "mqttv3.1"; answer with what it offered [MQTT-6.0.0-3].
      handleProtocols: (protocols: Set<string>) => (protocols.has('mqtt') ? 'mqtt' : protocols.has('mqttv3.1') ? 'mqttv3.1' : false),
      maxPayload: config.maxPacketSize + 5,
    });
    // ws repeats every error of the HTTP server; listen() already reports those, and an 'error' event with
    // no listener would take the process down instead of giving start-up a clear failure.
    wss.on('error', () => undefined);
    wss.on('connection', (ws, req: IncomingMessage) => {
      const socket = req.socket;
      tuneSocket(socket);
      onConnection(new Connection(new WebSocketDuplex(ws, socket), broker, socket.remoteAddress ?? ''));
    });
    const port = await listen(http, config.host, config.wsPort);
    bound.push({
      kind: 'ws',
      host: config.host,
      port,
      // Stops accepting only: open connections are told DISCONNECT 0x8B by their owner and then close their
      // WebSocket themselves; cutting them here would lose that DISCONNECT.
      close: async () => {
        await Promise.all([new Promise<void>((resolve) => wss.close(() => resolve())), closer(http)()]);
      },
    });
  }
}
