import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { PacketType, ReasonCode, Subscription } from '@nestmq/mqtt-protocol';
import { Inbox, connectClient, publish } from './support/clients';
import { RawClient } from './support/raw-client';
import { TestBroker, startTestBroker } from './support/test-broker';

const sub = (topicFilter: string, options: Partial<Subscription> = {}): Subscription => ({
  topicFilter, qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 0, ...options,
});

describe('SUBSCRIBE, UNSUBSCRIBE and retained messages', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker();
  });
  afterAll(() => broker.close());

  it('matches wildcards and keeps $ topics away from filters starting with a wildcard [MQTT-4.7.2-1]', async () => {
    const client = await connectClient(broker.url);
    const inbox = new Inbox(client);
    await client.subscribeAsync(['wild/+/x', 'wild/deep/#', '#'], { qos: 0 });
    const pub = await connectClient(broker.url);
    await publish(pub, '$internal/x', 'hidden');
    await publish(pub, 'wild/a/x', '1');
    await publish(pub, 'wild/deep', '2');
    await publish(pub, 'wild/a/y', '3');
    const got = await inbox.waitFor(3);
    // '#' matches all three; wild/+/x and wild/deep/# overlap with it: one copy each.
    assert.deepEqual(got.map((m) => m.payload.toString()), ['1', '2', '3']);
    await Promise.all([client.endAsync(), pub.endAsync()]);
  });

  it('answers each filter in SUBACK: granted QoS or 0x8F for an invalid filter', async () => {
    const raw = await RawClient.connected(broker.mqttPort);
    raw.send({ type: PacketType.Subscribe, packetId: 4, subscriptions: [sub('ok/+', { qos: 2 }), sub('bad/#/x', { qos: 1 }), sub('a+', { qos: 1 }), sub('$share/g/ok', { qos: 1 })] });
    const suback = await raw.expect(PacketType.Suback);
    assert.equal(suback.packetId, 4);
    assert.deepEqual(suback.reasonCodes, [2, ReasonCode.TopicFilterInvalid, ReasonCode.TopicFilterInvalid, 1]);
    raw.destroy();
  });

  it('answers an invalid filter from a 3.1.1 client with 0x80', async () => {
    const raw = await RawClient.connected(broker.mqttPort, {}, 4);
    raw.send({ type: PacketType.Subscribe, packetId: 4, subscriptions: [sub('x/#/y', { qos: 1 }), sub('y', { qos: 1 })] });
    assert.deepEqual((await raw.expect(PacketType.Suback)).reasonCodes, [0x80, 1]);
    raw.destroy();
  });

  it('answers UNSUBSCRIBE per filter: 0x00, or 0x11 when there was no such subscription', async () => {
    const raw = await RawClient.connected(broker.mqttPort);
    raw.send({ type: PacketType.Subscribe, packetId: 1, subscriptions: [sub('u/1')] });
    await raw.expect(PacketType.Suback);
    raw.send({ type: PacketType.Unsubscribe, packetId: 2, topicFilters: ['u/1', 'u/2'] });
    const unsuback = await raw.expect(PacketType.Unsuback);
    assert.equal(unsuback.packetId, 2);
    assert.deepEqual(unsuback.reasonCodes, [ReasonCode.Success, ReasonCode.NoSubscriptionExisted]);
    raw.destroy();
  });

  it('does not send a client its own messages on a No Local subscription [MQTT-3.8.3-3]', async () => {
    const client = await connectClient(broker.url);
    const inbox = new Inbox(client);
    await client.subscribeAsync('nolocal/t', { qos: 1, nl: true });
    const other = await connectClient(broker.url);
    await publish(client, 'nolocal/t', 'mine', { qos: 1 });
    await publish(other, 'nolocal/t', 'theirs', { qos: 1 });
    const got = await inbox.waitFor(1);
    assert.deepEqual(got.map((m) => m.payload.toString()), ['theirs']);
    await Promise.all([client.endAsync(), other.endAsync()]);
  });

  it('keeps RETAIN as published only for Retain As Published subscriptions [MQTT-3.3.1-12, MQTT-3.3.1-13]', async () => {
    const plain = await connectClient(broker.url);
    const plainInbox = new Inbox(plain);
    await plain.subscribeAsync('rap/t', { qos: 0 });
    const rap = await connectClient(broker.url);
    const rapInbox = new Inbox(rap);
    await rap.subscribeAsync('rap/t', { qos: 0, rap: true });
    const pub = await connectClient(broker.url);
    await publish(pub, 'rap/t', 'r', { retain: true });
    assert.equal((await plainInbox.waitFor(1))[0].packet.retain, false);
    assert.equal((await rapInbox.waitFor(1))[0].packet.retain, true);
    await publish(pub, 'rap/t', '', { retain: true });
    await Promise.all([plain.endAsync(), rap.endAsync(), pub.endAsync()]);
  });

  it('sends retained messages on subscribe with RETAIN set, as Retain Handling 0, 1 and 2 say [MQTT-3.3.1-9..11]', async () => {
    const pub = await connectClient(broker.url);
    await publish(pub, 'retained/a', 'A', { retain: true, qos: 1 });
    await publish(pub, 'retained/b', 'B', { retain: true, qos: 1 });
    const raw = await RawClient.connected(broker.mqttPort);
    raw.send({ type: PacketType.Subscribe, packetId: 1, subscriptions: [sub('retained/+', { qos: 1, retainHandling: 0 })] });
    await raw.expect(PacketType.Suback);
    const first = [await raw.expect(PacketType.Publish), await raw.expect(PacketType.Publish)];
    assert.deepEqual(first.map((p) => p.payload.toString()).sort(), ['A', 'B']);
    for (const p of first) {
      assert.equal(p.retain, true);
      raw.send({ type: PacketType.Puback, packetId: p.packetId!, reasonCode: 0 });
    }
    // Retain Handling 1: the subscription exists now, so nothing is sent again.
    raw.send({ type: PacketType.Subscribe, packetId: 2, subscriptions: [sub('retained/+', { qos: 1, retainHandling: 1 })] });
    await raw.expect(PacketType.Suback);
    // Retain Handling 2: never.
    raw.send({ type: PacketType.Subscribe, packetId: 3, subscriptions: [sub('retained/a', { qos: 1, retainHandling: 2 })] });
    await raw.expect(PacketType.Suback);
    // Retain Handling 0 again: sent again.
    raw.send({ type: PacketType.Subscribe, packetId: 4, subscriptions: [sub('retained/b', { qos: 1, retainHandling: 0 })] });
    await raw.expect(PacketType.Suback);
    const again = await raw.expect(PacketType.Publish);
    assert.equal(again.payload.toString(), 'B', 'only the Retain Handling 0 subscription got a retained message');
    raw.destroy();
    await publish(pub, 'retained/a', '', { retain: true, qos: 1 });
    await publish(pub, 'retained/b', '', { retain: true, qos: 1 });
    await pub.endAsync();
  });

  it('deletes a retained message on an empty retained PUBLISH [MQTT-3.3.1-6]', async () => {
    const pub = await connectClient(broker.url);
    await publish(pub, 'retained/del', 'x', { retain: true, qos: 1 });
    await publish(pub, 'retained/del', '', { retain: true, qos: 1 });
    await publish(pub, 'retained/keep', 'k', { retain: true, qos: 1 });
    const raw = await RawClient.connected(broker.mqttPort);
    raw.send({ type: PacketType.Subscribe, packetId: 1, subscriptions: [sub('retained/del'), sub('retained/keep')] });
    await raw.expect(PacketType.Suback);
    assert.equal((await raw.expect(PacketType.Publish)).topic, 'retained/keep');
    raw.destroy();
    await publish(pub, 'retained/keep', '', { retain: true, qos: 1 });
    await pub.endAsync();
  });

  it('delivers one copy to overlapping subscriptions, at the highest QoS, with every Subscription Identifier', async () => {
    const raw = await RawClient.connected(broker.mqttPort);
    raw.send({ type: PacketType.Subscribe, packetId: 1, properties: { subscriptionIdentifiers: [3] }, subscriptions: [sub('ids/+', { qos: 0 })] });
    await raw.expect(PacketType.Suback);
    raw.send({ type: PacketType.Subscribe, packetId: 2, properties: { subscriptionIdentifiers: [7] }, subscriptions: [sub('ids/#', { qos: 1 })] });
    await raw.expect(PacketType.Suback);
    const pub = await connectClient(broker.url);
    await publish(pub, 'ids/x', 'both', { qos: 1 });
    await publish(pub, 'ids/x/y', 'one', { qos: 1 });
    const both = await raw.expect(PacketType.Publish);
    assert.equal(both.payload.toString(), 'both');
    assert.equal(both.qos, 1);
    assert.deepEqual([...both.properties!.subscriptionIdentifiers!].sort(), [3, 7]);
    raw.send({ type: PacketType.Puback, packetId: both.packetId!, reasonCode: 0 });
    const one = await raw.expect(PacketType.Publish);
    assert.equal(one.payload.toString(), 'one');
    assert.deepEqual(one.properties!.subscriptionIdentifiers, [7]);
    raw.destroy();
    await pub.endAsync();
  });

  it('shares a $share group: each message to one member, all messages to the group [MQTT-4.8.2]', async () => {
    const members = await Promise.all([connectClient(broker.url), connectClient(broker.url), connectClient(broker.url)]);
    const inboxes = members.map((m) => new Inbox(m));
    await Promise.all(members.map((m) => m.subscribeAsync('$share/workers/jobs/+', { qos: 1 })));
    const outsider = await connectClient(broker.url);
    const outsiderInbox = new Inbox(outsider);
    await outsider.subscribeAsync('jobs/+', { qos: 1 });
    const pub = await connectClient(broker.url);
    const count = 30;
    for (let i = 0; i < count; i++) await publish(pub, `jobs/${i}`, String(i), { qos: 1 });
    await outsiderInbox.waitFor(count);
    const total = (): number => inboxes.reduce((n, inbox) => n + inbox.messages.length, 0);
    await Promise.all(inboxes.map((inbox) => inbox.waitFor(1)));
    assert.equal(total(), count, 'each message to exactly one member');
    const seen = inboxes.flatMap((inbox) => inbox.messages.map((m) => Number(m.payload.toString()))).sort((a, b) => a - b);
    assert.deepEqual(seen, Array.from({ length: count }, (_, i) => i));
    await Promise.all([...members, outsider, pub].map((c) => c.endAsync()));
  });

  it('skips a shared member that has left the group', async () => {
    const stay = await connectClient(broker.url);
    const stayInbox = new Inbox(stay);
    const leave = await connectClient(broker.url);
    await Promise.all([stay.subscribeAsync('$share/g2/left', { qos: 1 }), leave.subscribeAsync('$share/g2/left', { qos: 1 })]);
    await leave.endAsync();
    const pub = await connectClient(broker.url);
    for (let i = 0; i < 4; i++) await publish(pub, 'left', String(i), { qos: 1 });
    assert.equal((await stayInbox.waitFor(4)).length, 4);
    await Promise.all([stay.endAsync(), pub.endAsync()]);
  });

  it('refuses No Local on a shared subscription as a Protocol Error [MQTT-3.8.3-4]', async () => {
    const raw = await RawClient.connected(broker.mqttPort);
    raw.send({ type: PacketType.Subscribe, packetId: 1, subscriptions: [sub('$share/g/x', { noLocal: true })] });
    assert.equal((await raw.expect(PacketType.Disconnect)).reasonCode, ReasonCode.ProtocolError);
    await raw.closed;
  });
});
