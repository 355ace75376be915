import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { openDatabase } from '../data-source';
import { ServerSecretRepository } from '../server-secret/server-secret.repository';
import { TestDatabase, createTestDatabase, databaseKinds } from '../testing/test-database';
import { PasswordHasher } from './password-hasher';
import { deriveScramCredentials, parseScramCredentials } from './scram-credentials';
import { UserRepository } from './user.repository';

/** Whether the stored SCRAM credentials are those of `password` (derived again with their salt and count). */
async function scramOf(users: UserRepository, username: string, password: string): Promise<boolean> {
  const stored = parseScramCredentials((await users.findByUsername(username))?.scramSha256);
  if (stored === undefined) return false;
  const again = await deriveScramCredentials(password, stored.iterations, stored.salt);
  return again.storedKey.equals(stored.storedKey) && again.serverKey.equals(stored.serverKey);
}

/** Polls the row until `check` holds: the background write a login starts has no event to wait on. */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`never: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

for (const kind of databaseKinds()) {
  describe(`SCRAM-SHA-256 credentials beside the bcrypt hash (${kind})`, () => {
    let db: TestDatabase;
    let ds: DataSource;
    let users: UserRepository;
    let passwords: PasswordHasher;
    beforeAll(async () => {
      db = await createTestDatabase(kind);
      ds = await openDatabase(db.options);
      passwords = new PasswordHasher();
      users = new UserRepository(ds, 4, passwords, 5000);
    });
    afterAll(async () => {
      await passwords.close();
      await ds.destroy();
      await db.drop();
    });

    it('are made with the configured iterations whenever a password is set: create, change, import', async () => {
      await users.create({ username: 'alice', password: 'wonderland' });
      assert.equal(await scramOf(users, 'alice', 'wonderland'), true);
      assert.equal(parseScramCredentials((await users.findByUsername('alice'))!.scramSha256)!.iterations, 5000);
      assert.ok(!(await users.findByUsername('alice'))!.scramSha256!.includes('wonderland'));
      await users.setPassword('alice', 'looking-glass');
      assert.equal(await scramOf(users, 'alice', 'looking-glass'), true);
      assert.equal(await scramOf(users, 'alice', 'wonderland'), false);
      await users.upsertWithHashes([{ username: 'carol', roles: [], enabled: true, ...(await users.storedPassword('c4rol')) }]);
      assert.equal(await scramOf(users, 'carol', 'c4rol'), true);
      await assert.rejects(users.storedPassword('x'.repeat(73)), RangeError);
    });

    it('are dropped when a bare bcrypt hash replaces the password, so the old password no longer works over SCRAM', async () => {
      await users.create({ username: 'dave', password: 'old' });
      const hash = await users.hashPassword('new');
      await users.upsertWithHashes([{ username: 'dave', passwordHash: hash, roles: [], enabled: true }]);
      assert.equal((await users.findByUsername('dave'))!.scramSha256, null);
    });

    it('are filled in on the next successful password login of a user that has none, never on a failed one', async () => {
      await users.create({ username: 'erin', password: 'before-scram' });
      await ds.query(`UPDATE users SET scram_sha_256 = NULL WHERE username = 'erin'`);
      assert.equal(await users.verify('erin', 'wrong'), null);
      assert.ok(await users.verify('erin', Buffer.from('before-scram')));
      await eventually(() => scramOf(users, 'erin', 'before-scram'), 'the credentials are filled in');
      // A user hashed at another cost gets both at once.
      await new UserRepository(ds, 5, passwords).create({ username: 'frank', password: 'f' });
      await ds.query(`UPDATE users SET scram_sha_256 = NULL WHERE username = 'frank'`);
      assert.ok(await users.verify('frank', 'f'));
      await eventually(() => scramOf(users, 'frank', 'f'), 'rehashed with credentials');
      assert.match((await users.findByUsername('frank'))!.passwordHash, /^\$2[aby]\$04\$/);
    });

    it('keep a server secret of 32 bytes, the same on every call and for every repository on the database', async () => {
      const a = await new ServerSecretRepository(ds).get('test');
      const [b, c] = await Promise.all([new ServerSecretRepository(ds).get('test'), new ServerSecretRepository(ds).get('test')]);
      assert.equal(a.length, 32);
      assert.deepEqual(b, a);
      assert.deepEqual(c, a);
      assert.notDeepEqual(await new ServerSecretRepository(ds).get('other'), a);
    });
  });
}
