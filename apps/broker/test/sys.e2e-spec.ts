import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { BROKER_VERSION } from '../src/version';
import { Inbox, connectClient, eventually, publish } from './support/clients';
import { TestBroker, startTestBroker } from './support/test-broker';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

describe('$SYS topics', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker({ sysInterval: 0.2 });
  });
  afterAll(() => broker.close());

  it('publishes version, uptime, clients and message counters as retained $SYS/broker/ messages', async () => {
    const pub = await connectClient(broker.url);
    await publish(pub, 'counted', 'x', { qos: 1 });
    const client = await connectClient(broker.url);
    const wanted = [
      '$SYS/broker/version',
      '$SYS/broker/uptime',
      '$SYS/broker/clients/connected',
      '$SYS/broker/messages/received',
      '$SYS/broker/messages/sent',
      '$SYS/broker/bytes/received',
      '$SYS/broker/bytes/sent',
    ];
    const seen = new Map<string, string>();
    client.on('message', (topic, payload) => seen.set(topic, payload.toString()));
    await client.subscribeAsync('$SYS/broker/#', { qos: 0 });
    // The retained values may predate these clients: wait for an update that counts them.
    await eventually(
      () => wanted.every((t) => seen.has(t)) && Number(seen.get('$SYS/broker/clients/connected')) >= 2,
      5000,
      'every $SYS topic, updated',
    );
    assert.equal(seen.get('$SYS/broker/version'), `NestMQ ${BROKER_VERSION}`);
    assert.match(seen.get('$SYS/broker/uptime')!, /^\d+ seconds$/);
        assert.ok(Number(seen.get('$SYS/broker/messages/received')) >= 2);
    assert.ok(Number(seen.get('$SYS/broker/bytes/received')) > 0);
    await Promise.all([client.endAsync(), pub.endAsync()]);
  });

  it('is not matched by a filter starting with # [MQTT-4.7.2-1]', async () => {
    const client = await connectClient(broker.url);
    const inbox = new Inbox(client);
    await client.subscribeAsync('#', { qos: 0 });
    await publish(client, 'plain/marker', 'm');
    const [first] = await inbox.waitFor(1);
    assert.equal(first.topic, 'plain/marker');
    await client.endAsync();
  });

  it('reports the version package.json declares', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8')) as { version: string };
    assert.equal(BROKER_VERSION, pkg.version);
  });
});
