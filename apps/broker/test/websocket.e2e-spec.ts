import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { AddressInfo, Socket, createServer } from 'node:net';
import {
  ConnectPacket,
  MqttProtocolError,
  Packet,
  PacketParser,
  PacketType,
  PublishPacket,
  ReasonCode,
  encodePacket,
} from '@nestmq/mqtt-protocol';
import WebSocket from 'ws';
import { BrokerStats } from '../src/metrics/broker-stats';
import { SessionRegistry } from '../src/session/session-registry';
import type { BrokerContext } from '../src/transport/broker-context';
import { openListeners } from '../src/transport/listeners';
import { Inbox, connectClient, eventually, publish, withTimeout } from './support/clients';
import { TestBroker, startTestBroker } from './support/test-broker';

/** How long the broker may take to notice a vanished client: far below any keep alive, ample on a loaded machine. */
const PROMPTLY_MS = 3000;

/**
 * A WebSocket client speaking MQTT through our codec, for what mqtt.js would not do: close without
 * DISCONNECT, drop the socket, send a text frame, stop reading.
 */
class WsMqttClient {
  readonly parser = new PacketParser({ protocolVersion: 5 });
  readonly closed: Promise<{ code: number }>;
  private readonly queue: Packet[] = [];
  private waiter: (() => void) | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      this.parser.push(data);
      for (let p = this.parser.next(); p !== 'need-more'; p = this.parser.next()) {
        if (p instanceof MqttProtocolError) throw p;
        this.queue.push(p);
      }
      this.waiter?.();
    });
    ws.on('error', () => undefined);
    this.closed = new Promise((resolve) => ws.once('close', (code) => resolve({ code })));
  }

  /** Opens, sends CONNECT (keep alive 0) and returns once a successful CONNACK has arrived. */
  static async connected(port: number, connect: Partial<ConnectPacket> = {}): Promise<WsMqttClient> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/mqtt`, ['mqtt']);
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      }),
      5000,
      'WebSocket handshake',
    );
    const client = new WsMqttClient(ws);
    client.send({
      type: PacketType.Connect,
      protocolName: 'MQTT',
      protocolVersion: 5,
      clean: true,
      keepAlive: 0,
      clientId: `ws-${Math.random().toString(36).slice(2)}`,
      ...connect,
    });
    const connack = await client.expect(PacketType.Connack);
    if (connack.reasonCode !== 0) throw new Error(`CONNACK ${connack.reasonCode}`);
    return client;
  }

  send(packet: Packet): void {
    this.ws.send(encodePacket(packet, 5)!, { binary: true });
  }

  async expect<T extends Packet['type']>(type: T, timeoutMs = 5000): Promise<Extract<Packet, { type: T }>> {
    if (this.queue.length === 0) {
      await withTimeout(
        new Promise<void>((resolve) => {
          this.waiter = resolve;
          this.ws.once('close', () => resolve());
        }),
        timeoutMs,
        `packet type ${type} over WebSocket`,
      );
      this.waiter = undefined;
    }
    const packet = this.queue.shift();
    if (packet === undefined) throw new Error('connection closed before a packet arrived');
    if (packet.type !== type) throw new Error(`expected packet type ${type}, got ${JSON.stringify(packet)}`);
    return packet as Extract<Packet, { type: T }>;
  }

  /** The TCP socket under the WebSocket: to drop it without a close frame. */
  get tcp(): Socket {
    return (this.ws as unknown as { _socket: Socket })._socket;
  }
}

function subscribePacket(topicFilter: string, qos: 0 | 1 | 2): Packet {
  return { type: PacketType.Subscribe, packetId: 1, subscriptions: [{ topicFilter, qos, noLocal: false, retainAsPublished: false, retainHandling: 0 }] };
}

function publishPacket(topic: string, payload: Buffer, qos: 0 | 1): PublishPacket {
  return { type: PacketType.Publish, topic, payload, qos, retain: false, dup: false, ...(qos > 0 ? { packetId: 1 } : {}) };
}

describe('MQTT over WebSocket', () => {
  let broker: TestBroker;
  let stats: BrokerStats;
  let wsPort: number;
  /** Set by the last test, which shuts the broker down itself. */
  let shutDown = false;

  beforeAll(async () => {
    broker = await startTestBroker({ wsPort: 0 });
    stats = broker.app.get(BrokerStats);
    wsPort = broker.port('ws');
  });
  afterAll(async () => {
    if (!shutDown) await broker.close();
  });

  /**
   * Connects a WebSocket client with a will (keep alive 0, so nothing but the transport can notice it is
   * gone), lets `vanish` end it, and checks that the will reaches a TCP subscriber and the connected-client
   * count ($SYS/broker/clients/connected) drops back, both promptly.
   */
  async function expectWillWhen(name: string, vanish: (client: WsMqttClient) => void): Promise<WsMqttClient> {
    const topic = `will/${name}`;
    const watcher = await connectClient(broker.url);
    const inbox = new Inbox(watcher);
    await watcher.subscribeAsync(topic, { qos: 1 });
    const connectedBefore = stats.clientsConnected;
    const client = await WsMqttClient.connected(wsPort, { will: { topic, payload: Buffer.from(`${name} is gone`), qos: 1, retain: false } });
    assert.equal(stats.clientsConnected, connectedBefore + 1);

    vanish(client);
    const [will] = await inbox.waitFor(1, PROMPTLY_MS);
    assert.equal(will.topic, topic);
    assert.equal(will.payload.toString(), `${name} is gone`);
    await eventually(() => stats.clientsConnected === connectedBefore, PROMPTLY_MS, 'the connected-client count to drop back');
    await watcher.endAsync();
    return client;
  }

  it('publishes the will when the client sends a WebSocket close frame without DISCONNECT [MQTT-3.1.2-8]', async () => {
    const client = await expectWillWhen('close-frame', (c) => c.ws.close(1000));
    assert.equal((await withTimeout(client.closed, PROMPTLY_MS, 'close handshake')).code, 1000);
  });

  it('publishes the will when the client sends a close frame but keeps its TCP connection open [MQTT-3.1.2-8]', async () => {
    const client = await expectWillWhen('close-frame-held', (c) => {
      c.ws.close(1000);
      c.tcp.pause(); // never reads the broker's answer, so never closes its side
    });
    client.ws.terminate();
  });

  it('publishes the will when the socket under the WebSocket is closed without a close frame [MQTT-3.1.2-8]', async () => {
    const client = await expectWillWhen('dropped', (c) => c.ws.terminate());
    await withTimeout(client.closed, PROMPTLY_MS, 'client side closed');
  });

  it('publishes the will when the socket under the WebSocket is reset [MQTT-3.1.2-8]', async () => {
    const client = await expectWillWhen('reset', (c) => c.tcp.resetAndDestroy());
    await withTimeout(client.closed, PROMPTLY_MS, 'client side closed');
  });

  it('closes the Network Connection on a text frame and publishes the will [MQTT-6.0.0-1]', async () => {
    const client = await expectWillWhen('text-frame', (c) => c.ws.send(encodePacket({ type: PacketType.Pingreq }, 5)!.toString('latin1'), { binary: false }));
    const { code } = await withTimeout(client.closed, PROMPTLY_MS, 'the broker to close the connection');
    assert.equal(code, 1003, 'closed as Unsupported Data');
  });

  it('publishes the will of an mqtt.js client whose WebSocket stream is destroyed [MQTT-3.1.2-8]', async () => {
    const watcher = await connectClient(broker.url);
    const inbox = new Inbox(watcher);
    await watcher.subscribeAsync('will/mqttjs', { qos: 1 });
    const connectedBefore = stats.clientsConnected;
    const client = await connectClient(`ws://127.0.0.1:${wsPort}/mqtt`, { keepalive: 0, will: { topic: 'will/mqttjs', payload: Buffer.from('gone'), qos: 1, retain: false } });
    assert.equal(stats.clientsConnected, connectedBefore + 1);
    client.stream.destroy();
    assert.equal((await inbox.waitFor(1, PROMPTLY_MS))[0].payload.toString(), 'gone');
    await eventually(() => stats.clientsConnected === connectedBefore, PROMPTLY_MS, 'the connected-client count to drop back');
    client.end(true);
    await watcher.endAsync();
  });

  it('does not publish the will after DISCONNECT 0x00 over WebSocket [MQTT-3.1.2-10]', async () => {
    const watcher = await connectClient(broker.url);
    const inbox = new Inbox(watcher);
    await watcher.subscribeAsync('will/normal', { qos: 1 });
    const connectedBefore = stats.clientsConnected;
    const client = await connectClient(`ws://127.0.0.1:${wsPort}/mqtt`, { keepalive: 0, will: { topic: 'will/normal', payload: Buffer.from('will'), qos: 1, retain: false } });
    await client.endAsync();
    await eventually(() => stats.clientsConnected === connectedBefore, PROMPTLY_MS, 'the connected-client count to drop back');
    // A will is published when the connection closes; one sent now would arrive before this marker.
    await publish(watcher, 'will/normal', 'marker', { qos: 1 });
    const [first] = await inbox.waitFor(1);
    assert.equal(first.payload.toString(), 'marker');
    await watcher.endAsync();
  });

  it('carries QoS 1 both ways over WebSocket, 1 MB payloads included [MQTT-6.0.0-2]', async () => {
    const ws = await connectClient(`ws://127.0.0.1:${wsPort}/mqtt`);
    const tcp = await connectClient(broker.url);
    const wsInbox = new Inbox(ws);
    const tcpInbox = new Inbox(tcp);
    await ws.subscribeAsync('ws-big/down', { qos: 1 });
    await tcp.subscribeAsync('ws-big/up', { qos: 1 });
    const up = randomBytes(1024 * 1024);
    const down = randomBytes(1024 * 1024);
    await publish(ws, 'ws-big/up', up, { qos: 1 });
    await publish(tcp, 'ws-big/down', down, { qos: 1 });
    const [received] = await tcpInbox.waitFor(1, 10_000);
    assert.ok(received.payload.equals(up), 'WebSocket to TCP, intact');
    const [delivered] = await wsInbox.waitFor(1, 10_000);
    assert.equal(delivered.packet.qos, 1);
    assert.ok(delivered.payload.equals(down), 'TCP to WebSocket, intact');
    // Deliveries that pile up go out together, several packets to a frame, and the client still reads them.
    await Promise.all(Array.from({ length: 20 }, (_, i) => publish(tcp, 'ws-big/down', `small ${i}`, { qos: 1 })));
    assert.equal((await wsInbox.waitFor(21, 10_000)).length, 21);
    await Promise.all([ws.endAsync(), tcp.endAsync()]);
  });

  it('reads MQTT packets split across WebSocket frames and several packets in one frame [MQTT-6.0.0-2]', async () => {
    const client = await WsMqttClient.connected(wsPort);
    client.send(subscribePacket('ws-frames/t', 1));
    await client.expect(PacketType.Suback);
    const packets = Buffer.concat([
      encodePacket(publishPacket('ws-frames/t', Buffer.from('one'), 0), 5)!,
      encodePacket(publishPacket('ws-frames/t', Buffer.from('two'), 0), 5)!,
      encodePacket({ type: PacketType.Pingreq }, 5)!,
    ]);
    for (let at = 0; at < packets.length; at += 3) client.ws.send(packets.subarray(at, at + 3), { binary: true });
    assert.equal((await client.expect(PacketType.Publish)).payload.toString(), 'one');
    assert.equal((await client.expect(PacketType.Publish)).payload.toString(), 'two');
    await client.expect(PacketType.Pingresp);
    client.send({ type: PacketType.Disconnect, reasonCode: ReasonCode.Success });
    await withTimeout(client.closed, PROMPTLY_MS, 'the broker to close after DISCONNECT');
  });

  it('bounds what a WebSocket subscriber that stops reading costs: QoS 0 beyond the limit is dropped and counted', async () => {
    const limit = broker.config.maxPendingBytes;
    const clientId = 'ws-stalled';
    const stalled = await WsMqttClient.connected(wsPort, { clientId });
    stalled.send(subscribePacket('ws-flood', 0));
    await stalled.expect(PacketType.Suback);
    stalled.ws.pause(); // stops reading: the kernel buffers fill, then the broker's
    const before = stats.droppedSlowConsumer;
    const connection = broker.app.get(SessionRegistry).get(clientId)!.connection!;
    const pub = await connectClient(broker.url);
    const payload = Buffer.alloc(16 * 1024, 'x');
    let sent = 0;
    // Batches of 1 MB, each followed by a QoS 1 PUBLISH: its PUBACK says the broker has routed the batch.
    while (stats.droppedSlowConsumer === before) {
      assert.ok(sent < limit * 8, `no slow-consumer drop after ${sent} bytes`);
      for (let i = 0; i < 64; i++) pub.publish('ws-flood', payload, { qos: 0 });
      sent += 64 * payload.length;
      await publish(pub, 'ws-flood/barrier', '', { qos: 1 });
      assert.ok(connection.pendingBytes <= limit + 2 * payload.length, `${connection.pendingBytes} bytes pending`);
    }
    // Everyone else is still served.
    const other = await connectClient(broker.url);
    const inbox = new Inbox(other);
    await other.subscribeAsync('still/served', { qos: 1 });
    await publish(other, 'still/served', 'yes', { qos: 1 });
    await inbox.waitFor(1);
    stalled.ws.terminate();
    await Promise.all([pub.endAsync(), other.endAsync()]);
  });

  it('fails to open the listeners with the cause when WS_PORT is taken, releasing those already open', async () => {
    const mqttPort = await freePort();
    const config = { ...broker.config, mqttPort, wsPort: wsPort };
    await assert.rejects(openListeners(config, {} as BrokerContext, () => assert.fail('no connection expected')), /EADDRINUSE/);
    await listenOnce(mqttPort); // the TCP listener opened before the failure was closed again
  });

  // Last: it shuts the broker down.
  it('tells a WebSocket client DISCONNECT 0x8B Server shutting down, then closes normally', async () => {
    const client = await WsMqttClient.connected(wsPort);
    shutDown = true;
    const closing = broker.close();
    const disconnect = await client.expect(PacketType.Disconnect);
    assert.equal(disconnect.reasonCode, ReasonCode.ServerShuttingDown);
    assert.equal((await withTimeout(client.closed, PROMPTLY_MS, 'close handshake')).code, 1000);
    await closing;
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function listenOnce(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}
