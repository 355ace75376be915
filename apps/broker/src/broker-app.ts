import 'reflect-metadata';
import { INestApplicationContext, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { openDatabase } from '@nestmq/persistence';
import { AppModule } from './app.module';
import { BrokerConfig } from './config/broker-config';
import { ListenersService } from './transport/listeners.service';

const NEST_LEVELS: Record<BrokerConfig['logLevel'], LogLevel[]> = {
  fatal: ['fatal'],
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  trace: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

/** A running broker: the Nest context and where its listeners are bound. */
export interface RunningBroker {
  app: INestApplicationContext;
  port(kind: 'mqtt' | 'mqtts' | 'ws'): number;
  close(): Promise<void>;
}

/**
 * Starts a broker with an already validated configuration (used by main.ts and by tests). The database
 * is opened and migrated first: its failure is a DatabaseError naming the database and the cause.
 */
export async function startBroker(config: BrokerConfig): Promise<RunningBroker> {
  const dataSource = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  let app: INestApplicationContext;
  try {
    app = await NestFactory.createApplicationContext(AppModule.forRoot(config, dataSource), {
      logger: NEST_LEVELS[config.logLevel],
      abortOnError: false,
    });
    await app.init();
  } catch (e) {
    await dataSource.destroy().catch(() => undefined);
    throw e;
  }
  const listeners = app.get(ListenersService);
  return {
    app,
    port: (kind) => listeners.port(kind),
    close: async () => {
      // The application flushes its pending writes while closing; the database goes last.
      await app.close();
      await dataSource.destroy();
    },
  };
}
