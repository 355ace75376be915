import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from '@jest/globals';
import { Client } from 'pg';
import { DatabaseError } from '../database-error';
import { EmbeddedServer } from './embedded-server';
import { isPostgresProcess, readPostmasterPid } from './postmaster-pid';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A DATA_DIR of mode 0700, as mkdtemp makes it: when these tests run as root, the server's account cannot enter it. */
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nestmq-embedded-'));
  dirs.push(dir);
  return dir;
}

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Opens the embedded database in a child process that prints the URL and waits to be killed. */
async function ownerProcess(dir: string): Promise<{ child: ChildProcess; url: string }> {
  const script = `require(${JSON.stringify(join(__dirname, 'embedded-server.js'))}).EmbeddedServer.open(${JSON.stringify(dir)}).then((s) => { console.log(s.url); setInterval(() => undefined, 1000); })`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    child.once('exit', (code) => reject(new Error(`the owner exited with ${code}`)));
  });
  return { child, url };
}

describe('EmbeddedServer', () => {
  it('creates a cluster on first use and serves it on 127.0.0.1 behind a generated password', async () => {
    const dir = dataDir();
    const server = await EmbeddedServer.open(dir);
    try {
      const url = new URL(server.url);
      assert.equal(url.hostname, '127.0.0.1');
      const [row] = await query<{ version: string }>(server.url, 'SELECT version()');
      assert.match(row.version, /^PostgreSQL 18\./);
      assert.equal(statSync(join(dir, 'postgres.password')).mode & 0o777, 0o600, 'the password is readable by its owner alone');
      const cluster = statSync(join(dir, 'postgres'));
      assert.equal(cluster.mode & 0o777, 0o700);
      // PostgreSQL never runs as root: a root process runs it as nobody.
      if (process.getuid?.() === 0) assert.notEqual(cluster.uid, 0);
      else assert.equal(cluster.uid, process.getuid?.());
      url.password = 'wrong';
      await assert.rejects(query(url.toString(), 'SELECT 1'), /password authentication failed/);
      assert.deepEqual([...readdirSync(dir)].sort(), ['nestmq.pid', 'postgres', 'postgres.log', 'postgres.password'], 'no initdb leftovers');
    } finally {
      await server.close();
    }
  });

  it('keeps PostgreSQL durability and autovacuum, and leaves out what one broker does not need', async () => {
    const server = await EmbeddedServer.open(dataDir());
    try {
      const settings = await query<{ name: string; setting: string }>(
        server.url,
        `SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'autovacuum', 'full_page_writes', 'listen_addresses', 'wal_level', 'max_parallel_workers_per_gather', 'jit')`,
      );
      assert.deepEqual(Object.fromEntries(settings.map((s) => [s.name, s.setting])), {
        autovacuum: 'on',
        fsync: 'on',
        full_page_writes: 'on',
        jit: 'off',
        listen_addresses: '127.0.0.1',
        max_parallel_workers_per_gather: '0',
        synchronous_commit: 'on',
        wal_level: 'minimal',
      });
      const processes = await query<{ backend_type: string }>(server.url, `SELECT backend_type FROM pg_stat_activity WHERE backend_type <> 'client backend' ORDER BY 1`);
      assert.ok(processes.some((p) => p.backend_type === 'autovacuum launcher'), 'autovacuum reclaims what retention deletes');
      assert.ok(!processes.some((p) => /io worker|logical replication launcher|walsender/.test(p.backend_type)), processes.map((p) => p.backend_type).join(', '));
    } finally {
      await server.close();
    }
  });

  it('stops its server on close, keeps the data for the next open, and frees the lock', async () => {
    const dir = dataDir();
    const first = await EmbeddedServer.open(dir);
    await query(first.url, 'CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)');
    const pid = readPostmasterPid(join(dir, 'postgres'))!.pid;
    await first.close();
    assert.equal(isPostgresProcess(pid), false);
    assert.ok(!readdirSync(dir).includes('nestmq.pid'));
    const second = await EmbeddedServer.open(dir);
    try {
      assert.deepEqual(await query(second.url, 'SELECT n FROM kept'), [{ n: 42 }]);
    } finally {
      await second.close();
    }
  });

  it('refuses a second owner while one lives, and lets a tool attach to the running server instead', async () => {
    const dir = dataDir();
    const owner = await ownerProcess(dir);
    try {
      await assert.rejects(EmbeddedServer.open(dir), (e: unknown) => e instanceof DatabaseError && e.message.includes(`in use by process ${owner.child.pid}`));
      const attached = await EmbeddedServer.open(dir, { attach: true });
      assert.equal(attached.url, owner.url);
      await query(attached.url, 'SELECT 1');
      await attached.close();
      assert.ok(isPostgresProcess(readPostmasterPid(join(dir, 'postgres'))!.pid), 'letting go leaves the owner\'s server running');
    } finally {
      owner.child.kill('SIGKILL');
      await new Promise((resolve) => owner.child.once('exit', resolve));
      // The next owner stops the server the killed one left.
      await (await EmbeddedServer.open(dir)).close();
    }
  });

  it('stops the server an owner killed with SIGKILL left running, then starts its own on the same data', async () => {
    const dir = dataDir();
    const owner = await ownerProcess(dir);
    await query(owner.url, 'CREATE TABLE kept (n int); INSERT INTO kept VALUES (7)');
    owner.child.kill('SIGKILL');
    await new Promise((resolve) => owner.child.once('exit', resolve));
    const left = readPostmasterPid(join(dir, 'postgres'))!.pid;
    assert.ok(isPostgresProcess(left), 'the killed owner could not stop its server');
    const server = await EmbeddedServer.open(dir);
    try {
      assert.equal(isPostgresProcess(left), false);
      assert.deepEqual(await query(server.url, 'SELECT n FROM kept'), [{ n: 7 }]);
    } finally {
      await server.close();
    }
  });

  it('starts over after an initialisation that was cut short, and refuses a data directory that is not its own', async () => {
    const dir = dataDir();
    mkdirSync(join(dir, 'postgres.init'));
    writeFileSync(join(dir, 'postgres.init', 'PG_VERSION'), 'half-done');
    const server = await EmbeddedServer.open(dir);
    await server.close();
    assert.ok(!readdirSync(dir).includes('postgres.init'));

    const foreign = dataDir();
    mkdirSync(join(foreign, 'postgres'));
    writeFileSync(join(foreign, 'postgres', 'notes.txt'), 'mine');
    await assert.rejects(EmbeddedServer.open(foreign), (e: unknown) => e instanceof DatabaseError && /postgres is not a PostgreSQL data directory; move it away/.test(e.message));
    assert.ok(!readdirSync(foreign).includes('nestmq.pid'), 'a failed open lets go of the lock');
  });

  it('starts despite a pid file that names a live process which is not its server (a restarted machine gave the pid away)', async () => {
    const dir = dataDir();
    await (await EmbeddedServer.open(dir)).close();
    const pidFile = join(dir, 'postgres', 'postmaster.pid');
    writeFileSync(pidFile, `${process.pid}\n${join(dir, 'postgres')}\n0\n5432\n\n127.0.0.1\n0 0\nready   \n`);
    const server = await EmbeddedServer.open(dir);
    try {
      assert.notEqual(readPostmasterPid(join(dir, 'postgres'))!.pid, process.pid);
      await query(server.url, 'SELECT 1');
    } finally {
      await server.close();
    }
  });
});
