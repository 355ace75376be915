import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { openDatabase } from '../data-source';
import { TestDatabase, createTestDatabase, databaseKinds } from '../testing/test-database';
import { DurableState } from './durable-state';
import { SessionRow } from './rows';
import { WriteBehindQueue } from './write-behind-queue';

const session = (clientId: string, over: Partial<SessionRow> = {}): SessionRow => ({
  clientId, username: null, protocolVersion: 5, expiryInterval: 60, willTopic: null, willPayload: null, willQos: null,
  willRetain: null, willProperties: null, lastConnectAt: new Date(), lastDisconnectAt: null, ...over,
});
const sub = (clientId: string, topicFilter: string, qos = 1) => ({
  clientId, topicFilter, qos, noLocal: false, retainAsPublished: false, retainHandling: 0, subscriptionId: 0,
});

for (const kind of databaseKinds()) {
  describe(`WriteBehindQueue (${kind})`, () => {
    let db: TestDatabase;
    let ds: DataSource;
    let state: DurableState;
    before(async () => {
      db = await createTestDatabase(kind);
      ds = await openDatabase(db.options);
      state = new DurableState(ds);
    });
    after(async () => {
      await ds.destroy();
      await db.drop();
    });

    it('writes sessions, subscriptions and retained messages in batches and reads them back', async () => {
      const queue = new WriteBehindQueue(ds);
      queue.saveSession(session('a', { username: 'alice', willTopic: 'w', willPayload: Buffer.from([0, 1]), willQos: 1, willRetain: true, lastDisconnectAt: new Date(1_000) }));
      queue.saveSubscription(sub('a', 'x/+'));
      queue.saveSubscription(sub('a', 'y/#', 2));
      queue.saveRetained({ topic: 'r', payload: Buffer.from('v'), qos: 1, properties: Buffer.from([3, 0, 1, 0x78]), expiresAt: null, publisherClientId: 'a' });
      await queue.committed();
      const [a] = await state.sessions();
      assert.equal(a.username, 'alice');
      assert.deepEqual([...a.willPayload!], [0, 1]);
      assert.equal(a.lastDisconnectAt?.getTime(), 1_000);
      assert.deepEqual(a.subscriptions.map((s) => [s.topicFilter, s.qos]), [['x/+', 1], ['y/#', 2]]);
      const [r] = await state.retained();
      assert.deepEqual([r.topic, r.payload.toString(), [...r.properties!]], ['r', 'v', [3, 0, 1, 0x78]]);
      await queue.close();
    });

    it('stores queued messages with every column through binary COPY', async () => {
      const queue = new WriteBehindQueue(ds);
      queue.saveSession(session('m'));
      const base = { clientId: 'm', retain: false, properties: null, subscriptionIds: null, expiresAt: null, packetId: 0, state: 0 };
      queue.insertMessage({ ...base, id: 9_007_199_254_740_000, topic: 'ünï/✓', payload: Buffer.alloc(0), qos: 2, retain: true, properties: Buffer.from([1, 1]), subscriptionIds: [1, 268_435_455], expiresAt: new Date(Date.UTC(2030, 0, 2, 3, 4, 5, 678)), packetId: 65_535, state: 2 });
      queue.insertMessage({ ...base, id: 5, topic: 't', payload: Buffer.from('p'), qos: 1, subscriptionIds: [] });
      queue.insertMessage({ ...base, id: 6, topic: 't', payload: Buffer.alloc(70_000, 1), qos: 1 });
      await queue.committed();
      const m = (await state.sessions()).find((s) => s.clientId === 'm')!;
      const [five, six, big] = m.messages;
      assert.deepEqual([five.id, five.topic, five.payload.toString(), five.qos, five.retain, five.properties, five.subscriptionIds, five.expiresAt, five.packetId, five.state], [5, 't', 'p', 1, false, null, [], null, 0, 0]);
      assert.equal(six.payload.length, 70_000);
      assert.deepEqual([big.id, big.topic, big.payload.length, big.qos, big.retain, [...big.properties!], big.subscriptionIds, big.expiresAt?.toISOString(), big.packetId, big.state], [9_007_199_254_740_000, 'ünï/✓', 0, 2, true, [1, 1], [1, 268_435_455], '2030-01-02T03:04:05.678Z', 65_535, 2]);
      queue.deleteSession('m');
      await queue.close();
    });

    it('deletes a session together with its stored queued messages', async () => {
      const queue = new WriteBehindQueue(ds);
      queue.saveSession(session('gone'));
      queue.insertMessage({ id: 700, clientId: 'gone', topic: 't', payload: Buffer.from('x'), qos: 1, retain: false, properties: null, subscriptionIds: null, expiresAt: null, packetId: 0, state: 0 });
      await queue.committed();
      queue.deleteSession('gone');
      await queue.committed();
      assert.deepEqual(await ds.query(`SELECT id FROM session_messages WHERE client_id = 'gone'`), []);
      assert.equal((await state.sessions()).some((s) => s.clientId === 'gone'), false);
      await queue.close();
    });

    it('reduces a batch to its final state: a session deleted and recreated keeps only what came after', async () => {
      const queue = new WriteBehindQueue(ds);
      queue.saveSession(session('b'));
      queue.saveSubscription(sub('b', 'old'));
      await queue.committed();
      queue.deleteSession('b');
      queue.saveSession(session('b', { expiryInterval: 99 }));
      queue.saveSubscription(sub('b', 'new'));
      queue.deleteSubscription('b', 'never-there');
      queue.saveRetained({ topic: 't', payload: Buffer.from('1'), qos: 0, properties: null, expiresAt: null, publisherClientId: null });
      queue.deleteRetained('t');
      await queue.committed();
      const b = (await state.sessions()).find((s) => s.clientId === 'b')!;
      assert.equal(b.expiryInterval, 99);
      assert.deepEqual(b.subscriptions.map((s) => s.topicFilter), ['new']);
      assert.equal((await state.retained()).some((r) => r.topic === 't'), false);
      await queue.close();
    });

    it('deletes a session with its subscriptions', async () => {
      const queue = new WriteBehindQueue(ds);
      queue.saveSession(session('c'));
      queue.saveSubscription(sub('c', 'z'));
      await queue.committed();
      queue.deleteSession('c');
      await queue.committed();
      assert.equal((await state.sessions()).some((s) => s.clientId === 'c'), false);
      const [{ count }] = (await ds.query(`SELECT count(*)::int AS count FROM subscriptions WHERE client_id = 'c'`)) as Array<{ count: number }>;
      assert.equal(count, 0);
      await queue.close();
    });
  });
}
