import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { PacketType, ReasonCode } from '@nestmq/mqtt-protocol';
import { Inbox, connectClient, publish } from './support/clients';
import { RawClient } from './support/raw-client';
import { TestBroker, startTestBroker } from './support/test-broker';

describe('topic ACL (ACL_FILE)', () => {
  let broker: TestBroker;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nestmq-acl-'));
    const file = join(dir, 'broker.acl');
    writeFileSync(file, ['topic readwrite open/#', 'topic read feed/#', 'topic deny open/secret', 'pattern readwrite own/%c/#'].join('\n'));
    broker = await startTestBroker({}, { ALLOW_ANONYMOUS: 'true', ACL_FILE: file });
  });
  afterAll(async () => {
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a subscription the ACL does not allow: 0x87 per filter (5.0), 0x80 (3.1.1)', async () => {
    const v5 = await RawClient.connected(broker.mqttPort);
    v5.send({ type: PacketType.Subscribe, packetId: 1, subscriptions: ['open/a', 'closed/a', 'open/secret', 'own/x', 'open/+'].map((topicFilter) => ({ topicFilter, qos: 1 as const, noLocal: false, retainAsPublished: false, retainHandling: 0 as const })) });
    assert.deepEqual((await v5.expect(PacketType.Suback)).reasonCodes, [1, ReasonCode.NotAuthorized, ReasonCode.NotAuthorized, ReasonCode.NotAuthorized, 1]);
    v5.destroy();
    const v4 = await RawClient.connected(broker.mqttPort, { clientId: 'me' }, 4);
    v4.send({ type: PacketType.Subscribe, packetId: 1, subscriptions: ['closed/a', 'own/me/#'].map((topicFilter) => ({ topicFilter, qos: 1 as const, noLocal: false, retainAsPublished: false, retainHandling: 0 as const })) });
    assert.deepEqual((await v4.expect(PacketType.Suback)).reasonCodes, [0x80, 1]);
    v4.destroy();
  });

  it('refuses a publication the ACL does not allow: PUBACK 0x87, and nobody receives it', async () => {
    const sub = await connectClient(broker.url);
    const inbox = new Inbox(sub);
    await sub.subscribeAsync(['feed/#', 'open/ping'], { qos: 1 });
    const raw = await RawClient.connected(broker.mqttPort);
    raw.send({ type: PacketType.Publish, topic: 'feed/x', payload: Buffer.from('not allowed'), qos: 1, retain: false, dup: false, packetId: 1 });
    assert.equal((await raw.expect(PacketType.Puback)).reasonCode, ReasonCode.NotAuthorized);
    raw.destroy();
    // A marker published after: when it arrives, the refused message would have arrived before it.
    const writer = await connectClient(broker.url);
    await publish(writer, 'open/ping', 'marker', { qos: 1 });
    const got = await inbox.waitFor(1);
    assert.deepEqual(got.map((m) => m.topic), ['open/ping']);
    await Promise.all([sub.endAsync(), writer.endAsync()]);
  });

  it('accepts a wildcard subscription and filters each message by the read rules on delivery', async () => {
    const [watcher, inbox] = await (async () => {
      const client = await connectClient(broker.url, { clientId: 'watcher' });
      return [client, new Inbox(client)] as const;
    })();
    assert.deepEqual((await watcher.subscribeAsync('#', { qos: 1 })).map((g) => g.qos), [1]);
    const owner = await connectClient(broker.url, { clientId: 'owner' });
    await publish(owner, 'own/owner/private', 'not for the watcher', { qos: 1 });
    await publish(owner, 'open/news', 'for everyone', { qos: 1 });
    const got = await inbox.waitFor(1);
    assert.deepEqual(got.map((m) => m.topic), ['open/news']);
    await Promise.all([watcher.endAsync(), owner.endAsync()]);
  });

  it('refuses a will on a topic the client may not publish to: CONNACK 0x87', async () => {
    const raw = await RawClient.open(broker.mqttPort);
    raw.send({ type: PacketType.Connect, protocolName: 'MQTT', protocolVersion: 5, clean: true, keepAlive: 0, clientId: 'w', will: { topic: 'feed/will', payload: Buffer.from('x'), qos: 0, retain: false } });
    assert.equal((await raw.expect(PacketType.Connack)).reasonCode, ReasonCode.NotAuthorized);
  });
});
