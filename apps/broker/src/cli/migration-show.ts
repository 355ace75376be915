import 'reflect-metadata';
import { describeDatabase, readMigrationStatus } from '@nestmq/persistence';
import { loadBrokerConfig } from '../config/broker-config';
import { loadDotEnv } from '../config/dot-env';
import { exitOnFailure } from './exit-on-failure';

/** Lists the migrations applied to the broker's database and those still pending, changing nothing. */
async function main(): Promise<void> {
  loadDotEnv();
  const config = loadBrokerConfig();
  // Reading only: while a broker runs on the embedded database, its server is asked.
  const options = { url: config.databaseUrl, dataDir: config.dataDir, attachToRunning: true };
  const { applied, pending } = await readMigrationStatus(options);
  console.log(`migrations of the ${describeDatabase(options)}: ${applied.length} applied, ${pending.length} pending`);
  for (const name of applied) console.log(`[X] ${name}`);
  for (const name of pending) console.log(`[ ] ${name}`);
}

main().then(() => process.exit(0), exitOnFailure);
