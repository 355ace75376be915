import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { PacketType, PublishPacket, ReasonCode } from '@nestmq/mqtt-protocol';
import { BrokerStats } from '../src/metrics/broker-stats';
import { Inbox, connectClient, eventually, publish } from './support/clients';
import { RawClient } from './support/raw-client';
import { TestBroker, startTestBroker } from './support/test-broker';

const publishPacket = (topic: string, payload: string, qos: 0 | 1 | 2, packetId?: number): PublishPacket => ({
  type: PacketType.Publish, topic, payload: Buffer.from(payload), qos, retain: false, dup: false, ...(qos > 0 ? { packetId } : {}),
});

describe('flow control, packet size limits and topic aliases', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker({ receiveMaximum: 2, topicAliasMaximum: 4, maxPacketSize: 1024 });
  });
  afterAll(() => broker.close());

  it('never has more unacknowledged QoS 1 messages towards a client than its Receive Maximum [MQTT-3.3.4-9]', async () => {
    const raw = await RawClient.connected(broker.mqttPort, { properties: { receiveMaximum: 3 } });
    raw.send({ type: PacketType.Subscribe, packetId: 1, subscriptions: [{ topicFilter: 'rm/t', qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0 }] });
    await raw.expect(PacketType.Suback);
    const pub = await connectClient(broker.url);
    for (let i = 0; i < 10; i++) await publish(pub, 'rm/t', String(i), { qos: 1 });
    const window = [await raw.expect(PacketType.Publish), await raw.expect(PacketType.Publish), await raw.expect(PacketType.Publish)];
    assert.deepEqual(window.map((p) => p.payload.toString()), ['0', '1', '2']);
    // Ping: the PINGRESP comes back before any fourth PUBLISH, since the window is full.
    raw.send({ type: PacketType.Pingreq });
    await raw.expect(PacketType.Pingresp);
    const received: string[] = window.map((p) => p.payload.toString());
    let inFlight = window.map((p) => p.packetId!);
    while (received.length < 10) {
      raw.send({ type: PacketType.Puback, packetId: inFlight.shift()!, reasonCode: 0 });
      const next = await raw.expect(PacketType.Publish);
      received.push(next.payload.toString());
      inFlight.push(next.packetId!);
      assert.ok(inFlight.length <= 3);
      raw.send({ type: PacketType.Pingreq });
      await raw.expect(PacketType.Pingresp);
    }
    assert.deepEqual(received, Array.from({ length: 10 }, (_, i) => String(i)), 'in order [MQTT-4.6.0-5]');
    raw.destroy();
    await pub.endAsync();
  });

  it('disconnects a client that exceeds our Receive Maximum with 0x93 [MQTT-3.3.4-8]', async () => {
    const raw = await RawClient.connected(broker.mqttPort);
    for (let id = 1; id <= 3; id++) raw.send(publishPacket('rm/in', 'x', 2, id)); // never PUBREL'd
    await raw.expect(PacketType.Pubrec);
    await raw.expect(PacketType.Pubrec);
    const disconnect = await raw.expect(PacketType.Disconnect);
    assert.equal(disconnect.reasonCode, ReasonCode.ReceiveMaximumExceeded);
    await raw.closed;
  });

  it('rejects a packet above our Maximum Packet Size with DISCONNECT 0x95 [MQTT-3.2.2-15]', async () => {
    const raw = await RawClient.connected(broker.mqttPort);
    raw.send(publishPacket('big', 'x'.repeat(2000), 0));
    assert.equal((await raw.expect(PacketType.Disconnect)).reasonCode, ReasonCode.PacketTooLarge);
    await raw.closed;
  });

  it('never sends a client a packet above its Maximum Packet Size: dropped and counted [MQTT-3.1.2-24]', async () => {
    const raw = await RawClient.connected(broker.mqttPort, { properties: { maximumPacketSize: 100 } });
    raw.send({ type: PacketType.Subscribe, packetId: 1, subscriptions: [{ topicFilter: 'mps/+', qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0 }] });
    await raw.expect(PacketType.Suback);
    const stats = broker.app.get(BrokerStats);
    const before = stats.droppedTooLarge;
    const pub = await connectClient(broker.url);
    await publish(pub, 'mps/big', 'x'.repeat(200), { qos: 1 });
    await publish(pub, 'mps/small', 'fits', { qos: 1 });
    const got = await raw.expect(PacketType.Publish);
    assert.equal(got.topic, 'mps/small');
    assert.equal(stats.droppedTooLarge, before + 1);
    raw.destroy();
    await pub.endAsync();
  });

  it('resolves client-to-server Topic Aliases, per connection [MQTT-3.3.2-7]', async () => {
    const sub = await connectClient(broker.url);
    const inbox = new Inbox(sub);
    await sub.subscribeAsync('alias/#', { qos: 0 });
    const raw = await RawClient.connected(broker.mqttPort);
    raw.send({ ...publishPacket('alias/one', 'a', 0), properties: { topicAlias: 1 } });
    raw.send({ ...publishPacket('', 'b', 0), properties: { topicAlias: 1 } });
    raw.send({ ...publishPacket('alias/two', 'c', 0), properties: { topicAlias: 1 } });
    raw.send({ ...publishPacket('', 'd', 0), properties: { topicAlias: 1 } });
    const got = await inbox.waitFor(4);
    assert.deepEqual(got.map((m) => `${m.topic}=${m.payload}`), ['alias/one=a', 'alias/one=b', 'alias/two=c', 'alias/two=d']);
    for (const m of got) assert.equal(m.packet.properties?.topicAlias, undefined, 'the sender alias is not forwarded');
    raw.destroy();
    await sub.endAsync();
  });

  it('uses server-to-client Topic Aliases up to the client maximum, and none when it allows none', async () => {
    const raw = await RawClient.connected(broker.mqttPort, { properties: { topicAliasMaximum: 1 } });
    raw.send({ type: PacketType.Subscribe, packetId: 1, subscriptions: [{ topicFilter: 'out-alias/+', qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0 }] });
    await raw.expect(PacketType.Suback);
    const plain = await RawClient.connected(broker.mqttPort);
    plain.send({ type: PacketType.Subscribe, packetId: 1, subscriptions: [{ topicFilter: 'out-alias/+', qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 0 }] });
    await plain.expect(PacketType.Suback);
    const pub = await connectClient(broker.url);
    for (const [topic, qos] of [['out-alias/a', 0], ['out-alias/a', 1], ['out-alias/a', 2], ['out-alias/b', 0]] as const) {
      await publish(pub, topic, 'x', { qos });
    }
    const got: PublishPacket[] = [];
    for (let i = 0; i < 4; i++) {
      const p = await raw.expect(PacketType.Publish);
      got.push(p);
      if (p.qos === 1) raw.send({ type: PacketType.Puback, packetId: p.packetId!, reasonCode: 0 });
      if (p.qos === 2) raw.send({ type: PacketType.Pubrec, packetId: p.packetId!, reasonCode: 0 });
    }
    assert.deepEqual(got.map((p) => [p.topic, p.properties?.topicAlias]), [
      ['out-alias/a', 1],
      ['', 1],
      ['', 1],
      ['out-alias/b', undefined], // the one alias the client allows is taken
    ]);
    for (let i = 0; i < 4; i++) {
      const p = await plain.expect(PacketType.Publish);
      assert.equal(p.properties?.topicAlias, undefined, 'a client that allows no alias gets none');
      assert.notEqual(p.topic, '');
    }
    raw.destroy();
    plain.destroy();
    await pub.endAsync();
  });

  it('disconnects with 0x94 for a Topic Alias above the maximum [MQTT-3.3.2-9]', async () => {
    const raw = await RawClient.connected(broker.mqttPort);
    raw.send({ ...publishPacket('t', 'x', 0), properties: { topicAlias: 5 } });
    assert.equal((await raw.expect(PacketType.Disconnect)).reasonCode, ReasonCode.TopicAliasInvalid);
    await raw.closed;
  });

  it('disconnects with 0x82 for an alias that was never set', async () => {
    const raw = await RawClient.connected(broker.mqttPort);
    raw.send({ ...publishPacket('', 'x', 0), properties: { topicAlias: 3 } });
    assert.equal((await raw.expect(PacketType.Disconnect)).reasonCode, ReasonCode.ProtocolError);
    await raw.closed;
  });

  it('bounds what a subscriber that stops reading costs: QoS 0 beyond the limit is dropped and counted', async () => {
    const limit = broker.config.maxPendingBytes;
    const stalled = await RawClient.connected(broker.mqttPort);
    stalled.send({ type: PacketType.Subscribe, packetId: 1, subscriptions: [{ topicFilter: 'flood', qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 0 }] });
    await stalled.expect(PacketType.Suback);
    stalled.socket.pause(); // stops reading: the kernel buffers fill, then the broker's
    const stats = broker.app.get(BrokerStats);
    const before = stats.droppedSlowConsumer;
    const pub = await RawClient.connected(broker.mqttPort);
    const payload = 'x'.repeat(900);
    const total = Math.ceil((limit * 3) / 900);
    for (let i = 0; i < total; i++) pub.send(publishPacket('flood', payload, 0));
    await eventually(() => stats.droppedSlowConsumer > before, 20_000, 'slow-consumer drops');
    // Everyone else is still served.
    const other = await connectClient(broker.url);
    const inbox = new Inbox(other);
    await other.subscribeAsync('still/served', { qos: 1 });
    await publish(other, 'still/served', 'yes', { qos: 1 });
    await inbox.waitFor(1);
    stalled.destroy();
    pub.destroy();
    await other.endAsync();
  });
});
