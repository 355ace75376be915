import { ConfigError, loadBrokerConfig } from './config/broker-config';
import { loadDotEnv } from './config/dot-env';
import { DatabaseError, describeDatabase } from '@nestmq/persistence';
import { startBroker } from './broker-app';

async function main(): Promise<void> {
  let config;
  try {
    loadDotEnv();
    config = loadBrokerConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`nestmq: configuration error: ${e.message}`);
      process.exit(1);
    }
    throw e;
  }
  console.log(`nestmq: using the ${describeDatabase({ url: config.databaseUrl, dataDir: config.dataDir })}`);
  let broker;
  try {
    broker = await startBroker(config);
  } catch (e) {
    if (e instanceof DatabaseError) {
      console.error(`nestmq: ${e.message}`);
      process.exit(1);
    }
    throw e;
  }
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`nestmq: ${signal} received, shutting down`);
    // Pending writes are flushed while closing; a database that stays away must not hold the exit forever.
    const force = setTimeout(() => {
      console.error('nestmq: shutdown did not finish within 5 s; exiting without it');
      process.exit(1);
    }, 5000);
    force.unref();
    broker.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((e: unknown) => {
  console.error(`nestmq: failed to start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
