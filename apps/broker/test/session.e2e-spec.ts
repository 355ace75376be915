import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { PacketType, ReasonCode } from '@nestmq/mqtt-protocol';
import { SessionRegistry } from '../src/session/session-registry';
import { Inbox, closed, connectClient, connectWithInbox, eventually, publish, withTimeout } from './support/clients';
import { RawClient } from './support/raw-client';
import { TestBroker, startTestBroker } from './support/test-broker';

describe('sessions: takeover, resumption, expiry', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker();
  });
  afterAll(() => broker.close());

  it('tells the old connection 0x8E Session taken over and closes it [MQTT-3.1.4-3]', async () => {
    const first = await RawClient.connected(broker.mqttPort, { clientId: 'twin' });
    const second = await RawClient.connected(broker.mqttPort, { clientId: 'twin' });
    const disconnect = await first.expect(PacketType.Disconnect);
    assert.equal(disconnect.reasonCode, ReasonCode.SessionTakenOver);
    await first.closed;
    second.send({ type: PacketType.Pingreq });
    await second.expect(PacketType.Pingresp);
    second.destroy();
  });

  it('resumes a session: Session Present, subscriptions kept, unacknowledged messages resent with DUP [MQTT-4.4.0-1]', async () => {
    const raw = await RawClient.connected(broker.mqttPort, { clientId: 'resume', clean: true, properties: { sessionExpiryInterval: 60 } });
    raw.send({ type: PacketType.Subscribe, packetId: 1, subscriptions: [{ topicFilter: 'resume/t', qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0 }] });
    await raw.expect(PacketType.Suback);
    const pub = await connectClient(broker.url);
    await publish(pub, 'resume/t', 'unacked', { qos: 1 });
    const first = await raw.expect(PacketType.Publish);
    assert.equal(first.dup, false);
    raw.destroy(); // no PUBACK
    const sessions = broker.app.get(SessionRegistry);
    await eventually(() => sessions.get('resume')?.online === false, 5000, 'the broker to see the connection gone');
    await publish(pub, 'resume/t', 'queued', { qos: 1 });

    const back = await RawClient.open(broker.mqttPort);
    back.send({ type: PacketType.Connect, protocolName: 'MQTT', protocolVersion: 5, clean: false, keepAlive: 0, clientId: 'resume', properties: { sessionExpiryInterval: 60 } });
    const connack = await back.expect(PacketType.Connack);
    assert.equal(connack.sessionPresent, true);
    const resent = await back.expect(PacketType.Publish);
    assert.equal(resent.payload.toString(), 'unacked');
    assert.equal(resent.dup, true);
    assert.equal(resent.packetId, first.packetId, 'same Packet Identifier on resend');
    back.send({ type: PacketType.Puback, packetId: resent.packetId!, reasonCode: 0 });
    const queued = await back.expect(PacketType.Publish);
    assert.equal(queued.payload.toString(), 'queued');
    assert.equal(queued.dup, false);
    back.destroy();
    await pub.endAsync();
  });

  it('resends PUBREL, not the PUBLISH, for a QoS 2 message already received by the client [MQTT-4.3.3-5]', async () => {
    const raw = await RawClient.connected(broker.mqttPort, { clientId: 'rel', properties: { sessionExpiryInterval: 60 } });
    raw.send({ type: PacketType.Subscribe, packetId: 1, subscriptions: [{ topicFilter: 'rel/t', qos: 2, noLocal: false, retainAsPublished: false, retainHandling: 0 }] });
    await raw.expect(PacketType.Suback);
    const pub = await connectClient(broker.url);
    await publish(pub, 'rel/t', 'x', { qos: 2 });
    const delivered = await raw.expect(PacketType.Publish);
    raw.send({ type: PacketType.Pubrec, packetId: delivered.packetId!, reasonCode: 0 });
    await raw.expect(PacketType.Pubrel);
    raw.destroy();
    await raw.closed;
    const back = await RawClient.connected(broker.mqttPort, { clientId: 'rel', clean: false, properties: { sessionExpiryInterval: 60 } });
    const rel = await back.expect(PacketType.Pubrel);
    assert.equal(rel.packetId, delivered.packetId);
    back.send({ type: PacketType.Pubcomp, packetId: rel.packetId, reasonCode: 0 });
    back.destroy();
    await pub.endAsync();
  });

  it('discards the session on Clean Start [MQTT-3.1.2-4]', async () => {
    const a = await connectClient(broker.url, { clientId: 'cleaner', clean: false, properties: { sessionExpiryInterval: 60 } });
    await a.subscribeAsync('clean/t', { qos: 1 });
    await a.endAsync();
    const [b, inbox] = await connectWithInbox(broker.url, { clientId: 'cleaner', clean: true });
    const pub = await connectClient(broker.url);
    await b.subscribeAsync('clean/marker', { qos: 1 });
    await publish(pub, 'clean/t', 'old subscription', { qos: 1 });
    await publish(pub, 'clean/marker', 'marker', { qos: 1 });
    const got = await inbox.waitFor(1);
    assert.deepEqual(got.map((m) => m.topic), ['clean/marker']);
    await Promise.all([b.endAsync(), pub.endAsync()]);
  });

  it('ends a session when its expiry interval passes after disconnect', async () => {
    const a = await connectClient(broker.url, { clientId: 'short-lived', clean: true, properties: { sessionExpiryInterval: 1 } });
    await a.subscribeAsync('short/t', { qos: 1 });
    await a.endAsync();
    await new Promise((r) => setTimeout(r, 1200)); // past the 1-second expiry
    const raw = await RawClient.open(broker.mqttPort);
    raw.send({ type: PacketType.Connect, protocolName: 'MQTT', protocolVersion: 5, clean: false, keepAlive: 0, clientId: 'short-lived' });
    assert.equal((await raw.expect(PacketType.Connack)).sessionPresent, false);
    raw.destroy();
  });

  it('keeps a 3.1.1 Clean Session 0 session across connections', async () => {
    const a = await connectClient(broker.url, { protocolVersion: 4, clientId: 'v4-persistent', clean: false });
    await a.subscribeAsync('v4p/t', { qos: 1 });
    await a.endAsync();
    const pub = await connectClient(broker.url);
    await publish(pub, 'v4p/t', 'while away', { qos: 1 });
    const [b, inbox] = await connectWithInbox(broker.url, { protocolVersion: 4, clientId: 'v4-persistent', clean: false });
    assert.equal((await inbox.waitFor(1))[0].payload.toString(), 'while away');
    await Promise.all([b.endAsync(), pub.endAsync()]);
  });
});

