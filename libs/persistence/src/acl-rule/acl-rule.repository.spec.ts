import assert from 'node:assert/strict';
import { afterAll, beforeAll, beforeEach, describe, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { openDatabase } from '../data-source';
import { TestDatabase, createTestDatabase, databaseKinds } from '../testing/test-database';
import { AclRuleFields, AclRuleRepository } from './acl-rule.repository';

const fields = (topic: string): AclRuleFields => ({ permission: 'allow', action: 'all', topic, username: null, clientId: null, anonymous: false, role: null, comment: null });

for (const kind of databaseKinds()) {
  describe(`AclRuleRepository (${kind})`, () => {
    let db: TestDatabase;
    let ds: DataSource;
    let rules: AclRuleRepository;
    const order = async (): Promise<string[]> => (await rules.list()).map((r) => `${r.position}:${r.topic}`);

    beforeAll(async () => {
      db = await createTestDatabase(kind);
      ds = await openDatabase(db.options);
      rules = new AclRuleRepository(ds);
    });
    afterAll(async () => {
      await ds.destroy();
      await db.drop();
    });
    beforeEach(async () => {
      await ds.query('DELETE FROM acl_rules');
      for (const topic of ['a', 'b', 'c']) await rules.create(fields(topic));
    });

    it('appends by default and inserts at a position, shifting the rules after it', async () => {
      assert.deepEqual(await order(), ['1:a', '2:b', '3:c']);
      await rules.create(fields('first'), 1);
      await rules.create(fields('third'), 3);
      await rules.create(fields('far'), 99);
      assert.deepEqual(await order(), ['1:first', '2:a', '3:third', '4:b', '5:c', '6:far']);
    });

    it('moves a rule up or down, keeping positions 1..n', async () => {
      const [a, , c] = await rules.list();
      await rules.update(c.id, {}, 1);
      assert.deepEqual(await order(), ['1:c', '2:a', '3:b']);
      const change = await rules.update(a.id, { topic: 'a2' }, 3);
      assert.equal(change?.before.topic, 'a');
      assert.equal(change?.after.topic, 'a2');
      assert.deepEqual(await order(), ['1:c', '2:b', '3:a2']);
      await rules.update(a.id, {}, 0);
      assert.deepEqual(await order(), ['1:a2', '2:c', '3:b'], 'below 1 is first');
    });

    it('closes the gap a deleted rule leaves, and answers null for an unknown id', async () => {
      const [, b] = await rules.list();
      assert.equal((await rules.delete(b.id))?.topic, 'b');
      assert.deepEqual(await order(), ['1:a', '2:c']);
      assert.equal(await rules.delete(b.id), null);
      assert.equal(await rules.update(b.id, { topic: 'x' }), null);
    });

    it('keeps positions whole when changes run at once', async () => {
      await Promise.all(Array.from({ length: 12 }, (_, i) => rules.create(fields(`n${i}`), 1 + (i % 4))));
      const positions = (await rules.list()).map((r) => r.position);
      assert.deepEqual(positions, Array.from({ length: 15 }, (_, i) => i + 1));
    });
  });
}
