import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { openDatabase } from '../data-source';
import { TestDatabase, createTestDatabase, databaseKinds } from '../testing/test-database';
import { HistoryPage, HistoryRecord, MessageHistoryRepository } from './message-history.repository';

const at = (seconds: number): Date => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));
const record = (topic: string, seconds: number, payload = `${topic}@${seconds}`): HistoryRecord => ({
  topic, payload: Buffer.from(payload), qos: 1, retain: false, properties: seconds === 0 ? { contentType: 'text/plain' } : null,
  publisherClientId: 'pub', publisherUsername: null, receivedAt: at(seconds),
});

for (const kind of databaseKinds()) {
  describe(`MessageHistoryRepository (${kind})`, () => {
    let db: TestDatabase;
    let ds: DataSource;
    let history: MessageHistoryRepository;
    beforeAll(async () => {
      db = await createTestDatabase(kind);
      ds = await openDatabase(db.options);
      history = new MessageHistoryRepository(ds);
      await history.insertBatch([
        record('a', 0), record('a', 1), record('a/b', 2), record('a/b/c', 3), record('x/b', 4), record('$SYS/a', 5), record('a_b', 6), record('a', 7),
      ]);
    });
    afterAll(async () => {
      await ds.destroy();
      await db.drop();
    });

    it('stores every column exactly through binary COPY: UTF-8, empty and large payloads, nulls, milliseconds, many rows', async () => {
      const big = Buffer.alloc(200_000, 7);
      const odd: HistoryRecord[] = [
        { topic: 'copy/ünïcödé/✓', payload: Buffer.alloc(0), qos: 0, retain: true, properties: { userProperties: [['k', 'v ✓']], messageExpiryInterval: 5 }, publisherClientId: null, publisherUsername: 'ü', receivedAt: new Date(Date.UTC(2026, 4, 6, 7, 8, 9, 123)) },
        { topic: 'copy/big', payload: big, qos: 2, retain: false, properties: null, publisherClientId: 'c', publisherUsername: null, receivedAt: new Date(Date.UTC(1999, 11, 31, 23, 59, 59, 999)) },
      ];
      await history.insertBatch(odd);
      const [unicode] = await history.latest('copy/ünïcödé/✓', 1);
      assert.deepEqual({ ...unicode, id: undefined }, { ...odd[0], id: undefined });
      const [large] = await history.latest('copy/big', 1);
      assert.ok(large.payload.equals(big));
      assert.equal(large.receivedAt.toISOString(), '1999-12-31T23:59:59.999Z', 'times before 2000 (negative in PostgreSQL) too');
      await history.insertBatch(Array.from({ length: 5000 }, (_, i) => record('copy/many', 100 + i, String(i))));
      const many = await history.latest('copy/many', 5000);
      assert.equal(many.length, 5000);
      assert.equal(many[0].payload.toString(), '4999');
    });

    it('returns the latest N on a topic, newest first, payload and properties intact', async () => {
      const latest = await history.latest('a', 2);
      assert.deepEqual(latest.map((r) => r.payload.toString()), ['a@7', 'a@1']);
      const [first] = await history.latest('a', 10).then((rows) => rows.slice(-1));
      assert.deepEqual(first.properties, { contentType: 'text/plain' });
      assert.equal(first.publisherClientId, 'pub');
    });

    for (const [filter, topics] of [
      ['a/#', ['a', 'a', 'a/b', 'a/b/c', 'a']],
      ['+/b', ['a/b', 'x/b']],
      ['#', ['a', 'a', 'a/b', 'a/b/c', 'x/b', 'a_b', 'a']],
      ['a', ['a', 'a', 'a']],
      ['a_b', ['a_b']],
      ['$SYS/#', ['$SYS/a']],
    ] as const) {
      it(`finds ${filter} by topic filter ($ rule included)`, async () => {
        const page = await history.search(filter, at(0), at(100), 100);
        assert.deepEqual(page.records.map((r) => r.topic).reverse(), topics);
      });
    }

    it('pages with a cursor through a time range', async () => {
      const first = await history.search('#', at(1), at(7), 2);
      assert.deepEqual(first.records.map((r) => r.receivedAt.getTime()), [at(6).getTime(), at(4).getTime()]);
      const second = await history.search('#', at(1), at(7), 2, first.nextCursor);
      assert.deepEqual(second.records.map((r) => r.receivedAt.getTime()), [at(3).getTime(), at(2).getTime()]);
      const third = await history.search('#', at(1), at(7), 2, second.nextCursor);
      assert.deepEqual(third.records.map((r) => r.receivedAt.getTime()), [at(1).getTime()]);
      assert.equal(third.nextCursor, null);
    });

    it('lists topics with first and last time and count', async () => {
      const a = (await history.topics()).find((t) => t.topic === 'a')!;
      assert.deepEqual([a.firstAt.getTime(), a.lastAt.getTime(), a.count], [at(0).getTime(), at(7).getTime(), 3]);
    });

    it('applies retention by age and by count per topic', async () => {
      await history.insertBatch([record('r', 10), record('r', 11), record('r', 12), record('old', 0)]);
      const deleted = await history.applyRetention(at(1), 2);
      const left = await history.latest('r', 10);
      assert.deepEqual(left.map((r) => r.receivedAt.getTime()), [at(12).getTime(), at(11).getTime()]);
      assert.deepEqual(await history.latest('old', 10), []);
      assert.ok(deleted >= 3);
    });

    it('trims by count only the topics it is given', async () => {
      await history.insertBatch([record('k1', 20), record('k1', 21), record('k1', 22), record('k2', 20), record('k2', 21), record('k2', 22)]);
      assert.equal(await history.applyRetention(at(0), 1, ['k1', 'no-such-topic']), 2);
      assert.deepEqual((await history.latest('k1', 10)).map((r) => r.payload.toString()), ['k1@22']);
      assert.equal((await history.latest('k2', 10)).length, 3, 'k2 was not listed');
    });

    it('stores a block per topic and batch, however many messages it holds', async () => {
      await history.insertBatch([...Array.from({ length: 500 }, (_, i) => record('blk/a', 200 + i)), record('blk/b', 200), record('blk/a', 900)]);
      const blocks = (await ds.query(`SELECT topic, count FROM history_blocks WHERE topic LIKE 'blk/%' ORDER BY topic`)) as Array<{ topic: string; count: number }>;
      assert.deepEqual(blocks, [{ topic: 'blk/a', count: 501 }, { topic: 'blk/b', count: 1 }]);
      assert.equal((await history.latest('blk/a', 1))[0].receivedAt.getTime(), at(900).getTime());
    });

    it('pages in time order across blocks whose times overlap', async () => {
      // Two batches whose messages interleave in time: a page must merge them, not follow the blocks.
      await history.insertBatch([record('mix/x', 1001), record('mix/x', 1003), record('mix/x', 1005)]);
      await history.insertBatch([record('mix/y', 1002), record('mix/y', 1004), record('mix/y', 1006)]);
      const seen: number[] = [];
      let cursor: string | null = null;
      do {
        const page: HistoryPage = await history.search('mix/+', at(1000), at(2000), 2, cursor);
        assert.ok(page.records.length <= 2);
        seen.push(...page.records.map((r) => r.receivedAt.getTime() / 1000 - at(0).getTime() / 1000));
        cursor = page.nextCursor;
      } while (cursor !== null);
      assert.deepEqual(seen, [1006, 1005, 1004, 1003, 1002, 1001]);
      await assert.rejects(history.search('#', at(0), at(1), 1, 'bm90IGEgY3Vyc29y'), RangeError);
    });

    it('cuts a block that straddles the age limit, keeping its newer messages', async () => {
      await history.insertBatch([record('cut', 3000), record('cut', 3001), record('cut', 3002), record('cut', 3003)]);
      const [older] = (await ds.query(`SELECT coalesce(sum(count), 0)::int AS n FROM history_blocks WHERE last_at < $1`, [at(3002)])) as Array<{ n: number }>;
      assert.equal(await history.applyRetention(at(3002), 100, ['cut']), older.n + 2, 'the whole blocks older than the limit, and two messages of the one it cuts');
      const [oldest] = (await ds.query(`SELECT min(first_at) AS t FROM history_blocks`)) as Array<{ t: Date }>;
      assert.ok(oldest.t.getTime() >= at(3002).getTime());
      assert.deepEqual((await history.latest('cut', 10)).map((r) => r.payload.toString()), ['cut@3003', 'cut@3002']);
      const [block] = (await ds.query(`SELECT count, first_at FROM history_blocks WHERE topic = 'cut'`)) as Array<{ count: number; first_at: Date }>;
      assert.deepEqual([block.count, block.first_at.getTime()], [2, at(3002).getTime()]);
    });

    it('matches the publisher, the user and bytes of the payload', async () => {
      const m = (topic: string, seconds: number, payload: string, publisherClientId: string, publisherUsername: string | null): HistoryRecord => ({ ...record(topic, seconds, payload), publisherClientId, publisherUsername });
      await history.insertBatch([m('f/a', 4000, '{"t":21.5}', 'dev-1', 'alice'), m('f/b', 4001, '{"t":99}', 'dev-2', 'bob'), m('f/a', 4002, 'plain 21.5', 'dev-2', null)]);
      const payloads = async (match: Record<string, string>): Promise<string[]> => (await history.search('f/#', at(4000), at(5000), 10, null, match)).records.map((r) => r.payload.toString());
      assert.deepEqual(await payloads({ clientId: 'dev-2' }), ['plain 21.5', '{"t":99}']);
      assert.deepEqual(await payloads({ username: 'alice' }), ['{"t":21.5}']);
      assert.deepEqual(await payloads({ payloadContains: '21.5' }), ['plain 21.5', '{"t":21.5}']);
      assert.deepEqual(await payloads({ payloadContains: '21.5', clientId: 'dev-1' }), ['{"t":21.5}']);
    });

    it('ends a page that found too little after 2048 blocks, with a cursor that goes on from there', async () => {
      // 2,100 blocks (a topic each), the one message wanted in the oldest.
      await history.insertBatch(Array.from({ length: 2100 }, (_, i) => ({ ...record(`scan/${i}`, 6000 + i, i === 0 ? 'needle' : 'hay'), publisherClientId: 'scanner' })));
      const first = await history.search('scan/#', at(6000), at(9000), 10, null, { payloadContains: 'needle' });
      assert.deepEqual(first.records, [], 'nothing among the newest 2048 blocks');
      assert.notEqual(first.nextCursor, null);
      const second = await history.search('scan/#', at(6000), at(9000), 10, first.nextCursor, { payloadContains: 'needle' });
      assert.deepEqual(second.records.map((r) => r.topic), ['scan/0']);
      assert.equal(second.nextCursor, null);
    });
  });
}
