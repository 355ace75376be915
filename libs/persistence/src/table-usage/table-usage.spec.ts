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

/** A history row as message_history_row_bytes counts it: 160, the topic twice, the payload, the client id 'pub'. */
const rowBytes = (topic: string, payload: string): number => 160 + 2 * Buffer.byteLength(topic) + Buffer.byteLength(payload) + 3;

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
      usage = new TableUsage(ds, 'message_history');
    });
    beforeEach(() => ds.query('TRUNCATE message_history, session_events'));
    afterAll(async () => {
      await ds.destroy();
      await db.drop();
    });

    it('counts a row as its texts and payload, its topic once more, plus 160 bytes', async () => {
      assert.deepEqual(await usage.size(), { rows: 0, bytes: 0 });
      await history.insertBatch([message('a/b', 'xyz')]);
      assert.deepEqual(await usage.size(), { rows: 1, bytes: rowBytes('a/b', 'xyz') });
    });

    it('follows COPY batches, DELETE and TRUNCATE, equal to a scan of the table', async () => {
      await history.insertBatch(Array.from({ length: 300 }, (_, i) => message(`t/${i % 7}`, 'p'.repeat(i), i % 3 === 0 ? { userProperties: [['k', 'v'.repeat(i)]] } : null)));
      await history.insertBatch([message('big', 'x'.repeat(300_000))]);
      assert.deepEqual(await usage.size(), await scanned('message_history'));
      await ds.query(`DELETE FROM message_history WHERE topic = 't/3'`);
      assert.deepEqual(await usage.size(), await scanned('message_history'));
      assert.equal((await usage.size()).rows, 300 - 43 + 1);
      await ds.query('TRUNCATE message_history');
      assert.deepEqual(await usage.size(), { rows: 0, bytes: 0 });
    });

    it('trims the oldest rows to the bound, and only as many as needed', async () => {
      await history.insertBatch(Array.from({ length: 100 }, (_, i) => message(`t/${String(i).padStart(2, '0')}`, 'p'.repeat(100))));
      const row = rowBytes('t/00', 'p'.repeat(100));
      assert.equal((await usage.size()).bytes, 100 * row);
      assert.equal(await usage.trimTo(100 * row), 0, 'nothing to trim at the bound');
      assert.equal(await usage.trimTo(60 * row + 1), 40);
      const left = (await ds.query(`SELECT topic FROM message_history ORDER BY id`)) as Array<{ topic: string }>;
      assert.deepEqual(left.map((r) => r.topic), Array.from({ length: 60 }, (_, i) => `t/${String(i + 40).padStart(2, '0')}`));
      assert.deepEqual(await usage.size(), { rows: 60, bytes: 60 * row });
    });

    it('counts the rows a table already held when the migration ran, and reverts cleanly', async () => {
      await ds.undoLastMigration({ transaction: 'each' });
      await history.insertBatch(Array.from({ length: 40 }, (_, i) => message(`before/${i}`, 'x'.repeat(i))));
      await ds.runMigrations({ transaction: 'each' });
      assert.equal((await usage.size()).rows, 40);
      assert.deepEqual(await usage.size(), await scanned('message_history'));
    });

    it('trims an excess larger than one slice in several statements', async () => {
      await history.insertBatch(Array.from({ length: 12_000 }, (_, i) => message('many', String(i % 10))));
      assert.equal(await usage.trimTo(1000 * rowBytes('many', '0')), 11_000);
      const [span] = (await ds.query(`SELECT (max(id) - min(id))::int AS ids FROM message_history`)) as Array<{ ids: number }>;
      assert.equal(span.ids, 999, 'the newest 1000 rows are left, one run of ids');
      assert.deepEqual(await usage.size(), await scanned('message_history'));
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