describe('will messages', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker();
  });
  afterAll(() => broker.close());

  async function watcher(topic: string): Promise<[Awaited<ReturnType<typeof connectClient>>, Inbox]> {
    const client = await connectClient(broker.url);
    const inbox = new Inbox(client);
    await client.subscribeAsync(topic, { qos: 1 });
    return [client, inbox];
  }

  it('publishes the will with its properties when the connection is lost', async () => {
    const [w, inbox] = await watcher('will/lost');
    const raw = await RawClient.connected(broker.mqttPort, {
      clientId: 'dies',
      will: { topic: 'will/lost', payload: Buffer.from('gone'), qos: 1, retain: false, properties: { contentType: 'text/plain', userProperties: [['k', 'v']] } },
    });
    raw.destroy();
    const [m] = await inbox.waitFor(1);
    assert.equal(m.payload.toString(), 'gone');
    assert.equal(m.packet.properties?.contentType, 'text/plain');
    assert.deepEqual({ ...m.packet.properties?.userProperties }, { k: 'v' });
    await w.endAsync();
  });

  it('does not publish the will after DISCONNECT 0x00 [MQTT-3.14.4-3], does after 0x04', async () => {
    const [w, inbox] = await watcher('will/disc/+');
    const normal = await RawClient.connected(broker.mqttPort, { will: { topic: 'will/disc/normal', payload: Buffer.from('n'), qos: 1, retain: false } });
    normal.send({ type: PacketType.Disconnect, reasonCode: 0 });
    await normal.closed;
    const withWill = await RawClient.connected(broker.mqttPort, { will: { topic: 'will/disc/with', payload: Buffer.from('w'), qos: 1, retain: false } });
    withWill.send({ type: PacketType.Disconnect, reasonCode: ReasonCode.DisconnectWithWillMessage });
    await withWill.closed;
    const got = await inbox.waitFor(1);
    assert.deepEqual(got.map((m) => m.topic), ['will/disc/with']);
    await w.endAsync();
  });

  it('publishes the will when the client breaks the protocol', async () => {
    const [w, inbox] = await watcher('will/violation');
    const raw = await RawClient.connected(broker.mqttPort, { will: { topic: 'will/violation', payload: Buffer.from('v'), qos: 0, retain: false } });
    raw.sendBytes(Buffer.from([0x00, 0x00])); // reserved packet type
    assert.equal((await raw.expect(PacketType.Disconnect)).reasonCode, ReasonCode.MalformedPacket);
    assert.equal((await inbox.waitFor(1))[0].topic, 'will/violation');
    await w.endAsync();
  });

  it('waits the Will Delay Interval, and a reconnect within it cancels the will [MQTT-3.1.3-9]', async () => {
    const [w, inbox] = await watcher('will/delay/+');
    const will = (name: string) => ({ topic: `will/delay/${name}`, payload: Buffer.from(name), qos: 1 as const, retain: false, properties: { willDelayInterval: 1 } });
    const cancelled = await RawClient.connected(broker.mqttPort, { clientId: 'delayed-a', will: will('cancelled'), properties: { sessionExpiryInterval: 30 } });
    const sent = await RawClient.connected(broker.mqttPort, { clientId: 'delayed-b', will: will('sent'), properties: { sessionExpiryInterval: 30 } });
    const lostAt = Date.now();
    cancelled.destroy();
    sent.destroy();
    const back = await RawClient.connected(broker.mqttPort, { clientId: 'delayed-a', clean: false, properties: { sessionExpiryInterval: 30 } });
    const [m] = await inbox.waitFor(1, 5000);
    assert.equal(m.topic, 'will/delay/sent');
    assert.ok(Date.now() - lostAt >= 900, 'not before the delay');
    back.destroy();
    await w.endAsync();
  });

  it('publishes the will at session end when that comes before the delay', async () => {
    const [w, inbox] = await watcher('will/session-end');
    const raw = await RawClient.connected(broker.mqttPort, {
      will: { topic: 'will/session-end', payload: Buffer.from('e'), qos: 1, retain: false, properties: { willDelayInterval: 3600 } },
      properties: { sessionExpiryInterval: 0 },
    });
    raw.destroy();
    assert.equal((await inbox.waitFor(1))[0].topic, 'will/session-end');
    await w.endAsync();
  });
});

