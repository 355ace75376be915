import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DatabaseOptions } from '../database-options';

export type DatabaseKind = 'postgres' | 'pglite';

/** PostgreSQL when TEST_DATABASE_URL is set (as CI sets it), and the embedded database always. */
export function databaseKinds(): DatabaseKind[] {
  return process.env.TEST_DATABASE_URL ? ['postgres', 'pglite'] : ['pglite'];
}

export interface TestDatabase {
  options: DatabaseOptions;
  /** Removes the database, whatever the test left in it. */
  drop(): Promise<void>;
}

/**
 * A database of its own for one test (or benchmark run): a fresh PostgreSQL database created through
 * `adminUrl`, or an in-memory PGlite.
 */
export async function createTestDatabase(kind: DatabaseKind, adminUrl = process.env.TEST_DATABASE_URL, prefix = 'nestmq_test'): Promise<TestDatabase> {
  if (kind === 'pglite') return { options: { dataDir: 'memory://' }, drop: async () => undefined };
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    options: { url: url.toString(), dataDir: 'unused' },
    drop: () => withAdmin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
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
