import { readFileSync } from 'node:fs';
import { AddressInfo, Server, Socket, createServer } from 'node:net';
import { TLSSocket, createServer as createTlsServer } from 'node:tls';
import { IncomingMessage, createServer as createHttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { certificateIdentityOf } from '../auth/cert/certificate-identity';
import { BrokerConfig } from '../config/broker-config';
import type { BrokerContext } from './broker-context';
import { Connection } from './connection';
import { WebSocketDuplex } from './websocket-stream';

export type ListenerKind = 'mqtt' | 'mqtts' | 'ws';

/** A listener's server while it accepts connections. */
interface Accepting {
  /** The port it is bound to (known only now when the configuration said 0). */
  port: number;
  /** Closes the listening socket at once: new connections are refused, open ones stay. */
  stop(): void;
}

/** Binds a fresh server on `host`:`port` for a listener; rejects with the cause (EADDRINUSE, say). */
type Open = (listener: Listener, host: string, port: number) => Promise<Accepting>;

/**
 * One configured listener: its kind and address, the connections it accepted, and whether it accepts new
 * ones. Stopping closes the listening socket only, so new clients are refused and connected ones stay;
 * starting again binds a fresh server to the same port. The owner (ListenersService) runs one start or
 * stop at a time.
 */
export class Listener {
  /** Connections this listener accepted that are still open, whether it accepts new ones or not. */
  readonly connections = new Set<Connection>();
  private accepting: Accepting | null = null;
  private boundPort: number;

  constructor(
    readonly kind: ListenerKind,
    readonly host: string,
    port: number,
    private readonly open: Open,
  ) {
    this.boundPort = port;
  }

  /** The port it is bound to, or was and will be again while stopped. */
  get port(): number {
    return this.boundPort;
  }

  /** How the admin API names it: kind and port, e.g. `mqtt:1883`. */
  get id(): string {
    return `${this.kind}:${this.boundPort}`;
  }

  /** Where clients connect, as the start-up log prints it. */
  get url(): string {
    return this.kind === 'ws' ? `ws://${this.host}:${this.boundPort}/mqtt` : `${this.kind}://${this.host}:${this.boundPort}`;
  }

  get enabled(): boolean {
    return this.accepting !== null;
  }

  /** Accepts connections on its port (the first time, the configured one); rejects with the cause, and stays stopped. */
  async start(): Promise<void> {
    if (this.accepting !== null) return;
    this.accepting = await this.open(this, this.host, this.boundPort);
    this.boundPort = this.accepting.port;
  }

  /** Stops accepting: the port is free when this returns; open connections are left as they are. */
  stop(): void {
    const accepting = this.accepting;
    this.accepting = null;
    accepting?.stop();
  }
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

/** Told of every connection a listener accepts. */
export type OnConnection = (connection: Connection, listener: Listener) => void;

/** Opens the TCP, TLS and WebSocket listeners that the configuration switches on. */
export async function openListeners(config: BrokerConfig, broker: BrokerContext, onConnection: OnConnection): Promise<Listener[]> {
  const listeners = configuredListeners(config, broker, onConnection);
  try {
    for (const listener of listeners) await listener.start();
  } catch (e) {
    // A port that is taken fails start-up; the listeners already open must not keep the process alive.
    for (const listener of listeners) listener.stop();
    throw e;
  }
  return listeners;
}

function configuredListeners(config: BrokerConfig, broker: BrokerContext, onConnection: OnConnection): Listener[] {
  const accepted = (listener: Listener, stream: Duplex, socket: Socket): Connection | undefined => {
    const address = socket.remoteAddress ?? '';
    // Beyond MAX_CONNECTIONS_PER_IP the socket is closed before anything is read (see ConnectionsPerAddress).
    if (!broker.connectionsPerAddress.enter(address)) {
      broker.stats.connectsRefusedPerAddress++;
      stream.destroy();
      return undefined;
    }
    tuneSocket(socket);
    const connection = new Connection(stream, broker, address);
    onConnection(connection, listener);
    return connection;
  };
  const listeners: Listener[] = [];

  if (config.mqttPort !== null) {
    listeners.push(
      new Listener('mqtt', config.host, config.mqttPort, async (listener, host, port) => {
        const server = createServer((socket) => accepted(listener, socket, socket));
        return { port: await listen(server, host, port), stop: () => server.close() };
      }),
    );
  }
  if (config.mqttsPort !== null) {
    // Read once, at start-up: a missing file fails the start, not a later restart of the listener.
    const options = {
      cert: readFileSync(config.tlsCertFile!),
      key: readFileSync(config.tlsKeyFile!),
      ca: config.tlsCaFile ? readFileSync(config.tlsCaFile) : undefined,
      requestCert: config.tlsCaFile !== undefined,
      // TLS_CLIENT_CERT=optional: a client without a certificate of the CA completes the handshake, and
      // gets no identity from it (certificateIdentityOf reads only verified ones).
      rejectUnauthorized: config.tlsCaFile !== undefined && config.tlsClientCert === 'required',
    };
    const identity = config.tlsIdentity;
    listeners.push(
      new Listener('mqtts', config.host, config.mqttsPort, async (listener, host, port) => {
        const server = createTlsServer(options, (socket: TLSSocket) => {
          const connection = accepted(listener, socket, socket);
          if (connection !== undefined && identity !== undefined) connection.certificateIdentity = certificateIdentityOf(socket, identity);
        });
        return { port: await listen(server, host, port), stop: () => server.close() };
      }),
    );
  }
  if (config.wsPort !== null) {
    listeners.push(
      new Listener('ws', config.host, config.wsPort, async (listener, host, port) => {
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
        wss.on('connection', (ws, req: IncomingMessage) => accepted(listener, new WebSocketDuplex(ws, req.socket), req.socket));
        // Stops accepting only: open WebSocket connections are not the servers' to end (ws 8 leaves them be).
        // At shutdown they are told DISCONNECT 0x8B by their owner and then close their WebSocket themselves;
        // cutting them here would lose that DISCONNECT.
        const stop = (): void => {
          wss.close();
          http.close();
        };
        try {
          return { port: await listen(http, host, port), stop };
        } catch (e) {
          wss.close();
          throw e;
        }
      }),
    );
  }
  return listeners;
}
