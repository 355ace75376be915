import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { openDatabase } from '../data-source';
import { TestDatabase, createTestDatabase, databaseKinds } from '../testing/test-database';
import { SessionEvent, SessionEventAction, SessionEventRepository } from './session-event.repository';

const at = (seconds: number): Date => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));
const event = (clientId: string, action: SessionEventAction, seconds: number, username: string | null = 'alice'): SessionEvent => ({
  clientId, username, action, at: at(seconds), details: { n: seconds },
});

for (const kind of databaseKinds()) {
  describe(`SessionEventRepository (${kind})`, () => {
    let db: TestDatabase;
    let ds: DataSource;
    let events: SessionEventRepository;
    beforeAll(async () => {
      db = await createTestDatabase(kind);
      ds = await openDatabase(db.options);
      events = new SessionEventRepository(ds);
      await events.insertBatch([
        event('c1', 'connect', 1),
        event('c1', 'subscribe', 2),
        event('c2', 'connect_refused', 3, 'mallory'),
        event('c1', 'disconnect', 4),
        event('c2', 'connect', 5, 'bob'),
        event('c1', 'connect', 6),
        event('c2', 'kicked', 7, 'bob'),
      ]);
    });
    afterAll(async () => {
      await ds.destroy();
      await db.drop();
    });

    it('stores every column through binary COPY: jsonb details, UTF-8, nulls, milliseconds', async () => {
      const odd: SessionEvent = {
        clientId: 'ünï/✓', username: null, action: 'subscribe', at: new Date(Date.UTC(2026, 4, 6, 7, 8, 9, 123)),
        details: { topics: [{ filter: 'a/+/ü', qos: 1, reasonCode: 1 }], address: '::1', quote: 'say "hi"\n', nothing: null },
      };
      await events.insertBatch([odd, { ...odd, clientId: 'no-details', details: null }]);
      const [stored] = (await events.ofClient('ünï/✓', 10)).events;
      assert.deepEqual({ ...stored, id: undefined }, { ...odd, id: undefined });
      const [bare] = (await events.ofClient('no-details', 10)).events;
      assert.equal(bare.details, null);
      await events.insertBatch(Array.from({ length: 3000 }, (_, i) => event('many', 'subscribe', 100 + i)));
      assert.equal((await events.ofClient('many', 5000)).events.length, 3000);
    });

    it("pages through a client's events newest first with a cursor", async () => {
      const first = await events.ofClient('c1', 3);
      assert.deepEqual(first.events.map((e) => e.action), ['connect', 'disconnect', 'subscribe']);
      assert.deepEqual(first.events[0].details, { n: 6 });
      const second = await events.ofClient('c1', 3, first.nextCursor);
      assert.deepEqual(second.events.map((e) => e.action), ['connect']);
      assert.equal(second.nextCursor, null);
    });

    it('keeps the order of events within the same instant, and pages through them without a skip', async () => {
      const same = new Date(Date.UTC(2026, 1, 1));
      await events.insertBatch(['connect', 'subscribe', 'unsubscribe', 'disconnect'].map((action) => ({ clientId: 'burst', username: null, action: action as SessionEventAction, at: same, details: null })));
      // Rows written with the default now() carry microseconds: the cursor must not round them away.
      await ds.query(`INSERT INTO session_events (client_id, action, at) VALUES ('burst', 'expired', $1::timestamptz + interval '1200 microseconds')`, [same]);
      await ds.query(`INSERT INTO session_events (client_id, action, at) VALUES ('burst', 'kicked', $1::timestamptz + interval '1500 microseconds')`, [same]);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await events.ofClient('burst', 1, cursor);
        seen.push(...page.events.map((e) => e.action));
        cursor = page.nextCursor;
      } while (cursor !== null);
      assert.deepEqual(seen, ['kicked', 'expired', 'disconnect', 'unsubscribe', 'subscribe', 'connect']);
    });

    it('finds events in a time range, by action and by user name', async () => {
      const range = { from: at(2), to: at(7) };
      const all = await events.search(range, 10);
      assert.deepEqual(all.events.map((e) => e.at.getTime()), [6, 5, 4, 3, 2].map((s) => at(s).getTime()));
      const logins = await events.search({ ...range, actions: ['connect', 'connect_refused'] }, 10);
      assert.deepEqual(logins.events.map((e) => [e.clientId, e.action]), [['c1', 'connect'], ['c2', 'connect'], ['c2', 'connect_refused']]);
      const mallory = await events.search({ from: at(0), to: at(100), username: 'mallory' }, 10);
      assert.deepEqual(mallory.events.map((e) => e.action), ['connect_refused']);
      const bobConnects = await events.search({ from: at(0), to: at(100), username: 'bob', actions: ['connect'] }, 10);
      assert.deepEqual(bobConnects.events.map((e) => e.at.getTime()), [at(5).getTime()]);
    });

    it('pages a time range with a cursor', async () => {
      const range = { from: at(1), to: at(8) };
      const first = await events.search(range, 4);
      const second = await events.search(range, 4, first.nextCursor);
      assert.equal(second.nextCursor, null);
      assert.deepEqual([...first.events, ...second.events].map((e) => e.at.getTime()), [7, 6, 5, 4, 3, 2, 1].map((s) => at(s).getTime()));
    });

    it('refuses a cursor it did not make', async () => {
      await assert.rejects(events.ofClient('c1', 1, Buffer.from("1|2'; DROP TABLE x").toString('base64url')), /not a session event cursor/);
    });

    it('deletes what is older than the retention', async () => {
      await events.insertBatch([event('old', 'connect', 0), event('old', 'disconnect', 1)]);
      const deleted = await events.deleteOlderThan(at(1));
      assert.ok(deleted >= 1);
      assert.deepEqual((await events.ofClient('old', 10)).events.map((e) => e.action), ['disconnect']);
      assert.equal(await events.deleteOlderThan(at(0)), 0);
    });
  });
}
