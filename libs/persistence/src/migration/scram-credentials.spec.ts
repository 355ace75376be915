import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { openDatabase } from '../data-source';
import { revertThrough } from '../testing/migrations';
import { createTestDatabase, databaseKinds } from '../testing/test-database';

const MIGRATION = 'ScramCredentials1765040000000';

for (const kind of databaseKinds()) {
  describe(`migration ${MIGRATION} (${kind})`, () => {
    it('adds SCRAM credentials (none for existing users) and the server secrets table, and removes them when reverted', async () => {
      const db = await createTestDatabase(kind);
      const ds = await openDatabase(db.options);
      try {
        const revert = (): Promise<void> => revertThrough(ds, MIGRATION);
        const columns = async (): Promise<string[]> =>
          ((await ds.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'users' ORDER BY column_name`)) as Array<{ column_name: string }>).map((r) => r.column_name);
        const secretsTable = async (): Promise<number> => ((await ds.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'server_secrets'`)) as unknown[]).length;

        await revert();
        assert.ok(!(await columns()).includes('scram_sha_256'));
        assert.equal(await secretsTable(), 0);
        await ds.query(`INSERT INTO users (username, password_hash) VALUES ('old-user', '$2b$04$abcdefghijklmnopqrstuuyvPXIbu7xe6/CED2DzX8z6Si09MlzlW')`);

        await ds.runMigrations({ transaction: 'each' });
        const [row] = (await ds.query(`SELECT username, password_hash, scram_sha_256 FROM users`)) as Array<Record<string, unknown>>;
        assert.deepEqual(row, { username: 'old-user', password_hash: '$2b$04$abcdefghijklmnopqrstuuyvPXIbu7xe6/CED2DzX8z6Si09MlzlW', scram_sha_256: null });
        assert.equal(await secretsTable(), 1);

        await revert();
        assert.ok(!(await columns()).includes('scram_sha_256'));
        assert.equal(await secretsTable(), 0);
        assert.equal(((await ds.query(`SELECT username FROM users`)) as unknown[]).length, 1, 'the users stay');
      } finally {
        await ds.destroy();
        await db.drop();
      }
    });
  });
}
