import assert from 'node:assert/strict';
import { afterAll, beforeAll, beforeEach, describe, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { openDatabase } from '../data-source';
import { HistoryRecord, MessageHistoryRepository } from '../message-history/message-history.repository';
import { SessionEventRepository } from '../session-event/session-event.repository';
import { TestDatabase, createTestDatabase, databaseKinds } from '../testing/test-database';
import { CountedTable, TableUsage } from './table-usage';

const message = (topic: string, payload: string, properties: Record<string, unknown> | null = null): HistoryRecord => ({
  topic, payload: Buffer.from(payload), qos: 0, retain: false, properties, publisherClientId: 'pub', publisherUsername: null, receivedAt: new Date(),
});

/**
 * A history block of one message as history_blocks_row_bytes counts it: 160, the topic twice, and the
 * encoded message (time 8, flags 1, the payload with its length 4, the client id 'pub' with its length 4).
 */
const blockBytes = (topic: string, payload: string): number => 160 + 2 * Buffer.byteLength(topic) + 8 + 1 + 4 + Buffer.byteLength(payload) + 4 + 3;

for (const kind of databaseKinds()) {
  describe(`TableUsage (${kind})`, () => {
    let db: TestDatabase;
    let ds: DataSource;
    let history: MessageHistoryRepository;
    let usage: TableUsage;
    /** What the counted size must always equal: the same function over every row, by a full scan. */
    const scanned = async (table: CountedTable): Promise<{ rows: number; bytes: number }> => {
      const [row] = (await ds.query(`SELECT count(*)::bigint AS rows, coalesce(sum(${table}_row_bytes(t)), 0)::bigint AS bytes FROM ${table} t`)) as Array<Record<string, string>>;
      return { rows: Number(row.rows), bytes: Number(row.bytes) };
    };
    beforeAll(async () => {
      db = await createTestDatabase(kind);
      ds = await openDatabase(db.options);
      history = new MessageHistoryRepository(ds);
      usage = new TableUsage(ds, 'history_blocks');
    });
    beforeEach(() => ds.query('TRUNCATE history_blocks, session_events'));
    afterAll(async () => {
      await ds.destroy();
      await db.drop();
    });

    it('counts a block as its encoded messages, its topic once more, plus 160 bytes', async () => {
      assert.deepEqual(await usage.size(), { rows: 0, bytes: 0 });
      await history.insertBatch([message('a/b', 'xyz')]);
      assert.deepEqual(await usage.size(), { rows: 1, bytes: blockBytes('a/b', 'xyz') });
    });

    it('follows COPY batches, DELETE, retention and TRUNCATE, equal to a scan of the table', async () => {
      await history.insertBatch(Array.from({ length: 300 }, (_, i) => message(`t/${i % 7}`, 'p'.repeat(i), i % 3 === 0 ? { userProperties: [['k', 'v'.repeat(i)]] } : null)));
      await history.insertBatch([message('big', 'x'.repeat(300_000))]);
      assert.deepEqual(await usage.size(), await scanned('history_blocks'));
      assert.equal((await usage.size()).rows, 7 + 1, 'a block per topic and batch');
      await ds.query(`DELETE FROM history_blocks WHERE topic = 't/3'`);
      assert.deepEqual(await usage.size(), await scanned('history_blocks'));
      assert.equal((await usage.size()).rows, 7);
      // Retention rewrites the blocks it cuts through: counted out at their old size, in at the new.
      assert.equal(await history.applyRetention(new Date(0), 10), 5 * (43 - 10) + (42 - 10));
      assert.deepEqual(await usage.size(), await scanned('history_blocks'));
      await ds.query('TRUNCATE history_blocks');
      assert.deepEqual(await usage.size(), { rows: 0, bytes: 0 });
    });

    it('trims the oldest blocks to the bound, and only as many as needed', async () => {
      await history.insertBatch(Array.from({ length: 100 }, (_, i) => message(`t/${String(i).padStart(2, '0')}`, 'p'.repeat(100))));
      const row = blockBytes('t/00', 'p'.repeat(100));
      assert.equal((await usage.size()).bytes, 100 * row);
      assert.equal(await usage.trimTo(100 * row), 0, 'nothing to trim at the bound');
      assert.equal(await usage.trimTo(60 * row + 1), 40);
      const left = (await ds.query(`SELECT topic FROM history_blocks ORDER BY id`)) as Array<{ topic: string }>;
      assert.deepEqual(left.map((r) => r.topic), Array.from({ length: 60 }, (_, i) => `t/${String(i + 40).padStart(2, '0')}`));
      assert.deepEqual(await usage.size(), { rows: 60, bytes: 60 * row });
    });

    it('trims an excess larger than one slice in several statements', async () => {
      const topic = (i: number): string => `m/${String(i).padStart(5, '0')}`;
      await history.insertBatch(Array.from({ length: 12_000 }, (_, i) => message(topic(i), String(i % 10))));
      assert.equal(await usage.trimTo(1000 * blockBytes(topic(0), '0')), 11_000);
      const [span] = (await ds.query(`SELECT (max(id) - min(id))::int AS ids, min(topic) AS oldest FROM history_blocks`)) as Array<{ ids: number; oldest: string }>;
      assert.deepEqual(span, { ids: 999, oldest: topic(11_000) }, 'the newest 1000 blocks are left, one run of ids');
      assert.deepEqual(await usage.size(), await scanned('history_blocks'));
      assert.equal((await usage.size()).rows, 1000);
    });

    it('counts and trims session events the same way', async () => {
      const events = new SessionEventRepository(ds);
      const eventUsage = new TableUsage(ds, 'session_events');
      await events.insertBatch(
        Array.from({ length: 50 }, (_, i) => ({ clientId: `client-${i}`, username: i % 2 ? 'u' : null, action: 'connect' as const, at: new Date(), details: { address: '127.0.0.1', n: i } })),
      );
      assert.deepEqual(await eventUsage.size(), await scanned('session_events'));
      const { bytes } = await eventUsage.size();
      const deleted = await eventUsage.trimTo(Math.floor(bytes / 2));
      assert.ok(deleted >= 24 && deleted <= 26, `deleted ${deleted}`);
      const left = (await ds.query(`SELECT client_id FROM session_events ORDER BY id LIMIT 1`)) as Array<{ client_id: string }>;
      assert.equal(left[0].client_id, `client-${deleted}`, 'the oldest went first');
      assert.ok((await eventUsage.size()).bytes <= Math.floor(bytes / 2));
      assert.deepEqual(await eventUsage.size(), await scanned('session_events'));
    });
  });
}
