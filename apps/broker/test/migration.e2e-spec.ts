import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { DatabaseKind, TestDatabase, createTestDatabase, databaseKinds, removeDataDir } from '@nestmq/persistence/testing';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..', '..');
const FIRST = 'InitialSchema1764000000000';

/**
 * Runs an npm script's compiled command as npm would, minus its `npm run build` (the test run is built
 * already, and a build per child would race other suites): the script names are a contract.
 */
function runScript(script: string, env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const entry = /&& node (\S+)$/.exec(scripts[script] ?? '')?.[1];
  assert.ok(entry, `package.json has no script "${script}" ending in "node <file>"`);
  return spawnSync(process.execPath, [join(ROOT, entry)], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 30_000 });
}

/** The environment naming a fresh database of each kind to a child process (an in-memory one would die with it). */
async function freshDatabase(kind: DatabaseKind): Promise<{ env: Record<string, string>; drop: () => Promise<void> }> {
  if (kind === 'postgres') {
    const db: TestDatabase = await createTestDatabase('postgres');
    return { env: { DATABASE_URL: db.options.url! }, drop: () => db.drop() };
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'nestmq-data-'));
  return { env: { DATA_DIR: dataDir }, drop: () => removeDataDir(dataDir) };
}

for (const kind of databaseKinds()) {
  describe(`npm run migration:show / migration:run (${kind})`, () => {
    it('shows the migrations pending, applies them once, then shows them applied', async () => {
      const db = await freshDatabase(kind);
      try {
        const shown = runScript('migration:show', db.env);
        assert.equal(shown.status, 0, shown.stderr);
        assert.match(shown.stdout, /: 0 applied, [1-9]\d* pending/);
        assert.match(shown.stdout, new RegExp(`^\\[ \\] ${FIRST}$`, 'm'));

        const ran = runScript('migration:run', db.env);
        assert.equal(ran.status, 0, ran.stderr);
        assert.match(ran.stdout, new RegExp(`^applied ${FIRST}$`, 'm'));
        assert.match(ran.stdout, /is up to date: [1-9]\d* migration\(s\) applied, none pending/);

        const again = runScript('migration:run', db.env);
        assert.equal(again.status, 0, again.stderr);
        assert.doesNotMatch(again.stdout, /^applied /m, 'nothing applied twice');

        const after = runScript('migration:show', db.env);
        assert.equal(after.status, 0, after.stderr);
        assert.match(after.stdout, /: [1-9]\d* applied, 0 pending/);
        assert.match(after.stdout, new RegExp(`^\\[X\\] ${FIRST}$`, 'm'));
      } finally {
        await db.drop();
      }
    });
  });
}

describe('npm run migration:run / migration:show failures', () => {
  for (const script of ['migration:run', 'migration:show']) {
    it(`${script} exits 1 with one line naming the database it cannot reach`, () => {
      const failed = runScript(script, { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/nestmq' });
      assert.equal(failed.status, 1);
      assert.match(failed.stderr, /^nestmq: cannot connect to the PostgreSQL at 127\.0\.0\.1:1\/nestmq: .*ECONNREFUSED[^\n]*\n$/);
    });
  }

  it('migration:run exits 1 with one line for a bad configuration value', () => {
    const failed = runScript('migration:run', { DATABASE_URL: 'mysql://x' });
    assert.equal(failed.status, 1);
    assert.match(failed.stderr, /^nestmq: DATABASE_URL: expected a postgres:\/\/ URL, got mysql:\/\/\n$/);
  });

  it('migration:run leaves an embedded database another process holds alone', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nestmq-data-'));
    try {
      // This test process plays the running broker: its pid in the lock file, and it is alive.
      writeFileSync(join(dataDir, 'nestmq.pid'), String(process.pid));
      const failed = runScript('migration:run', { DATA_DIR: dataDir });
      assert.equal(failed.status, 1);
      assert.match(failed.stderr, new RegExp(`^nestmq: the embedded database in .* is in use by process ${process.pid}; stop it first\\n$`));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
