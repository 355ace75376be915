import 'reflect-metadata';
import { applyMigrations, connectDatabase, describeDatabase, migrationStatus } from '@nestmq/persistence';
import { loadBrokerConfig } from '../config/broker-config';
import { loadDotEnv } from '../config/dot-env';
import { exitOnFailure } from './exit-on-failure';

/**
 * Applies the pending migrations to the broker's database (the one DATABASE_URL / DATA_DIR name), the
 * same way the broker does at start-up, and prints which ones it applied.
 */
async function main(): Promise<void> {
  loadDotEnv();
  const config = loadBrokerConfig();
  const options = { url: config.databaseUrl, dataDir: config.dataDir };
  const dataSource = await connectDatabase(options);
  try {
    for (const name of await applyMigrations(dataSource, options)) console.log(`applied ${name}`);
    const { applied } = await migrationStatus(dataSource);
    console.log(`the ${describeDatabase(options)} is up to date: ${applied.length} migration(s) applied, none pending`);
  } finally {
    await dataSource.destroy();
  }
}

main().then(() => process.exit(0), exitOnFailure);
