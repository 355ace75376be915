import { DataSource, MigrationExecutor } from 'typeorm';
import { connectDatabase } from '../data-source';
import { DatabaseOptions } from '../database-options';

/** Migration names (the class names TypeORM records), oldest first. */
export interface MigrationStatus {
  applied: string[];
  pending: string[];
}

/** What the migrations table of an open database says, compared with the migrations this build ships. */
export async function migrationStatus(dataSource: DataSource): Promise<MigrationStatus> {
  // Read-only: a database never migrated has no migrations table, and this does not create one.
  const executor = new MigrationExecutor(dataSource);
  const applied = await executor.getExecutedMigrations();
  const pending = await executor.getPendingMigrations();
  const names = (list: Array<{ timestamp: number; name: string }>): string[] => [...list].sort((a, b) => a.timestamp - b.timestamp).map((m) => m.name);
  return { applied: names(applied), pending: names(pending) };
}

/** Connects without migrating, reads the migration status, and closes again. */
export async function readMigrationStatus(options: DatabaseOptions): Promise<MigrationStatus> {
  const dataSource = await connectDatabase(options);
  try {
    return await migrationStatus(dataSource);
  } finally {
    await dataSource.destroy();
  }
}
