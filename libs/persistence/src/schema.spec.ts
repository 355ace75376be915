import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { ENTITIES, openDatabase } from './data-source';
import { InboundQos2Entity } from './inbound-qos2/inbound-qos2.entity';
import { SessionMessageEntity } from './session-message/session-message.entity';
import { SessionEntity } from './session/session.entity';
import { StoredMessageEntity } from './stored-message/stored-message.entity';
import { SubscriptionEntity } from './subscription/subscription.entity';
import { TestDatabase, createTestDatabase, databaseKinds } from './testing/test-database';

/** The tables the migrations create, besides TypeORM's own migrations table. */
const TABLES = ['acl_rules', 'admin_sessions', 'api_keys', 'audit_log', 'history_blocks', 'inbound_qos2', 'retained_messages', 'server_secrets', 'session_events', 'session_messages', 'sessions', 'stored_messages', 'subscriptions', 'table_usage', 'users'];

for (const kind of databaseKinds()) {
  describe(`entities and migrations (${kind})`, () => {
    let db: TestDatabase;
    let ds: DataSource;
    beforeAll(async () => {
      db = await createTestDatabase(kind);
      ds = await openDatabase(db.options);
    });
    afterAll(async () => {
      await ds.destroy();
      await db.drop();
    });

    it('describe the same schema: synchronize would change nothing', async () => {
      // The schema builder compares only tables that have an entity, so first: every table has one.
      assert.deepEqual(ds.entityMetadatas.map((m) => m.tableName).sort(), TABLES);
      const planned = await ds.driver.createSchemaBuilder().log();
      const queries = planned.upQueries.map((q) => q.query);
      assert.equal(queries.length, 0, `the entities differ from the migrated schema; synchronize would run:\n${queries.join(';\n')}`);
    });

    it('read and write rows, and deleting a session deletes what belongs to it', async () => {
      const sessions = ds.getRepository(SessionEntity);
      await sessions.insert({ clientId: 'c1', protocolVersion: 5, expiryInterval: 4294967295, willDelayInterval: 30 });
      await ds.getRepository(SubscriptionEntity).insert({ clientId: 'c1', topicFilter: 'a/#', qos: 1 });
      await ds.getRepository(StoredMessageEntity).insert({ id: 7, topic: 'a/b', payload: Buffer.from('hi'), qos: 2, retain: true });
      await ds.getRepository(SessionMessageEntity).insert({ clientId: 'c1', messageId: 7, qos: 1, retain: false, subscriptionIds: [1, 2] });
      await ds.getRepository(InboundQos2Entity).insert({ clientId: 'c1', packetId: 9 });

      const stored = await sessions.findOneOrFail({ where: { clientId: 'c1' }, relations: { subscriptions: true, messages: { message: true }, inboundQos2: true } });
      assert.equal(stored.expiryInterval, 4294967295);
      assert.equal(stored.willDelayInterval, 30);
      assert.ok(stored.lastConnectAt instanceof Date);
      assert.deepEqual(stored.subscriptions?.map((s) => [s.topicFilter, s.qos, s.noLocal, s.retainHandling, s.subscriptionId]), [['a/#', 1, false, 0, 0]]);
      assert.deepEqual(stored.messages?.map((m) => [m.id, m.messageId, m.message?.payload.toString(), m.message?.qos, m.qos, m.subscriptionIds, m.state]), [[1, 7, 'hi', 2, 1, [1, 2], 0]]);
      assert.ok(stored.messages?.[0].message?.receivedAt instanceof Date);
      assert.deepEqual(stored.inboundQos2?.map((q) => q.packetId), [9]);

      await sessions.delete({ clientId: 'c1' });
      for (const entity of [SubscriptionEntity, InboundQos2Entity]) {
        assert.equal(await ds.getRepository(entity).count(), 0, `${entity.name} rows deleted with their session`);
      }
      // Queued messages have no foreign key (its check cost a row lock per message), nor have their
      // references to stored messages: their owner deletes them.
      assert.equal(await ds.getRepository(SessionMessageEntity).count(), 1);
      assert.equal(await ds.getRepository(StoredMessageEntity).count(), 1);
      await ds.getRepository(SessionMessageEntity).delete({ clientId: 'c1' });
      await ds.getRepository(StoredMessageEntity).delete({ id: 7 });
    });
  });
}

// The DataSource is built from ENTITIES: a new table's entity left out of it would go unnoticed.
describe('ENTITIES', () => {
  it('lists one entity per table', () => assert.equal(ENTITIES.length, TABLES.length));
});
