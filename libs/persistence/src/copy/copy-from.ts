import type { PoolClient } from 'pg';
import { from as copyFromStdin } from 'pg-copy-streams';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';

/**
 * Loads rows already encoded in PostgreSQL's binary COPY format into `table (columns)` on the query
 * runner's connection (inside its transaction, if one is open), through the COPY sub-protocol.
 */
export async function copyRows(runner: QueryRunner, table: string, columns: string, data: Buffer): Promise<void> {
  // TypeORM's postgres query runner keeps its pg client as `databaseConnection`.
  await runner.connect();
  const client = (runner as unknown as { databaseConnection: PoolClient }).databaseConnection;
  const stream = client.query(copyFromStdin(`COPY ${table} (${columns}) FROM STDIN WITH (FORMAT binary)`));
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
