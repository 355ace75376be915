import { BrokerConfig, ConfigError, loadBrokerConfig } from './config/broker-config';
import { loadDotEnv } from './config/dot-env';
import { DatabaseError, describeDatabase } from '@nestmq/persistence';
import type { Logger } from 'pino';
import { startBroker } from './broker-app';
import { brokerLogging, createLogger } from './logging/broker-logger';
import { lenientLogSettings } from './logging/log-settings';

/** The lines of the process itself (start, shutdown, fatal errors), beside the modules' own. */
const CONTEXT = { context: 'nestmq' };

async function main(): Promise<void> {
  let config: BrokerConfig;
  try {
    loadDotEnv();
    config = loadBrokerConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      // In the format LOG_FORMAT asks for when it is valid itself: a collector still reads the one line.
      createLogger(lenientLogSettings(process.env)).child(CONTEXT).fatal(`configuration error: ${e.message}`);
      process.exit(1);
    }
    throw e;
  }
  const log = brokerLogging({ level: config.logLevel, format: config.logFormat }).root.child(CONTEXT);
  // describeDatabase names the server and database of DATABASE_URL, never its password.
  log.info(`using the ${describeDatabase({ url: config.databaseUrl, dataDir: config.dataDir })}`);
  let broker;
  try {
    broker = await startBroker(config);
  } catch (e) {
    if (e instanceof DatabaseError) {
      log.fatal(e.message);
      process.exit(1);
    }
    fail(log, e);
  }
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal} received, shutting down`);
    // Pending writes are flushed while closing; a database that stays away must not hold the exit forever.
    // Within Docker's default grace period (10 s) before it sends SIGKILL.
    const force = setTimeout(() => {
      log.error('shutdown did not finish within 5 s; exiting without it');
      process.exit(1);
    }, 5000);
    force.unref();
    broker.close().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (e: unknown) => {
        log.error({ err: e }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

function fail(log: Pick<Logger, 'fatal'>, e: unknown): never {
  if (e instanceof Error) log.fatal({ err: e }, `failed to start: ${e.message}`);
  else log.fatal(`failed to start: ${String(e)}`);
  process.exit(1);
}

main().catch((e: unknown) => fail(createLogger(lenientLogSettings(process.env)).child(CONTEXT), e));
