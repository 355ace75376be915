import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { DatabaseError } from './database-error';
import { DatabaseOptions, describeDatabase } from './database-options';
import { EmbeddedDatabaseLock } from './embedded/embedded-lock';
import { pgliteDriver } from './embedded/pglite-driver';
import { UserEntity } from './user/user.entity';

/** Every entity of the schema. */
export const ENTITIES = [UserEntity];

/** Compiled migrations, one file per schema change, from the repository's `migrations/` folder. */
const MIGRATIONS = join(__dirname, '..', '..', '..', 'migrations', 'dist', '*.js');

/** The embedded database's files live in DATA_DIR/pglite. */
function pgliteDataDir(dataDir: string): string {
  return dataDir.startsWith('memory://') ? dataDir : join(dataDir, 'pglite');
}

export function createDataSource(options: DatabaseOptions): DataSource {
  const common = {
    type: 'postgres' as const,
    entities: ENTITIES,
    migrations: [MIGRATIONS],
    migrationsTableName: 'nestmq_migrations',
    // The schema is defined by migrations alone, and needs no extension (gen_random_uuid is built in).
    synchronize: false,
    installExtensions: false,
    logging: options.logging ?? false,
  };
  if (options.url !== undefined) return new DataSource({ ...common, url: options.url });
  return new DataSource({ ...common, driver: pgliteDriver(pgliteDataDir(options.dataDir)) });
}

/**
 * Connects and applies pending migrations. A failure becomes one DatabaseError naming the database and
 * the cause, for the broker to print before it exits.
 */
export async function openDatabase(options: DatabaseOptions): Promise<DataSource> {
  const where = describeDatabase(options);
  const embeddedOnDisk = options.url === undefined && !options.dataDir.startsWith('memory://');
  const lock = embeddedOnDisk ? EmbeddedDatabaseLock.acquire(options.dataDir) : undefined;
  const dataSource = createDataSource(options);
  if (lock) {
    const destroy = dataSource.destroy.bind(dataSource);
    dataSource.destroy = async () => {
      try {
        await destroy();
      } finally {
        lock.release();
      }
    };
  }
  try {
    await dataSource.initialize();
  } catch (e) {
    lock?.release();
    throw new DatabaseError(`cannot connect to the ${where}: ${causeOf(e)}`);
  }
  try {
    await dataSource.runMigrations({ transaction: 'each' });
  } catch (e) {
    await dataSource.destroy().catch(() => undefined);
    throw new DatabaseError(`cannot migrate the ${where}: ${causeOf(e)}`);
  }
  return dataSource;
}

function causeOf(e: unknown): string {
  if (e instanceof AggregateError && e.errors.length > 0) return causeOf(e.errors[0]);
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}
