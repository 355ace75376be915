import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { openDatabase } from '../data-source';
import { revertThrough } from '../testing/migrations';
import { MessageHistoryRepository } from '../message-history/message-history.repository';
import { TableUsage } from '../table-usage/table-usage';
import { createTestDatabase, databaseKinds } from '../testing/test-database';

const MIGRATION = 'HistoryBlocks1764500000000';

/** Messages as the schema before the migration held them: a row each. */
const BEFORE = [
  { topic: 'a/b', payload: 'first', qos: 0, retain: false, properties: null, client: 'pub-1', user: null, at: '2026-01-01T00:00:00.000Z' },
  { topic: 'a/b', payload: '', qos: 1, retain: true, properties: { contentType: 'text/plain', userProperties: [['k', 'v ✓']] }, client: null, user: 'üser', at: '2026-01-01T00:00:01.250Z' },
  { topic: 'ünï/✓', payload: 'x'.repeat(70_000), qos: 2, retain: false, properties: null, client: 'pub-2', user: 'u', at: '1999-12-31T23:59:59.999Z' },
  { topic: 'a/b', payload: 'third', qos: 2, retain: false, properties: { messageExpiryInterval: 5 }, client: 'pub-1', user: null, at: '2026-01-01T00:00:02.000Z' },
];

const rowsOf = async (query: (sql: string) => Promise<unknown>): Promise<unknown[]> =>
  ((await query(
    `SELECT topic, convert_from(payload, 'UTF8') AS payload, qos, retain, properties, publisher_client_id AS client, publisher_username AS user,
            to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at
     FROM message_history ORDER BY id`,
  )) as unknown[]).map((r) => ({ ...(r as object) }));

for (const kind of databaseKinds()) {
  describe(`migration ${MIGRATION} (${kind})`, () => {
    it('moves every recorded message into a block of its own, readable as before, counted, and back into rows when reverted', async () => {
      const db = await createTestDatabase(kind);
      const ds = await openDatabase(db.options);
      try {
        await revertThrough(ds, MIGRATION);
        assert.deepEqual(await ds.query(`SELECT to_regclass('history_blocks') AS t`), [{ t: null }], 'the schema before the migration');
        for (const r of BEFORE) {
          await ds.query(
            `INSERT INTO message_history (topic, payload, qos, retain, properties, publisher_client_id, publisher_username, received_at)
             VALUES ($1, convert_to($2, 'UTF8'), $3, $4, $5, $6, $7, $8)`,
            [r.topic, r.payload, r.qos, r.retain, r.properties === null ? null : JSON.stringify(r.properties), r.client, r.user, r.at],
          );
        }
        const before = await rowsOf((sql) => ds.query(sql));

        await ds.runMigrations({ transaction: 'each' });
        const history = new MessageHistoryRepository(ds);
        const ab = await history.latest('a/b', 10);
        assert.deepEqual(
          ab.map((m) => [m.payload.toString(), m.qos, m.retain, m.properties, m.publisherClientId, m.publisherUsername, m.receivedAt.toISOString()]),
          [...BEFORE.filter((r) => r.topic === 'a/b')].reverse().map((r) => [r.payload, r.qos, r.retain, r.properties, r.client, r.user, r.at]),
        );
        const [old] = await history.latest('ünï/✓', 1);
        assert.equal(old.payload.length, 70_000);
        assert.equal(old.receivedAt.toISOString(), '1999-12-31T23:59:59.999Z');
        const [scan] = (await ds.query(`SELECT count(*)::int AS rows, sum(history_blocks_row_bytes(b))::bigint AS bytes FROM history_blocks b`)) as Array<{ rows: number; bytes: string }>;
        assert.deepEqual(await new TableUsage(ds, 'history_blocks').size(), { rows: 4, bytes: Number(scan.bytes) });

        await revertThrough(ds, MIGRATION);
        assert.deepEqual(await rowsOf((sql) => ds.query(sql)), before, 'every column back as it was');
        const [usage] = (await ds.query(`SELECT rows FROM table_usage WHERE table_name = 'message_history'`)) as Array<{ rows: string }>;
        assert.equal(Number(usage.rows), 4);
      } finally {
        await ds.destroy();
        await db.drop();
      }
    });

    it('compresses blocks with lz4 where the server has it, and otherwise not at all (never with the slow pglz)', async () => {
      const db = await createTestDatabase(kind);
      const ds = await openDatabase(db.options);
      try {
        const [{ lz4 }] = (await ds.query(`SELECT 'lz4' = ANY (enumvals) AS lz4 FROM pg_settings WHERE name = 'default_toast_compression'`)) as Array<{ lz4: boolean }>;
        const [column] = (await ds.query(`SELECT attcompression, attstorage FROM pg_attribute WHERE attrelid = 'history_blocks'::regclass AND attname = 'messages'`)) as Array<{ attcompression: string; attstorage: string }>;
        assert.deepEqual(column, lz4 ? { attcompression: 'l', attstorage: 'x' } : { attcompression: '', attstorage: 'e' });
      } finally {
        await ds.destroy();
        await db.drop();
      }
    });
  });
}