describe('keep alive', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker();
  });
  afterAll(() => broker.close());

  it('disconnects a client silent for 1.5 x Keep Alive with 0x8D and publishes its will [MQTT-3.1.2-22]', async () => {
    const w = await connectClient(broker.url);
    const inbox = new Inbox(w);
    await w.subscribeAsync('will/ka', { qos: 1 });
    const raw = await RawClient.connected(broker.mqttPort, { keepAlive: 1, will: { topic: 'will/ka', payload: Buffer.from('timeout'), qos: 1, retain: false } });
    const since = Date.now();
    const disconnect = await raw.expect(PacketType.Disconnect, 5000);
    const elapsed = Date.now() - since;
    assert.equal(disconnect.reasonCode, ReasonCode.KeepAliveTimeout);
    assert.ok(elapsed >= 1400 && elapsed < 3000, `disconnected after ${elapsed} ms`);
    assert.equal((await inbox.waitFor(1))[0].topic, 'will/ka');
    await w.endAsync();
  });

  it('keeps a client that sends PINGREQ in time', async () => {
    const client = await connectClient(broker.url, { keepalive: 1 });
    // mqtt.js pings every second; three seconds is two Keep Alive deadlines.
    const stillOpen = await withTimeout(
      Promise.race([closed(client).then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 3000))]),
      5000,
      'keep-alive window',
    );
    assert.equal(stillOpen, true);
    await client.endAsync();
  });
});
