import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { PacketType, PublishPacket, encodePacket } from '@nestmq/mqtt-protocol';
import { MessageHistoryRepository } from '@nestmq/persistence';
import { HISTORY_RECORDER } from '../src/history/history.module';
import { HistoryRecorder } from '../src/history/history-recorder';
import { connectClient, eventually, publish } from './support/clients';
import { RawClient } from './support/raw-client';
import { TestBroker, startTestBroker } from './support/test-broker';

describe('message history', () => {
  let broker: TestBroker;
  let recorder: HistoryRecorder;
  let history: MessageHistoryRepository;
  beforeAll(async () => {
    broker = await startTestBroker({}, { HISTORY_TOPICS: 'sensors/#,alerts/+', HISTORY_BUFFER: '100' });
    recorder = broker.app.get<HistoryRecorder>(HISTORY_RECORDER);
    history = broker.app.get(MessageHistoryRepository);
  });
  afterAll(() => broker.close());

  it('records the messages HISTORY_TOPICS matches, with publisher, QoS, retain and properties', async () => {
    const client = await connectClient(broker.url, { clientId: 'recorder-test', username: 'someone', password: 'x' });
    await publish(client, 'sensors/t1', '21.5', { qos: 1, retain: true, properties: { contentType: 'text/plain', userProperties: { unit: 'C' } } });
    await publish(client, 'alerts/fire', 'now', { qos: 0 });
    await publish(client, 'other/t', 'not recorded', { qos: 1 });
    await recorder.flush();
    const [t1] = await history.latest('sensors/t1', 5);
    assert.equal(t1.payload.toString(), '21.5');
    assert.equal(t1.qos, 1);
    assert.equal(t1.retain, true);
    assert.equal(t1.publisherClientId, 'recorder-test');
    assert.deepEqual(t1.properties, { contentType: 'text/plain', userProperties: [['unit', 'C']] });
    assert.equal((await history.latest('alerts/fire', 5)).length, 1);
    assert.deepEqual(await history.latest('other/t', 5), []);
    await client.endAsync();
  });

  it('drops and counts what does not fit its buffer, and loses count of nothing', async () => {
    const raw = await RawClient.connected(broker.mqttPort);
    const total = 1000;
    const packets = Array.from({ length: total }, (_, i) =>
      encodePacket({ type: PacketType.Publish, topic: 'sensors/burst', payload: Buffer.from(String(i)), qos: 0, retain: false, dup: false } as PublishPacket, 5)!,
    );
    const before = recorder.recorded + recorder.dropped;
    raw.sendBytes(Buffer.concat(packets)); // one burst: more than the 100-row buffer holds in one turn
    await eventually(() => recorder.recorded + recorder.dropped - before === total, 10_000, 'every message recorded or counted');
    await recorder.flush();
    assert.ok(recorder.dropped > 0, 'the burst overflowed the buffer');
    raw.destroy();
  });
});
