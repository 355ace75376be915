import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { createDataSource, openDatabase } from '../data-source';
import { createTestDatabase, databaseKinds } from '../testing/test-database';
import { migrationStatus, readMigrationStatus } from './migration-status';

const FIRST = 'InitialSchema1764000000000';

for (const kind of databaseKinds()) {
  describe(`migration status (${kind})`, () => {
    it('lists every migration as pending on a fresh database, without creating anything', async () => {
      const db = await createTestDatabase(kind);
      try {
        const status = await readMigrationStatus(db.options);
        assert.deepEqual(status.applied, []);
        assert.equal(status.pending[0], FIRST);
        if (kind === 'postgres') {
          // (An in-memory embedded database is gone once closed; PostgreSQL shows what was left behind.)
          const ds = createDataSource(db.options.url!);
          await ds.initialize();
          const tables = (await ds.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`)) as unknown[];
          await ds.destroy();
          assert.deepEqual(tables, [], 'not even the migrations table');
        }
      } finally {
        await db.drop();
      }
    });

    it('lists them as applied once the database is opened', async () => {
      const db = await createTestDatabase(kind);
      try {
        const ds = await openDatabase(db.options);
        const status = await migrationStatus(ds);
        await ds.destroy();
        assert.equal(status.applied[0], FIRST);
        assert.deepEqual(status.pending, []);
      } finally {
        await db.drop();
      }
    });
  });
}
