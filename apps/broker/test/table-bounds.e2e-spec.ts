import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { PacketType, PublishPacket, encodePacket } from '@nestmq/mqtt-protocol';
import { MessageHistoryRepository, TableUsage } from '@nestmq/persistence';
import { DataSource } from 'typeorm';
import { DATA_SOURCE } from '../src/database/database.module';
import { HISTORY_RECORDER, HistoryRetention } from '../src/history/history.module';
import { HistoryRecorder } from '../src/history/history-recorder';
import { SESSION_EVENT_RECORDER } from '../src/session-events/session-events.module';
import { SessionEventRecorder } from '../src/session-events/session-event-recorder';
import { connectClient, eventuallyAsync } from './support/clients';
import { RawClient } from './support/raw-client';
import { TestBroker, startTestBroker } from './support/test-broker';

const KiB = 1024;

/** QoS 0 PUBLISH packets, one per distinct topic (what no per-topic bound holds back), of random bytes the database cannot compress. */
function distinctTopics(prefix: string, count: number, payloadBytes: number): Buffer {
  return Buffer.concat(
    Array.from({ length: count }, (_, i) =>
      encodePacket({ type: PacketType.Publish, topic: `${prefix}/${i}`, payload: randomBytes(payloadBytes), qos: 0, retain: false, dup: false } as PublishPacket, 5)!,
    ),
  );
}

describe('HISTORY_MAX_BYTES: the message history stays within its bytes, however many topics', () => {
  let broker: TestBroker;
  let usage: TableUsage;
  let recorder: HistoryRecorder;
  beforeAll(async () => {
    broker = await startTestBroker({}, { HISTORY_MAX_BYTES: String(512 * KiB) });
    usage = new TableUsage(broker.app.get<DataSource>(DATA_SOURCE), 'history_blocks');
    recorder = broker.app.get<HistoryRecorder>(HISTORY_RECORDER);
  });
  afterAll(() => broker.close());

  it('deletes the oldest messages once the table passes the bound, and keeps the newest', async () => {
    const raw = await RawClient.connected(broker.mqttPort);
    // 400 topics of 4 KiB: over three times the bound, and every topic far below HISTORY_MAX_PER_TOPIC.
    raw.sendBytes(distinctTopics('flood', 400, 4 * KiB));
    await eventuallyAsync(async () => recorder.recorded === 400, 20_000, 'all 400 messages recorded');
    // The broker's own five-second check, not a call from the test, brings it back within the bound.
    await eventuallyAsync(async () => (await usage.size()).bytes <= 512 * KiB, 20_000, 'the history to be trimmed to 512 KiB');
    const history = broker.app.get(MessageHistoryRepository);
    assert.equal((await history.latest('flood/399', 1)).length, 1, 'the newest message is kept');
    assert.equal((await history.latest('flood/0', 1)).length, 0, 'the oldest message is gone');
    const { rows } = await usage.size();
    assert.ok(rows >= 100 && rows <= 125, `${rows} blocks of one message of about 4.2 KiB kept within 512 KiB`);
    assert.ok(broker.app.get(HistoryRetention).bound.trimmed >= 275);
    raw.destroy();
  });
});

describe('SESSION_EVENTS_MAX_BYTES: session events stay within their bytes, however many connects', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker({}, { SESSION_EVENTS_MAX_BYTES: String(256 * KiB) });
  });
  afterAll(() => broker.close());

  it('deletes the oldest events once the table passes the bound', async () => {
    const usage = new TableUsage(broker.app.get<DataSource>(DATA_SOURCE), 'session_events');
    const recorder = broker.app.get<SessionEventRecorder>(SESSION_EVENT_RECORDER);
    // 150 connects with 1000-byte client ids, each a connect and a disconnect event: about 300 KiB of ids alone.
    for (let i = 0; i < 150; i += 10) {
      const batch = await Promise.all(Array.from({ length: 10 }, (_, j) => connectClient(broker.url, { clientId: `${String(i + j).padStart(4, '0')}-${'c'.repeat(995)}` })));
      await Promise.all(batch.map((c) => c.endAsync()));
    }
    await eventuallyAsync(
      async () => {
        await recorder.flush();
        return (await usage.size()).rows >= 1;
      },
      10_000,
      'the events to be written',
    );
    await eventuallyAsync(async () => (await usage.size()).bytes <= 256 * KiB, 20_000, 'the session events to be trimmed to 256 KiB');
    const ds = broker.app.get<DataSource>(DATA_SOURCE);
    const [oldest] = (await ds.query(`SELECT client_id FROM session_events ORDER BY id LIMIT 1`)) as Array<{ client_id: string }>;
    assert.ok(Number(oldest.client_id.slice(0, 4)) > 0, `the oldest events went first (oldest left: ${oldest.client_id.slice(0, 4)})`);
  });
});
