import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DatabaseOptions } from '../database-options';
import { EmbeddedServer } from '../embedded/embedded-server';
import { isPostgresProcess, isServerOf, readPostmasterPid } from '../embedded/postmaster-pid';

export { EmbeddedServer, isPostgresProcess, readPostmasterPid };

/** A PostgreSQL server (TEST_DATABASE_URL), or the embedded server, with its own version and settings. */
export type DatabaseKind = 'postgres' | 'embedded';

/** PostgreSQL when TEST_DATABASE_URL is set (as CI sets it), and the embedded database always. */
export function databaseKinds(): DatabaseKind[] {
  return process.env.TEST_DATABASE_URL ? ['postgres', 'embedded'] : ['embedded'];
}

/** The kind a test uses when it needs just one: the server CI provides, else the embedded one. */
export function defaultDatabaseKind(): DatabaseKind {
  return process.env.TEST_DATABASE_URL ? 'postgres' : 'embedded';
}

export interface TestDatabase {
  options: DatabaseOptions;
  /** Removes the database, whatever the test left in it. */
  drop(): Promise<void>;
}

/**
 * A database of its own for one test (or benchmark run), created on the PostgreSQL server at
 * `adminUrl` or on the embedded test server.
 */
export async function createTestDatabase(kind: DatabaseKind, adminUrl = process.env.TEST_DATABASE_URL, prefix = 'nestmq_test'): Promise<TestDatabase> {
  const server = kind === 'embedded' ? await embeddedTestServerUrl() : adminUrl;
  if (!server) throw new Error('TEST_DATABASE_URL is not set');
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await withAdmin(server, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(server);
  url.pathname = `/${name}`;
  // The database is elsewhere, but a broker still keeps local state in DATA_DIR (its admin token secret):
  // a folder of the test's own, never the working directory.
  const dataDir = mkdtempSync(join(tmpdir(), 'nestmq-test-data-'));
  return {
    options: { url: url.toString(), dataDir },
    drop: async () => {
      await withAdmin(server, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface EmbeddedTestServer {
  url: string;
  close(): Promise<void>;
}

/**
 * An embedded server in a temporary directory, for a whole test run: the runner starts one and passes
 * its URL on as TEST_EMBEDDED_URL; a test file run on its own starts its own on first use.
 */
export async function startEmbeddedTestServer(): Promise<EmbeddedTestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'nestmq-test-db-'));
  const server = await EmbeddedServer.open(dir);
  return {
    url: server.url,
    close: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let ownServer: Promise<EmbeddedTestServer> | undefined;

function embeddedTestServerUrl(): Promise<string> {
  const given = process.env.TEST_EMBEDDED_URL;
  if (given) return Promise.resolve(given);
  ownServer ??= startEmbeddedTestServer();
  return ownServer.then((s) => s.url);
}

/**
 * Removes a DATA_DIR a test gave a broker, first stopping the embedded server a killed broker left
 * running in it.
 */
export async function removeDataDir(dataDir: string): Promise<void> {
  const cluster = join(dataDir, 'postgres');
  const status = readPostmasterPid(cluster);
  if (status !== undefined && isServerOf(status.pid, cluster)) {
    process.kill(status.pid, 'SIGQUIT');
    const deadline = Date.now() + 10_000;
    while (isPostgresProcess(status.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  }
  rmSync(dataDir, { recursive: true, force: true });
}

async function withAdmin<T>(url: string, action: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await action(client);
  } finally {
    await client.end();
  }
}
