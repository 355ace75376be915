import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { openDatabase } from '../data-source';
import { TestDatabase, createTestDatabase, databaseKinds } from '../testing/test-database';
import { DurableState } from './durable-state';
import { SessionMessageRow, SessionRow, StoredMessageRow } from './rows';
import { WriteBehindQueue } from './write-behind-queue';

const session = (clientId: string, over: Partial<SessionRow> = {}): SessionRow => ({
  clientId, username: null, protocolVersion: 5, expiryInterval: 60, willTopic: null, willPayload: null, willQos: null,
  willRetain: null, willProperties: null, lastConnectAt: new Date(), lastDisconnectAt: null, ...over,
});
const sub = (clientId: string, topicFilter: string, qos = 1) => ({
  clientId, topicFilter, qos, noLocal: false, retainAsPublished: false, retainHandling: 0, subscriptionId: 0,
});
const stored = (id: number, over: Partial<StoredMessageRow> = {}): StoredMessageRow => ({
  id, topic: 't', payload: Buffer.from('x'), qos: 1, retain: false, properties: null, expiresAt: null, publisherClientId: null, receivedAt: new Date(), ...over,
});
const reference = (id: number, clientId: string, messageId: number): SessionMessageRow => ({
  id, clientId, messageId, qos: 1, retain: false, subscriptionIds: null, packetId: 0, state: 0,
});

