import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { DatabaseError } from './database-error';
import { describeDatabase } from './database-options';
import { openDatabase } from './data-source';
import { createTestDatabase, databaseKinds } from './testing/test-database';

for (const kind of databaseKinds()) {
  describe(`openDatabase (${kind})`, () => {
    it('applies every migration once and records it', async () => {
      const db = await createTestDatabase(kind);
      try {
        const ds = await openDatabase(db.options);
        const tables = (await ds.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`)) as Array<{ table_name: string }>;
        assert.deepEqual(
          tables.map((t) => t.table_name),
          ['acl_rules', 'admin_sessions', 'api_keys', 'audit_log', 'history_blocks', 'inbound_qos2', 'nestmq_migrations', 'retained_messages', 'server_secrets', 'session_events', 'session_messages', 'sessions', 'stored_messages', 'subscriptions', 'table_usage', 'users'],
        );
        assert.deepEqual(await ds.runMigrations(), [], 'nothing left to apply');
        await ds.destroy();
      } finally {
        await db.drop();
      }
    });
  });
}

describe('database errors', () => {
  it('names the database and the cause when it cannot connect', async () => {
    const options = { url: 'postgres://nobody@127.0.0.1:1/nowhere', dataDir: 'unused' };
    await assert.rejects(openDatabase(options), (e: unknown) => {
      assert.ok(e instanceof DatabaseError);
      assert.match(e.message, /^cannot connect to the PostgreSQL at 127\.0\.0\.1:1\/nowhere: .*ECONNREFUSED/);
      return true;
    });
  });

  it('never prints the password of DATABASE_URL', () => {
    assert.equal(describeDatabase({ url: 'postgres://u:secret@db.example:6543/mq', dataDir: 'x' }), 'PostgreSQL at db.example:6543/mq');
    assert.equal(describeDatabase({ dataDir: './data' }), 'embedded PostgreSQL database in ./data');
  });
});
