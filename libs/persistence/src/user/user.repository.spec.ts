import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { openDatabase } from '../data-source';
import { TestDatabase, createTestDatabase, databaseKinds } from '../testing/test-database';
import { PasswordHasher } from './password-hasher';
import { UserExistsError, UserRepository } from './user.repository';

for (const kind of databaseKinds()) {
  describe(`UserRepository (${kind})`, () => {
    let db: TestDatabase;
    let ds: DataSource;
    let users: UserRepository;
    let passwords: PasswordHasher;
    beforeAll(async () => {
      db = await createTestDatabase(kind);
      ds = await openDatabase(db.options);
      passwords = new PasswordHasher();
      users = new UserRepository(ds, 4, passwords);
    });
    afterAll(async () => {
      await passwords.close();
      await ds.destroy();
      await db.drop();
    });

    it('stores a bcrypt hash, never the password', async () => {
      const user = await users.create({ username: 'alice', password: 'wonderland', roles: ['admin'] });
      assert.match(user.passwordHash, /^\$2[aby]\$04\$/);
      assert.ok(!user.passwordHash.includes('wonderland'));
      const [row] = (await ds.query(`SELECT password_hash, roles, enabled FROM users WHERE username = 'alice'`)) as Array<{ password_hash: string; roles: string[]; enabled: boolean }>;
      assert.equal(row.password_hash, user.passwordHash);
      assert.deepEqual(row.roles, ['admin']);
      assert.equal(row.enabled, true);
    });

    it('verifies the right password only, and not for a disabled user', async () => {
      await users.create({ username: 'bob', password: 'b0b' });
      assert.equal((await users.verify('bob', 'b0b'))?.username, 'bob');
      assert.equal(await users.verify('bob', 'B0B'), null);
      assert.equal(await users.verify('nobody', 'b0b'), null);
      assert.equal(await users.setEnabled('bob', false), true);
      assert.equal(await users.verify('bob', 'b0b'), null);
    });

    it('compares against a decoy hash for an unknown user, as much work as a wrong password', async () => {
      await users.create({ username: 'erin', password: 'right' });
      const compare = passwords.compare.bind(passwords);
      const compared: string[] = [];
      passwords.compare = (password, hash) => {
        compared.push(hash);
        return compare(password, hash);
      };
      try {
        assert.equal(await users.verify('erin', 'wrong'), null);
        assert.equal(await users.verify('nobody-at-all', 'right'), null);
        assert.equal(await users.verify('nobody-either', 'right'), null);
      } finally {
        Reflect.deleteProperty(passwords, 'compare');
      }
      assert.equal(compared.length, 3);
      assert.match(compared[1], /^\$2[aby]\$04\$/);
      assert.equal(compared[1], compared[2]);
    });

    it('refuses a password over 72 bytes with a clear message instead of cutting it', async () => {
      await assert.rejects(users.create({ username: 'long', password: 'p'.repeat(73) }), (e: unknown) => e instanceof RangeError && /at most 72 bytes/.test(e.message));
      assert.equal(await users.findByUsername('long'), null);
      await users.create({ username: 'long', password: 'p'.repeat(72) });
      await assert.rejects(users.setPassword('long', 'q'.repeat(80)), /at most 72 bytes/);
      assert.ok(await users.verify('long', 'p'.repeat(72)));
      assert.equal(await users.verify('long', 'p'.repeat(73)), null, 'the first 72 bytes are right, the password is not');
    });

    it('verifies the bytes a client sent', async () => {
      await users.create({ username: 'binary', password: 'gr\u00fc\u00df' });
      assert.ok(await users.verify('binary', Buffer.from('gr\u00fc\u00df')));
      assert.equal(await users.verify('binary', Buffer.from('gr\u00fc\u00df', 'latin1')), null);
    });

    it('compares once, at the same cost, for a disabled user and for a stored value that is no bcrypt hash', async () => {
      await users.create({ username: 'frank', password: 'right', enabled: false });
      await users.create({ username: 'locked', password: 'right' });
      await ds.query(`UPDATE users SET password_hash = '!' WHERE username = 'locked'`);
      const compare = passwords.compare.bind(passwords);
      const compared: string[] = [];
      passwords.compare = (password, hash, signal) => {
        compared.push(hash);
        return compare(password, hash, signal);
      };
      try {
        assert.equal(await users.verify('frank', 'right'), null);
        assert.equal(await users.verify('locked', '!'), null);
        assert.equal(await users.verify('locked', 'right'), null);
      } finally {
        Reflect.deleteProperty(passwords, 'compare');
      }
      assert.equal(compared.length, 3);
      for (const hash of compared) assert.match(hash, /^\$2[aby]\$04\$/);
    });

    it('hashes a password made at another cost again at the configured one on its next login', async () => {
      const old = new UserRepository(ds, 5, passwords);
      await old.create({ username: 'grace', password: 'hopper' });
      assert.ok(await users.verify('grace', 'hopper'));
      const deadline = Date.now() + 5000;
      let hash = (await users.findByUsername('grace'))!.passwordHash;
      while (!/^\$2[aby]\$04\$/.test(hash) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
        hash = (await users.findByUsername('grace'))!.passwordHash;
      }
      assert.match(hash, /^\$2[aby]\$04\$/);
      assert.ok(await users.verify('grace', 'hopper'));
      assert.equal(await users.verify('grace', 'wrong'), null);
    });

    it('hashes and checks a password kept outside the table at the configured cost', async () => {
      const hash = await users.hashPassword('static-secret');
      assert.match(hash, /^\$2[aby]\$04\$/);
      assert.equal(await users.matchesHash(Buffer.from('static-secret'), hash), true);
      assert.equal(await users.matchesHash('static-secreT', hash), false);
      await assert.rejects(users.hashPassword('s'.repeat(73)), RangeError);
    });

    it('refuses a second user of the same name', async () => {
      await users.create({ username: 'carol', password: 'x' });
      await assert.rejects(users.create({ username: 'carol', password: 'y' }), UserExistsError);
    });

    it('changes a password and deletes a user', async () => {
      await users.create({ username: 'dave', password: 'old' });
      assert.equal(await users.setPassword('dave', 'new'), true);
      assert.equal(await users.verify('dave', 'old'), null);
      assert.ok(await users.verify('dave', 'new'));
      assert.equal(await users.delete('dave'), true);
      assert.equal(await users.findByUsername('dave'), null);
      assert.equal(await users.delete('dave'), false);
    });
  });
}
