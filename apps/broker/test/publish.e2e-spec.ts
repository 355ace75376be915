import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { PacketType, PublishPacket, ReasonCode } from '@nestmq/mqtt-protocol';
import { Inbox, connectClient, connectWithInbox, publish } from './support/clients';
import { RawClient } from './support/raw-client';
import { TestBroker, startTestBroker } from './support/test-broker';

describe('PUBLISH at QoS 0, 1 and 2', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker();
  });
  afterAll(() => broker.close());

  for (const version of [5, 4] as const) {
    for (const qos of [0, 1, 2] as const) {
      it(`delivers QoS ${qos} end to end, in order [MQTT-4.6.0-5] (MQTT ${version === 5 ? '5.0' : '3.1.1'})`, async () => {
        const sub = await connectClient(broker.url, { protocolVersion: version });
        const inbox = new Inbox(sub);
        await sub.subscribeAsync(`order/${version}/${qos}`, { qos });
        const pub = await connectClient(broker.url, { protocolVersion: version });
        const count = 50;
        await Promise.all(Array.from({ length: count }, (_, i) => publish(pub, `order/${version}/${qos}`, String(i), { qos })));
        const got = await inbox.waitFor(count);
        assert.deepEqual(got.map((m) => m.payload.toString()), Array.from({ length: count }, (_, i) => String(i)));
        for (const m of got) assert.equal(m.packet.qos, qos);
        await Promise.all([sub.endAsync(), pub.endAsync()]);
      });
    }
  }

  it('downgrades to the granted QoS: min(published, subscribed) [MQTT-3.8.4-8]', async () => {
    const sub = await connectClient(broker.url);
    const inbox = new Inbox(sub);
    await sub.subscribeAsync('grant/q', { qos: 1 });
    const pub = await connectClient(broker.url);
    await publish(pub, 'grant/q', 'x', { qos: 2 });
    const [m] = await inbox.waitFor(1);
    assert.equal(m.packet.qos, 1);
    await Promise.all([sub.endAsync(), pub.endAsync()]);
  });

  it('acknowledges a QoS 1 PUBLISH nobody subscribed to with 0x10 No matching subscribers', async () => {
    const raw = await RawClient.connected(broker.mqttPort);
    raw.send({ type: PacketType.Publish, topic: 'nobody/here', payload: Buffer.from('x'), qos: 1, retain: false, dup: false, packetId: 7 });
    const ack = await raw.expect(PacketType.Puback);
    assert.equal(ack.packetId, 7);
    assert.equal(ack.reasonCode, ReasonCode.NoMatchingSubscribers);
    raw.destroy();
  });

  it('delivers a resent QoS 2 PUBLISH once: exactly once on the receiving side [MQTT-4.3.3-10]', async () => {
    const sub = await connectClient(broker.url);
    const inbox = new Inbox(sub);
    await sub.subscribeAsync('exactly/once', { qos: 2 });
    const raw = await RawClient.connected(broker.mqttPort);
    const packet: PublishPacket = { type: PacketType.Publish, topic: 'exactly/once', payload: Buffer.from('one'), qos: 2, retain: false, dup: false, packetId: 11 };
    raw.send(packet);
    assert.equal((await raw.expect(PacketType.Pubrec)).packetId, 11);
    raw.send({ ...packet, dup: true });
    assert.equal((await raw.expect(PacketType.Pubrec)).packetId, 11, 'the resend is acknowledged again');
    raw.send({ type: PacketType.Pubrel, packetId: 11, reasonCode: 0 });
    assert.equal((await raw.expect(PacketType.Pubcomp)).reasonCode, 0);
    // A marker published after: when it arrives, anything sent before it has arrived too [MQTT-4.6.0-5].
    raw.send({ type: PacketType.Publish, topic: 'exactly/once', payload: Buffer.from('marker'), qos: 2, retain: false, dup: false, packetId: 12 });
    await raw.expect(PacketType.Pubrec);
    raw.send({ type: PacketType.Pubrel, packetId: 12, reasonCode: 0 });
    await raw.expect(PacketType.Pubcomp);
    const got = await inbox.waitFor(2);
    assert.deepEqual(got.map((m) => m.payload.toString()), ['one', 'marker']);
    raw.destroy();
    await sub.endAsync();
  });

  it('answers PUBREL for an unknown Packet Identifier with PUBCOMP 0x92', async () => {
    const raw = await RawClient.connected(broker.mqttPort);
    raw.send({ type: PacketType.Pubrel, packetId: 999, reasonCode: 0 });
    const comp = await raw.expect(PacketType.Pubcomp);
    assert.equal(comp.reasonCode, ReasonCode.PacketIdentifierNotFound);
    raw.destroy();
  });

  it('completes the QoS 2 flow towards a subscriber: PUBLISH, PUBREC, PUBREL, PUBCOMP', async () => {
    const raw = await RawClient.connected(broker.mqttPort);
    raw.send({ type: PacketType.Subscribe, packetId: 1, subscriptions: [{ topicFilter: 'q2/out', qos: 2, noLocal: false, retainAsPublished: false, retainHandling: 0 }] });
    await raw.expect(PacketType.Suback);
    const pub = await connectClient(broker.url);
    await publish(pub, 'q2/out', 'payload', { qos: 2 });
    const delivered = await raw.expect(PacketType.Publish);
    assert.equal(delivered.qos, 2);
    assert.ok(delivered.packetId! > 0);
    raw.send({ type: PacketType.Pubrec, packetId: delivered.packetId!, reasonCode: 0 });
    const rel = await raw.expect(PacketType.Pubrel);
    assert.equal(rel.packetId, delivered.packetId);
    raw.send({ type: PacketType.Pubcomp, packetId: delivered.packetId!, reasonCode: 0 });
    raw.destroy();
    await pub.endAsync();
  });

  it('passes MQTT 5 properties through unchanged, User Properties in order [MQTT-3.3.2-17, MQTT-3.3.2-18]', async () => {
    const sub = await connectClient(broker.url);
    const inbox = new Inbox(sub);
    await sub.subscribeAsync('props/t', { qos: 1 });
    const raw = await RawClient.connected(broker.mqttPort);
    raw.send({
      type: PacketType.Publish, topic: 'props/t', payload: Buffer.from('{}'), qos: 1, retain: false, dup: false, packetId: 3,
      properties: {
        payloadFormatIndicator: true,
        contentType: 'application/json',
        responseTopic: 'reply/here',
        correlationData: Buffer.from([1, 2, 3]),
        userProperties: [['b', '2'], ['a', '1'], ['b', '3']],
      },
    });
    await raw.expect(PacketType.Puback);
    const [m] = await inbox.waitFor(1);
    const p = m.packet.properties!;
    assert.equal(p.payloadFormatIndicator, true);
    assert.equal(p.contentType, 'application/json');
    assert.equal(p.responseTopic, 'reply/here');
    assert.deepEqual([...(p.correlationData as Buffer)], [1, 2, 3]);
    assert.deepEqual({ ...p.userProperties }, { b: ['2', '3'], a: '1' });
    raw.destroy();
    await sub.endAsync();
  });

  it('keeps the order of User Properties on the wire, names repeated', async () => {
    const sub = await RawClient.connected(broker.mqttPort);
    sub.send({ type: PacketType.Subscribe, packetId: 1, subscriptions: [{ topicFilter: 'order/props', qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 0 }] });
    await sub.expect(PacketType.Suback);
    const pub = await RawClient.connected(broker.mqttPort);
    const userProperties: Array<[string, string]> = [['b', '2'], ['a', '1'], ['b', '3']];
    pub.send({ type: PacketType.Publish, topic: 'order/props', payload: Buffer.from('x'), qos: 0, retain: false, dup: false, properties: { userProperties } });
    const m = await sub.expect(PacketType.Publish);
    assert.deepEqual(m.properties?.userProperties, userProperties);
    sub.destroy();
    pub.destroy();
  });

  it('answers a QoS 1 payload that is not the UTF-8 its format indicator promises with PUBACK 0x99', async () => {
    const raw = await RawClient.connected(broker.mqttPort);
    raw.send({ type: PacketType.Publish, topic: 'utf8/bad', payload: Buffer.from([0xff, 0xfe]), qos: 1, retain: false, dup: false, packetId: 5, properties: { payloadFormatIndicator: true } });
    const ack = await raw.expect(PacketType.Puback);
    assert.equal(ack.reasonCode, ReasonCode.PayloadFormatInvalid);
    raw.destroy();
  });

  it('decrements the Message Expiry Interval of a queued message and never delivers an expired one [MQTT-3.3.2-5, MQTT-3.3.2-6]', async () => {
    // A persistent session that is offline while the messages wait.
    const sub = await connectClient(broker.url, { clientId: 'expiry-sub', clean: false, properties: { sessionExpiryInterval: 60 } });
    await sub.subscribeAsync('expiry/#', { qos: 1 });
    await sub.endAsync();
    const pub = await connectClient(broker.url);
    await publish(pub, 'expiry/short', 'gone', { qos: 1, properties: { messageExpiryInterval: 1 } });
    await publish(pub, 'expiry/long', 'kept', { qos: 1, properties: { messageExpiryInterval: 100 } });
    await new Promise((r) => setTimeout(r, 1100)); // let the 1-second message expire while queued
    const [back, inbox] = await connectWithInbox(broker.url, { clientId: 'expiry-sub', clean: false, properties: { sessionExpiryInterval: 60 } });
    await publish(pub, 'expiry/marker', 'marker', { qos: 1 });
    const got = await inbox.waitFor(2);
    assert.deepEqual(got.map((m) => m.topic), ['expiry/long', 'expiry/marker']);
    const interval = got[0].packet.properties?.messageExpiryInterval ?? 0;
    assert.ok(interval < 100 && interval >= 98, `remaining interval ${interval}`);
    await Promise.all([back.endAsync(), pub.endAsync()]);
  });
});