for (const kind of databaseKinds()) {
  describe(`WriteBehindQueue (${kind})`, () => {
    let db: TestDatabase;
    let ds: DataSource;
    let state: DurableState;
    beforeAll(async () => {
      db = await createTestDatabase(kind);
      ds = await openDatabase(db.options);
      state = new DurableState(ds);
    });
    const storedCount = async (): Promise<number> => Number(((await ds.query(`SELECT count(*)::int AS n FROM stored_messages`)) as Array<{ n: number }>)[0].n);
    const storedPayloadBytes = async (): Promise<number> =>
      Number(((await ds.query(`SELECT coalesce(sum(length(payload)), 0)::int AS n FROM stored_messages`)) as Array<{ n: number }>)[0].n);
    afterAll(async () => {
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
      queue.storeMessage(stored(40, { topic: 'ünï/✓', payload: Buffer.alloc(0), qos: 2, retain: true, properties: Buffer.from([1, 1]), expiresAt: new Date(Date.UTC(2030, 0, 2, 3, 4, 5, 678)), publisherClientId: 'pub', receivedAt: new Date(Date.UTC(2029, 0, 1)) }), true);
      queue.storeMessage(stored(41, { payload: Buffer.from('p') }), true);
      queue.storeMessage(stored(42, { payload: Buffer.alloc(70_000, 1) }), true);
      const base = { clientId: 'm', retain: false, subscriptionIds: null, packetId: 0, state: 0 };
      queue.insertMessage({ ...base, id: 9_007_199_254_740_000, messageId: 40, qos: 2, retain: true, subscriptionIds: [1, 268_435_455], packetId: 65_535, state: 2 });
      queue.insertMessage({ ...base, id: 5, messageId: 41, qos: 1, subscriptionIds: [] });
      queue.insertMessage({ ...base, id: 6, messageId: 42, qos: 1 });
      await queue.committed();
      const m = (await state.sessions()).find((s) => s.clientId === 'm')!;
      const [five, six, big] = m.messages;
      assert.deepEqual([five.id, five.messageId, five.message.topic, five.message.payload.toString(), five.qos, five.retain, five.message.properties, five.subscriptionIds, five.message.expiresAt, five.packetId, five.state], [5, 41, 't', 'p', 1, false, null, [], null, 0, 0]);
      assert.equal(six.message.payload.length, 70_000);
      assert.deepEqual(
        [big.id, big.message.topic, big.message.payload.length, big.qos, big.retain, [...big.message.properties!], big.subscriptionIds, big.message.expiresAt?.toISOString(), big.packetId, big.state],
        [9_007_199_254_740_000, 'ünï/✓', 0, 2, true, [1, 1], [1, 268_435_455], '2030-01-02T03:04:05.678Z', 65_535, 2],
      );
      assert.deepEqual([big.message.qos, big.message.retain, big.message.publisherClientId, big.message.receivedAt.toISOString()], [2, true, 'pub', '2029-01-01T00:00:00.000Z']);
      assert.equal(await state.lastStoredMessageId(), 42);
      queue.deleteSession('m');
      await queue.close();
      assert.equal(await storedCount(), 0);
    });

    it('deletes a session together with its stored queued messages', async () => {
      const queue = new WriteBehindQueue(ds);
      queue.saveSession(session('gone'));
      queue.storeMessage(stored(700), true);
      queue.insertMessage(reference(700, 'gone', 700));
      await queue.committed();
      queue.deleteSession('gone');
      await queue.committed();
      assert.deepEqual(await ds.query(`SELECT id FROM session_messages WHERE client_id = 'gone'`), []);
      assert.equal(await storedCount(), 0);
      assert.equal((await state.sessions()).some((s) => s.clientId === 'gone'), false);
      await queue.close();
    });

    it('stores a message queued for many sessions once, and deletes it with its last reference', async () => {
      const queue = new WriteBehindQueue(ds);
      for (const c of ['s1', 's2', 's3']) queue.saveSession(session(c));
      queue.storeMessage(stored(800, { payload: Buffer.alloc(10_000, 7) }), true);
      queue.insertMessage(reference(801, 's1', 800));
      queue.insertMessage(reference(802, 's2', 800));
      queue.insertMessage(reference(803, 's3', 800));
      await queue.committed();
      assert.deepEqual(await storedPayloadBytes(), 10_000);
      const restored = (await state.sessions()).filter((s) => s.clientId.startsWith('s')).flatMap((s) => s.messages);
      assert.equal(restored.length, 3);
      assert.ok(restored.every((m) => m.message === restored[0].message), 'one stored message object for all of its sessions');

      queue.deleteMessage(801, 800);
      queue.deleteSession('s2');
      await queue.committed();
      assert.equal(await storedCount(), 1, 'kept while s3 still refers to it');
      queue.deleteMessage(803, 800);
      await queue.committed();
      assert.equal(await storedCount(), 0, 'deleted with its last reference');
      for (const c of ['s1', 's3']) queue.deleteSession(c);
      await queue.close();
    });

    it('writes nothing for a message acknowledged within its batch, and stores a message again once referred to again', async () => {
      const queue = new WriteBehindQueue(ds);
      queue.saveSession(session('online'));
      queue.storeMessage(stored(900), true);
      queue.insertMessage(reference(901, 'online', 900));
      queue.deleteMessage(901, 900);
      await queue.committed();
      assert.equal(await storedCount(), 0);
      assert.equal(queue.storesMessage(900), false);

      // Referred to again from a later batch: written unless still there.
      queue.storeMessage(stored(900), false);
      queue.insertMessage(reference(902, 'online', 900));
      await queue.committed();
      queue.storeMessage(stored(900, { payload: Buffer.from('not written over') }), false);
      queue.insertMessage(reference(903, 'online', 900));
      await queue.committed();
      const [{ payload }] = (await ds.query(`SELECT payload FROM stored_messages WHERE id = 900`)) as Array<{ payload: Uint8Array }>;
      assert.equal(Buffer.from(payload).toString(), 'x');
      // A reference gained and one lost in the same batch: the stored message stays.
      queue.deleteMessage(902, 900);
      queue.deleteMessage(903, 900);
      queue.storeMessage(stored(900), false);
      queue.insertMessage(reference(904, 'online', 900));
      await queue.committed();
      assert.equal(await storedCount(), 1);
      queue.deleteSession('online');
      await queue.close();
      assert.equal(await storedCount(), 0);
    });

    it('refuses a session message whose stored message is not in its batch', () => {
      const queue = new WriteBehindQueue(ds);
      assert.throws(() => queue.insertMessage(reference(1, 'x', 12_345)), /stored message 12345/);
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
