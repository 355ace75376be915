import type { PoolClient } from 'pg';
import { from as copyFromStdin } from 'pg-copy-streams';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';

/** The embedded database's client takes the data in one call (see embedded/pglite-driver). */
interface EmbeddedClient {
  copyFrom(sql: string, data: Uint8Array): Promise<void>;
}

const isEmbedded = (client: unknown): client is EmbeddedClient => typeof (client as Partial<EmbeddedClient>).copyFrom === 'function';

/**
 * Loads rows already encoded in PostgreSQL's binary COPY format into `table (columns)` on the query
 * runner's connection (inside its transaction, if one is open): through the COPY sub-protocol on
 * PostgreSQL, as a blob on the embedded database.
 */
export async function copyRows(runner: QueryRunner, table: string, columns: string, data: Buffer): Promise<void> {
  // TypeORM's postgres query runner keeps its pg client (or our embedded one) as `databaseConnection`.
  await runner.connect();
  const client = (runner as unknown as { databaseConnection: unknown }).databaseConnection;
  if (isEmbedded(client)) return client.copyFrom(`COPY ${table} (${columns}) FROM '/dev/blob' WITH (FORMAT binary)`, data);
  const stream = (client as PoolClient).query(copyFromStdin(`COPY ${table} (${columns}) FROM STDIN WITH (FORMAT binary)`));
  // 'finish' comes once the server has answered the end of the data (its ReadyForQuery).
  await new Promise<void>((resolve, reject) => {
    stream.once('finish', resolve);
    stream.once('error', reject);
    stream.end(data);
  });
}

/** copyRows on a connection of its own, outside any transaction. */
export async function copyBinary(dataSource: DataSource, table: string, columns: string, data: Buffer): Promise<void> {
  const runner = dataSource.createQueryRunner();
  try {
    await copyRows(runner, table, columns, data);
  } finally {
    await runner.release();
  }
}

/** copyRows within the transaction an EntityManager belongs to. */
export function copyRowsIn(manager: EntityManager, table: string, columns: string, data: Buffer): Promise<void> {
  if (manager.queryRunner === undefined) throw new Error('copyRowsIn needs the manager of a transaction');
  return copyRows(manager.queryRunner, table, columns, data);
}
