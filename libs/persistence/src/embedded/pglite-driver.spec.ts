import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openDatabase } from '../data-source';

describe('embedded PGlite on its own thread', () => {
  it('keeps the event loop turning while a long query runs', async () => {
    const ds = await openDatabase({ dataDir: 'memory://' });
    try {
      let ticks = 0;
      const timer = setInterval(() => ticks++, 5);
      const started = process.hrtime.bigint();
      // Long enough that timers would visibly stop if the WebAssembly ran on this thread.
      const [row] = (await ds.query(`SELECT sum(i::bigint * i)::text AS s FROM generate_series(1, 3000000) AS i`)) as Array<{ s: string }>;
      const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
      clearInterval(timer);
      assert.equal(row.s, ((3000000n * 3000001n * 6000001n) / 6n).toString());
      assert.ok(elapsedMs > 50, `the query must take a while to prove anything (took ${elapsedMs} ms)`);
      assert.ok(ticks >= 3, `timers fired ${ticks} times during a ${Math.round(elapsedMs)} ms query`);
    } finally {
      await ds.destroy();
    }
  });

  it('gives a transaction the connection to itself', async () => {
    const ds = await openDatabase({ dataDir: 'memory://' });
    try {
      await ds.query(`CREATE TABLE t (n int)`);
      const inside = ds.transaction(async (m) => {
        await m.query(`INSERT INTO t VALUES (1)`);
        // Let the statement below be issued while this transaction is open.
        await new Promise((resolve) => setTimeout(resolve, 20));
        throw new Error('roll back');
      });
      const outside = ds.query(`INSERT INTO t VALUES (2)`);
      await assert.rejects(inside, /roll back/);
      await outside;
      assert.deepEqual(await ds.query(`SELECT n FROM t`), [{ n: 2 }], 'the rollback took only its own row');
    } finally {
      await ds.destroy();
    }
  });

  it('passes PostgreSQL error fields across the thread', async () => {
    const ds = await openDatabase({ dataDir: 'memory://' });
    try {
      await ds.query(`CREATE TABLE u (k text PRIMARY KEY)`);
      await ds.query(`INSERT INTO u VALUES ($1)`, ['a']);
      await assert.rejects(ds.query(`INSERT INTO u VALUES ($1)`, ['a']), (e: { code?: string; message: string }) => {
        assert.equal(e.code, '23505');
        assert.match(e.message, /duplicate key/);
        return true;
      });
      assert.deepEqual(await ds.query(`SELECT k FROM u`), [{ k: 'a' }], 'the connection is usable after an error');
    } finally {
      await ds.destroy();
    }
  });

  it('stores binary values and reopens its files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nestmq-pglite-'));
    try {
      const payload = Buffer.from([0, 1, 2, 255]);
      const first = await openDatabase({ dataDir: dir });
      await first.query(`CREATE TABLE b (v bytea)`);
      await first.query(`INSERT INTO b VALUES ($1)`, [payload]);
      await first.destroy();
      const second = await openDatabase({ dataDir: dir });
      const [row] = (await second.query(`SELECT v FROM b`)) as Array<{ v: Uint8Array }>;
      assert.deepEqual(Buffer.from(row.v), payload);
      await second.destroy();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
