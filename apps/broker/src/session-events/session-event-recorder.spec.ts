import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { SessionEvent, SessionEventRepository } from '@nestmq/persistence';
import { SessionEventRecorder } from './session-event-recorder';

/** A repository that keeps what it is given, and fails while `away` is set. */
class FakeRepository {
  readonly batches: SessionEvent[][] = [];
  away = false;

  insertBatch(events: readonly SessionEvent[]): Promise<void> {
    if (this.away) return Promise.reject(new Error('connect ECONNREFUSED'));
    this.batches.push([...events]);
    return Promise.resolve();
  }

  get events(): SessionEvent[] {
    return this.batches.flat();
  }
}

const recorderOf = (repository: FakeRepository, maxBuffered = 100): SessionEventRecorder =>
  new SessionEventRecorder(repository as unknown as SessionEventRepository, maxBuffered, 5);

describe('SessionEventRecorder', () => {
  it('writes the events of a burst in one batch, in order, with their details', async () => {
    const repository = new FakeRepository();
    const recorder = recorderOf(repository);
    recorder.connected('c', 'alice', { protocolVersion: 5, cleanStart: true, sessionPresent: false, keepAlive: 60, sessionExpiryInterval: 0, address: '127.0.0.1' });
    recorder.subscribed('c', 'alice', [{ topicFilter: 'a/#', qos: 2 }, { topicFilter: 'bad/#/x', qos: 0 }], [1, 0x8f]);
    recorder.unsubscribed('c', 'alice', ['a/#'], [0]);
    recorder.disconnected('c', 'alice', 'client', 0, 1234);
    await recorder.flush();
    assert.equal(repository.batches.length, 1);
    assert.deepEqual(repository.events.map((e) => e.action), ['connect', 'subscribe', 'unsubscribe', 'disconnect']);
    assert.deepEqual(repository.events[1].details, { topics: [{ filter: 'a/#', qos: 2, reasonCode: 1 }, { filter: 'bad/#/x', qos: 0, reasonCode: 0x8f }] });
    assert.deepEqual(repository.events[3].details, { by: 'client', reasonCode: 0, connectedMs: 1234 });
    assert.equal(recorder.recorded, 4);
  });

  it('keeps the user name a refused client claimed, and stores null for none', async () => {
    const repository = new FakeRepository();
    const recorder = recorderOf(repository);
    recorder.refused('c', 'mallory', 0x86, 5, '10.0.0.1');
    recorder.kicked('d', undefined, '10.0.0.2', '10.0.0.3');
    await recorder.flush();
    assert.deepEqual(repository.events.map((e) => [e.action, e.username, e.details]), [
      ['connect_refused', 'mallory', { reasonCode: 0x86, protocolVersion: 5, address: '10.0.0.1' }],
      ['kicked', null, { reasonCode: 0x8e, address: '10.0.0.2', byAddress: '10.0.0.3' }],
    ]);
  });

  it('keeps a batch the database did not take, bounds what waits, and counts what it drops', async () => {
    const repository = new FakeRepository();
    const recorder = recorderOf(repository, 3);
    repository.away = true;
    for (let i = 0; i < 5; i++) recorder.expired(`s${i}`, undefined, 60, 0);
    await recorder.flush();
    assert.equal(recorder.buffered, 3);
    assert.equal(recorder.dropped, 2);
    assert.equal(recorder.recorded, 0);
    repository.away = false;
    await recorder.flush();
    assert.deepEqual(repository.events.map((e) => e.clientId), ['s0', 's1', 's2']);
    assert.equal(recorder.recorded, 3);
    assert.equal(recorder.buffered, 0);
  });

  it('tells when the oldest event waiting for the database happened', async () => {
    const repository = new FakeRepository();
    const recorder = recorderOf(repository);
    assert.equal(recorder.oldestBufferedAt, 0);
    repository.away = true;
    const before = Date.now();
    recorder.expired('s0', undefined, 60, 0);
    await recorder.flush();
    recorder.expired('s1', undefined, 60, 0);
    const oldest = recorder.oldestBufferedAt;
    assert.ok(oldest >= before && oldest <= Date.now(), `${oldest}`);
    repository.away = false;
    await recorder.flush();
    assert.equal(recorder.oldestBufferedAt, 0);
  });

  it('writes by itself after its interval, without a flush', async () => {
    const repository = new FakeRepository();
    const recorder = recorderOf(repository);
    recorder.expired('later', 'bob', 1, Date.UTC(2026, 0, 1));
    await new Promise<void>((resolve) => {
      const check = (): void => (repository.events.length > 0 ? resolve() : void setTimeout(check, 5));
      check();
    });
    assert.deepEqual(repository.events[0].details, { expiryInterval: 1, disconnectedAt: '2026-01-01T00:00:00.000Z' });
  });

  it('drops and counts what comes after close, which wrote everything before it', async () => {
    const repository = new FakeRepository();
    const recorder = recorderOf(repository);
    recorder.connected('c', undefined, { protocolVersion: 4, cleanStart: true, sessionPresent: false, keepAlive: 0, sessionExpiryInterval: 0, address: 'x' });
    await recorder.close();
    recorder.disconnected('c', undefined, 'server-shutdown', 0x8b, 1);
    assert.equal(repository.events.length, 1);
    assert.equal(recorder.dropped, 1);
  });

  it('bounds what waits for the database in bytes: huge client ids and filter lists are dropped and counted', async () => {
    const repository = new FakeRepository();
    repository.away = true;
    const recorder = new SessionEventRecorder(repository as unknown as SessionEventRepository, 1_000_000, 5, 1024 * 1024);
    const filters = Array.from({ length: 1000 }, (_, i) => ({ topicFilter: `${'f'.repeat(1000)}/${i}`, qos: 0 }));
    for (let i = 0; i < 50; i++) recorder.subscribed('c'.repeat(60_000), undefined, filters, filters.map(() => 0));
    assert.ok(recorder.bufferedBytes <= 1024 * 1024, `${recorder.bufferedBytes} bytes buffered`);
    assert.equal(recorder.buffered, 0, 'each of these events alone exceeds the bound');
    assert.equal(recorder.dropped, 50);
    recorder.connected('small', undefined, { protocolVersion: 5, cleanStart: true, sessionPresent: false, keepAlive: 0, sessionExpiryInterval: 0, address: '::1' });
    assert.equal(recorder.buffered, 1, 'a small event still fits');
    repository.away = false;
    await recorder.flush();
    assert.equal(repository.events.length, 1);
  });
});
