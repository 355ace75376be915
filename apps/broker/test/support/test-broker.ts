import { DatabaseOptions } from '@nestmq/persistence';
import { createTestDatabase, defaultDatabaseKind } from '@nestmq/persistence/testing';
import { BrokerConfig, loadBrokerConfig } from '../../src/config/broker-config';
import { RunningBroker, startBroker } from '../../src/broker-app';

export interface TestBroker extends RunningBroker {
  config: BrokerConfig;
  url: string;
  mqttPort: number;
}

/**
 * A broker in this process on an ephemeral port of 127.0.0.1, anonymous access on, quiet logs, and a
 * database of its own: a fresh database on the PostgreSQL server of TEST_DATABASE_URL when it is set,
 * else on the embedded test server. Closing it drops the database.
 */
export async function startTestBroker(overrides: Partial<BrokerConfig> = {}, env: Record<string, string> = {}): Promise<TestBroker> {
  const db = await createTestDatabase(defaultDatabaseKind());
  let broker: TestBroker;
  try {
    broker = await startBrokerOn(db.options, overrides, env);
  } catch (e) {
    await db.drop();
    throw e;
  }
  return {
    ...broker,
    close: async () => {
      await broker.close();
      await db.drop();
    },
  };
}

/** Like startTestBroker, on a database the caller owns and drops: it outlives the broker, so a test can start another on the same data. */
export async function startBrokerOn(database: DatabaseOptions, overrides: Partial<BrokerConfig> = {}, env: Record<string, string> = {}): Promise<TestBroker> {
  const config: BrokerConfig = {
    ...loadBrokerConfig({ ALLOW_ANONYMOUS: 'true', LOG_LEVEL: 'error', SYS_INTERVAL: '0', BCRYPT_COST: '4', ADMIN_PASSWORD: 'admin-secret', ...env }),
    host: '127.0.0.1',
    mqttPort: 0,
    wsPort: null,
    httpPort: null,
    mqttsPort: null,
    databaseUrl: database.url,
    dataDir: database.dataDir,
    ...overrides,
  };
  const broker = await startBroker(config);
  const mqttPort = config.mqttPort === null ? 0 : broker.port('mqtt');
  return { ...broker, config, mqttPort, url: `mqtt://127.0.0.1:${mqttPort}` };
}
