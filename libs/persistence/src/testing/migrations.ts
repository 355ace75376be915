import type { DataSource } from 'typeorm';

/**
 * Takes a migrated database back to the schema before `migration`: the newer migrations are reverted
 * first, then it. For the specs of one migration's up and down.
 */
export async function revertThrough(ds: DataSource, migration: string): Promise<void> {
  const newest = async (): Promise<string> => ((await ds.query(`SELECT name FROM nestmq_migrations ORDER BY id DESC LIMIT 1`)) as Array<{ name: string }>)[0].name;
  while ((await newest()) !== migration) await ds.undoLastMigration({ transaction: 'each' });
  await ds.undoLastMigration({ transaction: 'each' });
}
