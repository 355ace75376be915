import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { HistoryBatch, MessageHistoryRepository } from '@nestmq/persistence';
import { Message } from '../routing/message';
import { HistoryRecorder } from './history-recorder';

const message = (topic: string): Message => new Message(topic, Buffer.from(topic), Buffer.from('p'), 0, false, null, 0, 'pub', Date.now());

/** A repository whose writes fail while `down` is set; counts the rows it stored. */
class FlakyHistory {
  down = true;
  stored = 0;
  attempts = 0;
  async insertRows(rows: HistoryBatch): Promise<void> {
    this.attempts++;
    if (this.down) throw new Error('database away');
    this.stored += rows.count;
  }
}

const recorderOn = (repository: FlakyHistory, maxBuffered = 100): HistoryRecorder =>
  new HistoryRecorder(['#'], repository as unknown as MessageHistoryRepository, maxBuffered, 5);

describe('HistoryRecorder', () => {
  it('keeps a refused batch and writes it once when the database is back', async () => {
    const repository = new FlakyHistory();
    const recorder = recorderOn(repository);
    for (let i = 0; i < 3; i++) recorder.record(message(`t/${i}`), undefined);
    const flushing = recorder.flush(10_000);
    while (repository.attempts < 2) await new Promise((resolve) => setImmediate(resolve));
    recorder.record(message('t/late'), undefined);
    repository.down = false;
    await flushing;
    assert.equal(repository.stored, 4);
    assert.deepEqual([recorder.recorded, recorder.dropped, recorder.buffered], [4, 0, 0]);
  });

  it('tells when the oldest message waiting for the database was received, through a refused write', async () => {
    const repository = new FlakyHistory();
    const recorder = recorderOn(repository);
    const at = (topic: string, receivedAt: number): Message => new Message(topic, Buffer.from(topic), Buffer.from('p'), 0, false, null, 0, 'pub', receivedAt);
    assert.equal(recorder.oldestBufferedAt, 0);
    recorder.record(at('t/a', 1000), undefined);
    recorder.record(at('t/b', 2000), undefined);
    const flushing = recorder.flush(10_000);
    while (repository.attempts < 1) await new Promise((resolve) => setImmediate(resolve));
    recorder.record(at('t/c', 3000), undefined);
    assert.equal(recorder.oldestBufferedAt, 1000, 'the refused batch holds the oldest');
    repository.down = false;
    await flushing;
    assert.equal(recorder.oldestBufferedAt, 0);
    recorder.record(at('t/d', 4000), undefined);
    assert.equal(recorder.oldestBufferedAt, 4000);
  });

  it('counts what it could not write by the deadline as dropped, never loses it silently', async () => {
    const repository = new FlakyHistory();
    const recorder = recorderOn(repository);
    for (let i = 0; i < 3; i++) recorder.record(message(`t/${i}`), undefined);
    await recorder.flush(50);
    assert.deepEqual([repository.stored, recorder.recorded, recorder.dropped, recorder.buffered], [0, 0, 3, 0]);
  });

  it('lists the topics recorded since the last retention round, each once', async () => {
    const recorder = recorderOn(Object.assign(new FlakyHistory(), { down: false }));
    for (const topic of ['a', 'b', 'a', '$SYS/x', 'a']) recorder.record(message(topic), undefined);
    assert.deepEqual(recorder.takeRecordedTopics(), ['a', 'b']);
    assert.deepEqual(recorder.takeRecordedTopics(), [], 'nothing recorded since');
    recorder.record(message('b'), undefined);
    assert.deepEqual(recorder.takeRecordedTopics(), ['b']);
    await recorder.flush();
  });

  it('bounds what waits for the database and counts the overflow', async () => {
    const repository = new FlakyHistory();
    const recorder = recorderOn(repository, 2);
    for (let i = 0; i < 5; i++) recorder.record(message(`t/${i}`), undefined);
    recorder.record(message('$SYS/x'), undefined);
    assert.deepEqual([recorder.buffered, recorder.dropped], [2, 3], 'the $SYS topic does not match # [MQTT-4.7.2-1]');
    repository.down = false;
    await recorder.flush();
    assert.equal(repository.stored, 2);
  });

  it('bounds what waits for the database in bytes: large payloads are dropped and counted [R1]', async () => {
    const repository = new FlakyHistory();
    const recorder = new HistoryRecorder(['#'], repository as unknown as MessageHistoryRepository, 1_000_000, 5, 4 * 1024 * 1024);
    const megabyte = Buffer.alloc(1024 * 1024, 1);
    for (let i = 0; i < 20; i++) recorder.record(new Message('big', Buffer.from('big'), megabyte, 0, false, null, 0, 'pub', Date.now()), undefined);
    assert.ok(recorder.bufferedBytes <= 4 * 1024 * 1024, `${recorder.bufferedBytes} bytes buffered`);
    assert.equal(recorder.buffered, 3);
    assert.equal(recorder.dropped, 17);
    repository.down = false;
    await recorder.flush();
    assert.equal(repository.stored, 3);
  });

  it('keeps its topic decisions within a byte budget whatever the topics [C4]', async () => {
    const recorder = new HistoryRecorder(['keep/#'], new FlakyHistory() as unknown as MessageHistoryRepository, 10, 5, Infinity, 1024 * 1024);
    const level = 'x'.repeat(60_000);
    for (let i = 0; i < 200; i++) recorder.record(message(`${level}/${i}`), undefined);
    const decisions = (recorder as unknown as { decisions: { usedBytes: number } }).decisions;
    assert.ok(decisions.usedBytes <= 1024 * 1024, `${decisions.usedBytes} bytes of topics kept`);
  });

  it('writes a full batch at the end of the turn instead of waiting for its timer, one write at a time', async () => {
    const repository = Object.assign(new FlakyHistory(), { down: false });
    // A timer far away: only a full batch can be written within this test.
    const recorder = new HistoryRecorder(['#'], repository as unknown as MessageHistoryRepository, 1_000_000, 60_000);
    const payload = Buffer.alloc(1024, 1);
    const big = (i: number): Message => new Message(`t/${i % 3}`, Buffer.from(`t/${i % 3}`), payload, 0, false, null, 0, 'pub', Date.now());
    const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
    for (let i = 0; i < 200; i++) recorder.record(big(i), undefined);
    await turn();
    assert.equal(repository.attempts, 0, 'about 200 KiB waits for its timer');
    for (let i = 200; i < 300; i++) recorder.record(big(i), undefined);
    assert.equal(repository.attempts, 0, 'nothing is written inside the turn that records');
    await turn();
    assert.equal(repository.attempts, 1, 'past 256 KiB, the batch went at the end of the turn, 60 s before its timer');
    assert.equal(recorder.buffered, 0);
    await recorder.flush();
    assert.equal(repository.stored, 300);
  });
});
