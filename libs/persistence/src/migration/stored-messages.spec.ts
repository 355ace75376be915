import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { openDatabase } from '../data-source';
import { revertThrough } from '../testing/migrations';
import { SessionMessageEntity } from '../session-message/session-message.entity';
import { createTestDatabase, databaseKinds } from '../testing/test-database';
import { DurableState } from '../write-behind/durable-state';

const MIGRATION = 'StoredMessages1764300000000';

/** Queued messages as the schema before the migration held them: the whole message in every session's row. */
const BEFORE = [
  { client: 'c1', topic: 't', payload: 'same', qos: 1, retain: false, properties: null, expires: null, packetId: 3, state: 1 },
  { client: 'c2', topic: 't', payload: 'same', qos: 1, retain: false, properties: null, expires: null, packetId: null, state: 0 },
  { client: 'c3', topic: 't', payload: 'same', qos: 2, retain: true, properties: null, expires: null, packetId: 9, state: 2 },
  { client: 'c1', topic: 't', payload: 'other', qos: 1, retain: false, properties: null, expires: null, packetId: null, state: 0 },
  { client: 'c1', topic: 'u', payload: 'same', qos: 1, retain: false, properties: null, expires: null, packetId: null, state: 0 },
  { client: 'c2', topic: 't', payload: 'same', qos: 1, retain: false, properties: '0300', expires: null, packetId: null, state: 0 },
  { client: 'c3', topic: 't', payload: 'same', qos: 1, retain: false, properties: null, expires: '2030-01-01T00:00:00Z', packetId: null, state: 0 },
];

for (const kind of databaseKinds()) {
  describe(`migration ${MIGRATION} (${kind})`, () => {
    it('moves queued messages into stored messages, one per distinct content, and back when reverted', async () => {
      const db = await createTestDatabase(kind);
      const ds = await openDatabase(db.options);
      try {
        const revert = (): Promise<void> => revertThrough(ds, MIGRATION);
        await revert();
        for (const c of ['c1', 'c2', 'c3']) await ds.query(`INSERT INTO sessions (client_id, protocol_version, expiry_interval) VALUES ($1, 5, 60)`, [c]);
        for (const r of BEFORE) {
          await ds.query(
            `INSERT INTO session_messages (client_id, topic, payload, qos, retain, properties, subscription_ids, expires_at, packet_id, state)
             VALUES ($1, $2, convert_to($3, 'UTF8'), $4, $5, decode($6, 'hex'), '{4}', $7, $8, $9)`,
            [r.client, r.topic, r.payload, r.qos, r.retain, r.properties, r.expires, r.packetId, r.state],
          );
        }

        await ds.runMigrations({ transaction: 'each' });
        const stored = (await ds.query(`SELECT id, topic, convert_from(payload, 'UTF8') AS payload FROM stored_messages ORDER BY id`)) as Array<{ id: string | number; topic: string; payload: string }>;
        assert.deepEqual(
          stored.map((s) => [Number(s.id), s.topic, s.payload]),
          [[1, 't', 'same'], [4, 't', 'other'], [5, 'u', 'same'], [6, 't', 'same'], [7, 't', 'same']],
          'the copies of one content become the first of them; a different topic, payload, properties or expiry is another message',
        );
        const sessions = await new DurableState(ds).sessions();
        const messages = sessions.flatMap((s) => s.messages).sort((a, b) => a.id - b.id);
        assert.deepEqual(
          messages.map((m) => [m.id, m.clientId, m.messageId, m.message.topic, m.message.payload.toString(), m.qos, m.retain, m.subscriptionIds, m.packetId, m.state]),
          [
            [1, 'c1', 1, 't', 'same', 1, false, [4], 3, 1],
            [2, 'c2', 1, 't', 'same', 1, false, [4], 0, 0],
            [3, 'c3', 1, 't', 'same', 2, true, [4], 9, 2],
            [4, 'c1', 4, 't', 'other', 1, false, [4], 0, 0],
            [5, 'c1', 5, 'u', 'same', 1, false, [4], 0, 0],
            [6, 'c2', 6, 't', 'same', 1, false, [4], 0, 0],
            [7, 'c3', 7, 't', 'same', 1, false, [4], 0, 0],
          ],
        );
        assert.deepEqual([...messages[5].message.properties!], [3, 0]);
        assert.equal(messages[6].message.expiresAt?.toISOString(), '2030-01-01T00:00:00.000Z');
        // The sequence carried over still numbers rows written without an id.
        const { identifiers } = await ds.getRepository(SessionMessageEntity).insert({ clientId: 'c1', messageId: 4, qos: 1, retain: false });
        assert.equal(Number(identifiers[0].id), 8);
        await ds.query(`DELETE FROM session_messages WHERE id = 8`);

        await revert();
        const reverted = (await ds.query(
          `SELECT client_id, topic, convert_from(payload, 'UTF8') AS payload, qos, retain, properties, expires_at, packet_id, state FROM session_messages ORDER BY id`,
        )) as Array<Record<string, unknown>>;
        assert.deepEqual(
          reverted.map((r) => [r.client_id, r.topic, r.payload, Number(r.qos), r.retain, r.properties === null ? null : Buffer.from(r.properties as Uint8Array).toString('hex'), r.expires_at === null ? null : new Date(r.expires_at as string).toISOString().replace('.000Z', 'Z'), r.packet_id, Number(r.state)]),
          BEFORE.map((r) => [r.client, r.topic, r.payload, r.qos, r.retain, r.properties, r.expires, r.packetId, r.state]),
        );
        const tables = (await ds.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'stored_messages'`)) as unknown[];
        assert.equal(tables.length, 0);
      } finally {
        await ds.destroy();
        await db.drop();
      }
    });
  });
}
