import assert from 'node:assert/strict';
import { connect as tcpConnect, Socket } from 'node:net';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { PacketType, ReasonCode, encodePacket, varintSize, writeVarint } from '@nestmq/mqtt-protocol';
import { UserRepository } from '@nestmq/persistence';
import { MqttClient } from 'mqtt';
import { HISTORY_RECORDER } from '../src/history/history.module';
import { HistoryRecorder } from '../src/history/history-recorder';
import { BrokerStats } from '../src/metrics/broker-stats';
import { Router } from '../src/routing/router';
import { SessionRegistry } from '../src/session/session-registry';
import { BrokerContext } from '../src/transport/broker-context';
import { Inbox, connectClient, eventually, withTimeout } from './support/clients';
import { RawClient } from './support/raw-client';
import { TestBroker, startTestBroker } from './support/test-broker';

/**
 * A QoS 1 publisher and subscriber that keep working while others attack: every test ends with a round
 * trip through them, so an attack that stalls or kills the broker fails the test that made it.
 */
class HealthyPair {
  private sent = 0;
  private constructor(
    private readonly publisher: MqttClient,
    private readonly subscriber: MqttClient,
    private readonly inbox: Inbox,
  ) {}

  static async open(url: string): Promise<HealthyPair> {
    const subscriber = await connectClient(url, { clientId: 'healthy-sub' });
    const inbox = new Inbox(subscriber);
    await subscriber.subscribeAsync('healthy/#', { qos: 1 });
    const publisher = await connectClient(url, { clientId: 'healthy-pub' });
    return new HealthyPair(publisher, subscriber, inbox);
  }

  async roundTrip(): Promise<void> {
    const n = ++this.sent;
    await withTimeout(this.publisher.publishAsync(`healthy/${n}`, String(n), { qos: 1 }), 5000, 'PUBACK for the healthy publisher');
    const received = await this.inbox.waitFor(n, 5000);
    assert.equal(received[n - 1].payload.toString(), String(n));
  }

  async close(): Promise<void> {
    await Promise.all([this.publisher.endAsync(), this.subscriber.endAsync()]);
  }
}

function varint(n: number): Buffer {
  const bytes = Buffer.alloc(varintSize(n));
  writeVarint(bytes, 0, n);
  return bytes;
}

/** `count` empty User Properties as raw property bytes (0x26, empty name, empty value). */
function emptyUserProperties(count: number): Buffer {
  const bytes = Buffer.alloc(count * 5);
  for (let i = 0; i < count; i++) bytes[i * 5] = 0x26;
  return bytes;
}

/** A 5.0 CONNECT with a will whose properties are `willProps`, and CONNECT properties `props`. */
function connectBytes(clientId: string, props: Buffer, willProps: Buffer | null, username?: string, password?: string): Buffer {
  const flags = 0x02 | (willProps ? 0x04 : 0) | (username !== undefined ? 0x80 : 0) | (password !== undefined ? 0x40 : 0);
  const str = (s: string): Buffer => Buffer.concat([Buffer.from([Buffer.byteLength(s) >> 8, Buffer.byteLength(s) & 0xff]), Buffer.from(s)]);
  const parts = [Buffer.from([0, 4, 0x4d, 0x51, 0x54, 0x54, 5, flags, 0, 0]), varint(props.length), props, str(clientId)];
  if (willProps) parts.push(varint(willProps.length), willProps, str('will/topic'), str('bye'));
  if (username !== undefined) parts.push(str(username));
  if (password !== undefined) parts.push(str(password));
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([0x10]), varint(body.length), body]);
}

async function openSocket(port: number): Promise<Socket> {
  const socket = tcpConnect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return socket;
}

describe('hostile clients: no client ends the process or grows its memory without bound', () => {
  let broker: TestBroker;
  let healthy: HealthyPair;
  beforeAll(async () => {
    broker = await startTestBroker({ topicCacheBytes: 1024 * 1024 });
    healthy = await HealthyPair.open(broker.url);
  });
  afterAll(async () => {
    await healthy.close();
    await broker.close();
  });

  it('refuses a PUBLISH deeper than MAX_TOPIC_LEVELS with 0x90 and a subscription with 0x8F (C0)', async () => {
    const deep = '/'.repeat(20_000);
    const client = await RawClient.connected(broker.mqttPort);
    client.send({ type: PacketType.Subscribe, packetId: 1, subscriptions: [{ topicFilter: deep, qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0 }, { topicFilter: 'ok/#', qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0 }] });
    const suback = await client.expect(PacketType.Suback);
    assert.deepEqual(suback.reasonCodes, [ReasonCode.TopicFilterInvalid, 1]);
    client.send({ type: PacketType.Publish, topic: deep, qos: 0, retain: false, dup: false, payload: Buffer.from('x') });
    const disconnect = await client.expect(PacketType.Disconnect);
    assert.equal(disconnect.reasonCode, ReasonCode.TopicNameInvalid);
    await client.closed;

    const v311 = await RawClient.connected(broker.mqttPort, {}, 4);
    v311.send({ type: PacketType.Publish, topic: deep, qos: 0, retain: false, dup: false, payload: Buffer.from('x') });
    await withTimeout(v311.closed, 5000, 'a 3.1.1 client publishing too deep to be closed');
    await healthy.roundTrip();
  });

  it('matches topics of 20,000 levels without recursion when the limit allows them (C0)', async () => {
    const roomy = await startTestBroker({ maxTopicLevels: 30_000 });
    try {
      const deep = '/'.repeat(20_000);
      const subscriber = await connectClient(roomy.url);
      const inbox = new Inbox(subscriber);
      await subscriber.subscribeAsync([deep, `${'+/'.repeat(19_999)}#`], { qos: 1 });
      const publisher = await connectClient(roomy.url);
      await publisher.publishAsync(deep, 'deep', { qos: 1 });
      const [message] = await inbox.waitFor(1);
      assert.equal(message.topic, deep);
      await Promise.all([subscriber.endAsync(), publisher.endAsync()]);
    } finally {
      await roomy.close();
    }
  });

  it('answers a 65,530-byte client id asking for Response Information without throwing (C1)', async () => {
    const clientId = 'c'.repeat(65_530);
    const refused = await RawClient.open(broker.mqttPort);
    refused.send({ type: PacketType.Connect, protocolName: 'MQTT', protocolVersion: 5, clean: true, keepAlive: 0, clientId, properties: { requestResponseInformation: true } });
    assert.equal((await refused.expect(PacketType.Connack)).reasonCode, ReasonCode.ClientIdentifierNotValid, 'beyond MAX_CLIENT_ID_BYTES');

    const roomy = await startTestBroker({ maxClientIdBytes: 65_535 });
    try {
      const client = await RawClient.open(roomy.mqttPort);
      client.send({ type: PacketType.Connect, protocolName: 'MQTT', protocolVersion: 5, clean: true, keepAlive: 0, clientId, properties: { requestResponseInformation: true } });
      const connack = await client.expect(PacketType.Connack);
      assert.equal(connack.reasonCode, ReasonCode.Success);
      const info = connack.properties?.responseInformation ?? '';
      assert.match(info, /^response\//);
      assert.ok(Buffer.byteLength(info) <= 65_535);
      client.destroy();
    } finally {
      await roomy.close();
    }
    await healthy.roundTrip();
  });

  it('never sends an acknowledgement or PINGRESP larger than the client\'s Maximum Packet Size [MQTT-3.1.2-24]', async () => {
    // A client that can take no packet at all: not even its CONNACK fits, and neither does a PINGRESP.
    const stats = broker.app.get(BrokerStats);
    const droppedBefore = stats.droppedTooLarge;
    const client = await RawClient.open(broker.mqttPort);
    let received = 0;
    client.socket.on('data', (chunk: Buffer) => (received += chunk.length));
    client.send({ type: PacketType.Connect, protocolName: 'MQTT', protocolVersion: 5, clean: true, keepAlive: 0, clientId: 'tiny', properties: { maximumPacketSize: 1 } });
    client.send({ type: PacketType.Pingreq });
    await eventually(() => stats.droppedTooLarge > droppedBefore, 5000, 'the PINGRESP to be dropped as too large');
    assert.equal(received, 0);
    client.destroy();
    await healthy.roundTrip();
  });

  it('bounds a session\'s subscriptions in count and in bytes of filters with 0x97 in SUBACK', async () => {
    const small = await startTestBroker({ maxSubscriptions: 3, maxSubscriptionBytes: 2000 });
    try {
      const client = await RawClient.connected(small.mqttPort);
      const sub = (topicFilter: string) => ({ topicFilter, qos: 0 as const, noLocal: false, retainAsPublished: false, retainHandling: 0 as const });
      client.send({ type: PacketType.Subscribe, packetId: 1, subscriptions: [sub('a'), sub('x'.repeat(2000)), sub('b'), sub('c'), sub('d'), sub('a')] });
      const suback = await client.expect(PacketType.Suback);
      assert.deepEqual(suback.reasonCodes, [0, ReasonCode.QuotaExceeded, 0, 0, ReasonCode.QuotaExceeded, 0], 'a re-subscription needs no new room');
      client.send({ type: PacketType.Unsubscribe, packetId: 2, topicFilters: ['b'] });
      await client.expect(PacketType.Unsuback);
      client.send({ type: PacketType.Subscribe, packetId: 3, subscriptions: [sub('d')] });
      assert.deepEqual((await client.expect(PacketType.Suback)).reasonCodes, [0]);
      client.destroy();
    } finally {
      await small.close();
    }
  });

  it('closes a second CONNECT with a 65,530-byte Protocol Name with a short Reason String (C2)', async () => {
    const client = await RawClient.connected(broker.mqttPort);
    const name = 'N'.repeat(65_530);
    const body = Buffer.concat([Buffer.from([name.length >> 8, name.length & 0xff]), Buffer.from(name), Buffer.from([5, 2, 0, 0, 0, 0, 1, 0x63])]);
    client.sendBytes(Buffer.concat([Buffer.from([0x10]), varint(body.length), body]));
    const disconnect = await client.expect(PacketType.Disconnect);
    assert.equal(disconnect.reasonCode, ReasonCode.ProtocolError);
    assert.ok(Buffer.byteLength(disconnect.properties?.reasonString ?? '') <= 256);
    await client.closed;

    // A second CONNECT of an unknown level is refused with a code DISCONNECT may carry (not 0x84).
    const second = await RawClient.connected(broker.mqttPort);
    second.sendBytes(Buffer.from([0x10, 0x0d, 0, 4, 0x4d, 0x51, 0x54, 0x54, 9, 2, 0, 0, 0, 0, 1, 0x63]));
    assert.equal((await second.expect(PacketType.Disconnect)).reasonCode, ReasonCode.ProtocolError);
    await healthy.roundTrip();
  });

  it('refuses floods of User Properties with 0x97 before decoding them (C3)', async () => {
    const heapBefore = process.memoryUsage().heapUsed;
    const flood = emptyUserProperties(3_000_000); // 15 MB
    for (const [props, will] of [
      [flood, null],
      [Buffer.alloc(0), flood],
    ] as const) {
      for (let i = 0; i < 4; i++) {
        const client = await RawClient.open(broker.mqttPort);
        client.sendBytes(connectBytes(`flood-${i}`, props, will));
        const connack = await client.expect(PacketType.Connack, 15_000);
        assert.equal(connack.reasonCode, ReasonCode.QuotaExceeded);
        await client.closed;
      }
    }
    const grown = process.memoryUsage().heapUsed - heapBefore;
    assert.ok(grown < 150 * 1024 * 1024, `heap grew by ${Math.round(grown / 1048576)} MiB`);
    await healthy.roundTrip();
  });

  it('keeps its route cache within TOPIC_CACHE_BYTES under a flood of distinct 60 KB topics (C4)', async () => {
    const flooder = await RawClient.connected(broker.mqttPort);
    const level = 'x'.repeat(60_000);
    for (let i = 0; i < 300; i++) {
      flooder.send({ type: PacketType.Publish, topic: `${level}/${i}`, qos: 0, retain: false, dup: false, payload: Buffer.from('p') });
    }
    flooder.send({ type: PacketType.Publish, topic: 'flood/done', qos: 1, packetId: 1, retain: false, dup: false, payload: Buffer.from('p') });
    await flooder.expect(PacketType.Puback, 15_000);
    const router = broker.app.get(Router);
    assert.ok(router.routeCacheBytes <= 1024 * 1024, `route cache holds ${router.routeCacheBytes} bytes`);
    flooder.destroy();
    await healthy.roundTrip();
  });

  it('refuses Topic Aliases that would hold more than MAX_TOPIC_ALIAS_BYTES of topics with 0x97', async () => {
    const client = await RawClient.connected(broker.mqttPort);
    const level = 'a'.repeat(60_000);
    let disconnect;
    for (let alias = 1; alias <= 100 && disconnect === undefined; alias++) {
      client.send({ type: PacketType.Publish, topic: `${level}/${alias}`, qos: 0, retain: false, dup: false, payload: Buffer.from('p'), properties: { topicAlias: alias } });
      if (alias % 10 === 0) {
        client.send({ type: PacketType.Pingreq });
        const reply = await client.next(10_000);
        if (reply.type === PacketType.Disconnect) disconnect = reply;
      }
    }
    assert.equal(disconnect?.reasonCode, ReasonCode.QuotaExceeded);
    await healthy.roundTrip();
  });

  it('closes only the connection whose packet hit an unexpected error: 0x83, counted, the process and others unharmed', async () => {
    // A fault injected where no input reaches today: the boundary must hold for the bugs not found yet.
    const router = broker.app.get(Router);
    const publish = router.publish.bind(router);
    router.publish = (message) => {
      if (message.topic === 'inject/fault') throw new TypeError('injected fault');
      return publish(message);
    };
    try {
      const stats = broker.app.get(BrokerStats);
      const before = stats.internalErrors;
      const victim = await RawClient.connected(broker.mqttPort);
      victim.send({ type: PacketType.Publish, topic: 'inject/fault', qos: 1, packetId: 7, retain: false, dup: false, payload: Buffer.from('x') });
      const disconnect = await victim.expect(PacketType.Disconnect);
      assert.equal(disconnect.reasonCode, ReasonCode.ImplementationSpecificError);
      await victim.closed;
      assert.equal(stats.internalErrors, before + 1);

      const v311 = await RawClient.connected(broker.mqttPort, {}, 4);
      v311.send({ type: PacketType.Publish, topic: 'inject/fault', qos: 0, retain: false, dup: false, payload: Buffer.from('x') });
      await withTimeout(v311.closed, 5000, 'the 3.1.1 connection to be closed');
      assert.equal(stats.internalErrors, before + 2);
    } finally {
      router.publish = publish;
    }
    await healthy.roundTrip();
  });

  it('stops reading from a client that sends and never reads what it is answered, until it reads again', async () => {
    const limited = await startTestBroker({ maxPendingBytes: 256 * 1024, historyTopics: [] });
    try {
      const client = await RawClient.connected(limited.mqttPort, { clientId: 'deaf' });
      client.socket.pause();
      const pings = Buffer.alloc(1024 * 1024);
      for (let i = 0; i < pings.length; i += 2) pings[i] = 0xc0;
      // PINGREQ after PINGREQ, each asking for a PINGRESP the client never reads, until the broker has
      // more waiting for the client than MAX_PENDING_BYTES and stops reading from it.
      const connection = limited.app.get(SessionRegistry).get('deaf')!.connection!;
      let sent = 0;
      const deadline = Date.now() + 60_000;
      while (!connection.readingStopped && sent < 100 && Date.now() < deadline) {
        if (client.socket.writableLength < 2 * 1024 * 1024) {
          client.socket.write(pings);
          sent++;
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.equal(connection.readingStopped, true, `reading went on after ${sent} MB`);
      // From then on nothing more is read while the client does not read: what waits for it stays where
      // it was, over the bound by at most the answers to one event-loop turn's reads.
      const stats = limited.app.get(BrokerStats);
      const receivedWhenStopped = stats.bytesReceived;
      const waitingWhenStopped = connection.socket.writableLength;
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(stats.bytesReceived, receivedWhenStopped, 'the broker read on while the client did not read');
      assert.ok(connection.socket.writableLength <= waitingWhenStopped);
      let answered = 0;
      client.socket.removeAllListeners('data');
      client.socket.on('data', (chunk: Buffer) => (answered += chunk.length));
      client.socket.resume();
      await eventually(() => answered === sent * 1024 * 1024, 60_000, 'every PINGRESP once the client reads');
      client.destroy();
    } finally {
      await limited.close();
    }
    await healthy.roundTrip();
  });

  it('closes the connection whose unfinished CONNECT would pass MAX_CONNECTING_BYTES, and frees what closed ones held', async () => {
    const small = await startTestBroker({ maxConnectingBytes: 1024 * 1024 });
    const slow: Socket[] = [];
    try {
      const context = small.app.get(BrokerContext);
      // A CONNECT announcing 2 MiB, which MAX_PACKET_SIZE allows, of which 300,000 bytes arrive.
      const partial = Buffer.concat([Buffer.from([0x10]), varint(2 * 1024 * 1024), Buffer.alloc(300_000)]);
      for (let i = 1; i <= 3; i++) {
        const socket = await openSocket(small.mqttPort);
        socket.write(partial);
        slow.push(socket);
        await eventually(() => context.connectingBytes.held === i * partial.length, 5000, `${i} unfinished CONNECTs held`);
      }
      const fourth = await openSocket(small.mqttPort);
      const closed = new Promise<void>((resolve) => fourth.once('close', () => resolve()));
      fourth.write(partial);
      await withTimeout(closed, 5000, 'the connection passing MAX_CONNECTING_BYTES to be closed');
      assert.equal(small.app.get(BrokerStats).connectsRefusedConnectingBytes, 1);
      assert.equal(context.connectingBytes.held, 3 * partial.length, 'the refused connection holds nothing');
      assert.ok(slow.every((s) => !s.destroyed), 'the connections within the bound stay open');

      // A CONNECT that arrives whole is never held: clients still get in.
      const client = await connectClient(small.url, { clientId: 'whole-connect' });
      await client.endAsync();

      for (const s of slow.splice(0)) s.destroy();
      await eventually(() => context.connectingBytes.held === 0, 5000, 'closed connections to give back what they held');
      const again = await openSocket(small.mqttPort);
      slow.push(again);
      again.write(partial);
      await eventually(() => context.connectingBytes.held === partial.length, 5000, 'a new unfinished CONNECT held');
      assert.equal(again.destroyed, false);
    } finally {
      for (const s of slow) s.destroy();
      await small.close();
    }
  });

  it('refuses a retained PUBLISH beyond MAX_RETAINED_MESSAGES or MAX_RETAINED_BYTES with 0x97 (R4)', async () => {
    const small = await startTestBroker({ maxRetainedMessages: 3, maxRetainedBytes: 10_000 });
    try {
      const client = await RawClient.connected(small.mqttPort);
      let id = 0;
      const retain = async (topic: string, payload: Buffer): Promise<number> => {
        client.send({ type: PacketType.Publish, topic, qos: 1, packetId: ++id, retain: true, dup: false, payload });
        return (await client.expect(PacketType.Puback)).reasonCode;
      };
      for (const t of ['r/1', 'r/2', 'r/3']) assert.ok((await retain(t, Buffer.from('v'))) < 0x80);
      assert.equal(await retain('r/4', Buffer.from('v')), ReasonCode.QuotaExceeded, 'a fourth topic');
      assert.ok((await retain('r/1', Buffer.from('new'))) < 0x80, 'replacing a topic needs no new room');
      assert.equal(await retain('r/2', Buffer.alloc(20_000)), ReasonCode.QuotaExceeded, 'over the byte bound');
      assert.ok((await retain('r/3', Buffer.alloc(0))) < 0x80, 'clearing one makes room');
      assert.ok((await retain('r/4', Buffer.from('v'))) < 0x80);
      assert.equal(small.app.get(Router).retained.size, 3);
      assert.equal(small.app.get(BrokerStats).retainedRefused, 2);

      const subscriber = await connectClient(small.url);
      const inbox = new Inbox(subscriber);
      await subscriber.subscribeAsync('r/#');
      assert.deepEqual((await inbox.waitFor(3)).map((m) => `${m.topic}=${m.payload.toString()}`).sort(), ['r/1=new', 'r/2=v', 'r/4=v']);

      client.send({ type: PacketType.Publish, topic: 'r/5', qos: 0, retain: true, dup: false, payload: Buffer.from('v') });
      assert.equal((await client.expect(PacketType.Disconnect)).reasonCode, ReasonCode.QuotaExceeded, 'at QoS 0 the refusal is a DISCONNECT');
      await subscriber.endAsync();
    } finally {
      await small.close();
    }
    await healthy.roundTrip();
  });

  it('publishes the will of a client that half-closes while never reading what it is owed', async () => {
    const roomy = await startTestBroker({ maxPendingBytes: 256 * 1024 * 1024, historyTopics: [] });
    try {
      const watcher = await connectClient(roomy.url);
      const wills = new Inbox(watcher);
      await watcher.subscribeAsync('wills/#', { qos: 1 });
      const victim = await RawClient.connected(roomy.mqttPort, {
        clientId: 'half-closed',
        will: { topic: 'wills/half-closed', payload: Buffer.from('gone'), qos: 1, retain: false },
      });
      victim.send({ type: PacketType.Subscribe, packetId: 1, subscriptions: [{ topicFilter: 'bulk', qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 0 }] });
      await victim.expect(PacketType.Suback);
      victim.socket.pause();
      // More than the kernel buffers hold, so the broker keeps output it cannot flush to this client.
      const publisher = await connectClient(roomy.url);
      for (let i = 0; i < 40; i++) await publisher.publishAsync('bulk', Buffer.alloc(1024 * 1024), { qos: 1 });
      victim.socket.end();
      const [will] = await wills.waitFor(1, 10_000);
      assert.equal(will.topic, 'wills/half-closed');
      victim.destroy();
      await Promise.all([watcher.endAsync(), publisher.endAsync()]);
    } finally {
      await roomy.close();
    }
    await healthy.roundTrip();
  });

  it('drops history beyond HISTORY_BUFFER_BYTES and counts it, instead of buffering 1 MB messages without bound (R1)', async () => {
    const small = await startTestBroker({ historyBufferBytes: 4 * 1024 * 1024 });
    try {
      const recorder = small.app.get<HistoryRecorder>(HISTORY_RECORDER);
      const client = await RawClient.connected(small.mqttPort);
      const megabyte = Buffer.alloc(1024 * 1024, 7);
      let peak = 0;
      const sample = setInterval(() => (peak = Math.max(peak, recorder.bufferedBytes)), 1);
      // One write: the broker reads them within a few turns, faster than any database takes 40 MB.
      const publishes = Array.from({ length: 40 }, () => encodePacket({ type: PacketType.Publish, topic: 'big', qos: 0, retain: false, dup: false, payload: megabyte }, 5)!);
      client.sendBytes(Buffer.concat(publishes));
      client.send({ type: PacketType.Publish, topic: 'done', qos: 1, packetId: 1, retain: false, dup: false, payload: Buffer.from('x') });
      await client.expect(PacketType.Puback, 20_000);
      clearInterval(sample);
      assert.ok(recorder.dropped > 0, 'some were dropped and counted');
      assert.ok(peak <= 4 * 1024 * 1024, `${peak} bytes buffered at the peak`);
      await recorder.flush();
      assert.equal(recorder.recorded + recorder.dropped, 41);
      client.destroy();
    } finally {
      await small.close();
    }
    await healthy.roundTrip();
  });

  it('keeps at most MAX_QUEUED_BYTES of messages for an offline session, and at most MAX_SESSIONS sessions (R2, R3)', async () => {
    const small = await startTestBroker({ maxQueuedBytes: 3.5 * 1024 * 1024, maxSessions: 3 });
    try {
      const offline = await RawClient.connected(small.mqttPort, { clientId: 'away', properties: { sessionExpiryInterval: 60 } });
      offline.send({ type: PacketType.Subscribe, packetId: 1, subscriptions: [{ topicFilter: 'q', qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0 }] });
      await offline.expect(PacketType.Suback);
      offline.send({ type: PacketType.Disconnect, reasonCode: 0 });
      await offline.closed;
      const publisher = await connectClient(small.url, { clientId: 'pub' });
      for (let i = 0; i < 10; i++) await publisher.publishAsync('q', Buffer.alloc(1024 * 1024, i), { qos: 1 });
      const session = small.app.get(SessionRegistry).get('away')!;
      assert.equal(session.outbound.queued, 3);
      assert.ok(session.outbound.heldBytes <= 3.5 * 1024 * 1024);

      // Two sessions exist ('away', 'pub'): a third fits, a fourth is refused.
      const third = await RawClient.connected(small.mqttPort, { clientId: 'third' });
      const fourth = await RawClient.open(small.mqttPort);
      fourth.send({ type: PacketType.Connect, protocolName: 'MQTT', protocolVersion: 5, clean: true, keepAlive: 0, clientId: 'fourth' });
      assert.equal((await fourth.expect(PacketType.Connack)).reasonCode, ReasonCode.QuotaExceeded);
      const again = await RawClient.connected(small.mqttPort, { clientId: 'away', clean: false, properties: { sessionExpiryInterval: 60 } });
      for (let i = 0; i < 3; i++) assert.equal((await again.expect(PacketType.Publish)).payload[0], i, 'the oldest three, in order');
      third.destroy();
      again.destroy();
      await publisher.endAsync();
    } finally {
      await small.close();
    }
    await healthy.roundTrip();
  });

  it('holds at most MAX_INFLIGHT_MESSAGES unacknowledged for a client announcing Receive Maximum 65,535 (R2)', async () => {
    const capped = await startTestBroker({ maxInflightMessages: 10 });
    try {
      const subscriber = await RawClient.connected(capped.mqttPort, { clean: true, properties: { receiveMaximum: 65_535 } });
      subscriber.send({ type: PacketType.Subscribe, packetId: 1, subscriptions: [{ topicFilter: 'r2/#', qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0 }] });
      await subscriber.expect(PacketType.Suback);
      const publisher = await connectClient(capped.url);
      for (let i = 0; i < 30; i++) await publisher.publishAsync(`r2/${i}`, String(i), { qos: 1 });
      const received: number[] = [];
      for (let i = 0; i < 10; i++) received.push((await subscriber.expect(PacketType.Publish)).packetId!);
      await assert.rejects(subscriber.next(300), /timed out/, 'the eleventh waits for an acknowledgement');
      subscriber.send({ type: PacketType.Puback, packetId: received[0], reasonCode: 0 });
      const next = await subscriber.expect(PacketType.Publish);
      assert.equal(next.payload.toString(), '10');
      subscriber.destroy();
      await publisher.endAsync();
    } finally {
      await capped.close();
    }
  });
});

describe('hostile clients: pending authentications are bounded and cancelled', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker(
      { allowAnonymous: false, maxPendingConnects: 4, maxPendingConnectsPerAddress: 2, bcryptCost: 13, bcryptThreads: 1 },
      { ALLOW_ANONYMOUS: 'false' },
    );
    await broker.app.get(UserRepository).create({ username: 'honest', password: 'right' });
  });
  afterAll(() => broker.close());

  it('refuses CONNECTs beyond the per-address bound with 0x89 and cancels the checks of closed sockets (C3, A3)', async () => {
    const context = broker.app.get(BrokerContext);
    const waiting = await Promise.all([openSocket(broker.mqttPort), openSocket(broker.mqttPort)]);
    waiting.forEach((s, i) => s.write(connectBytes(`guess-${i}`, Buffer.alloc(0), null, `nobody-${i}`, 'wrong')));
    await eventually(() => context.pendingAuthentications.size === 2, 5000, 'two CONNECTs awaiting their password check');

    const third = await RawClient.open(broker.mqttPort);
    third.sendBytes(connectBytes('guess-3', Buffer.alloc(0), null, 'nobody-3', 'wrong'));
    const busy = await third.expect(PacketType.Connack, 2000);
    assert.equal(busy.reasonCode, ReasonCode.ServerBusy);
    assert.equal(broker.app.get(BrokerStats).connectsRefusedBusy, 1);

    for (const s of waiting) s.destroy();
    await eventually(() => context.pendingAuthentications.size === 0, 5000, 'closed sockets to give up their places');
    const honest = await connectClient(broker.url, { username: 'honest', password: 'right' });
    assert.equal(honest.connected, true);
    await honest.endAsync();
  });
});
