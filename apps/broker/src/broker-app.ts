import 'reflect-metadata';
import { INestApplication, INestApplicationContext, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { openDatabase } from '@nestmq/persistence';
import { DataSource } from 'typeorm';
import { limitSubscriptionFrames } from './admin/subscription-frames';
import { serveOpenApi } from './admin/rest/openapi';
import { AppModule } from './app.module';
import { BrokerConfig } from './config/broker-config';
import { ListenersService } from './transport/listeners.service';
import { AdminUiService } from './admin/ui/admin-ui.service';
import { brokerLogging } from './logging/broker-logger';

/** A running broker: the Nest context and where its listeners are bound. */
export interface RunningBroker {
  app: INestApplicationContext;
  port(kind: 'mqtt' | 'mqtts' | 'ws' | 'http'): number;
  close(): Promise<void>;
}

/**
 * Starts a broker with an already validated configuration (used by main.ts and by tests). The database
 * is opened and migrated first: its failure is a DatabaseError naming the database and the cause.
 */
export async function startBroker(config: BrokerConfig): Promise<RunningBroker> {
  const dataSource = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  let started: { app: INestApplicationContext; http?: INestApplication };
  try {
    started = await startApplication(config, dataSource);
  } catch (e) {
    await dataSource.destroy().catch(() => undefined);
    throw e;
  }
  const { app, http } = started;
  const listeners = app.get(ListenersService);
  return {
    app,
    port: (kind) => (kind === 'http' ? httpPort(http) : listeners.port(kind)),
    close: async () => {
      // The application flushes its pending writes while closing; the database goes last.
      await app.close();
      await dataSource.destroy();
    },
  };
}

/**
 * The Nest application: an HTTP one serving the admin API on HTTP_PORT, or a bare context with
 * HTTP_PORT=0. Closed again if it fails to start.
 */
async function startApplication(config: BrokerConfig, dataSource: DataSource): Promise<{ app: INestApplicationContext; http?: INestApplication }> {
  const logging = brokerLogging({ level: config.logLevel, format: config.logFormat });
  const module = AppModule.forRoot(config, dataSource, logging);
  // Nest's own lines and every `new Logger(context)` of the broker go to the pino logger (LOG_LEVEL, LOG_FORMAT).
  const options = { logger: logging.nest, abortOnError: false };
  const http = config.httpPort === null ? undefined : await NestFactory.create(module, options);
  const app = http ?? (await NestFactory.createApplicationContext(module, options));
  try {
    if (http !== undefined) serveOpenApi(http, config);
    await app.init();
    if (http !== undefined) {
      limitSubscriptionFrames(http);
      // After the MQTT listeners (opened at bootstrap): /ready answers only once they are up.
      await http.listen(config.httpPort!, config.host);
      new Logger('Listeners').log(`listening on http://${config.host}:${httpPort(http)} (admin API: /graphql, /api/v1, /health, /ready, /metrics)`);
      logAdminUi(config, http);
    }
  } catch (e) {
    await app.close().catch(() => undefined);
    throw e;
  }
  return { app, http };
}

/** Where to open the admin UI, and how to sign in: printed once the HTTP listener is up. */
function logAdminUi(config: BrokerConfig, http: INestApplication): void {
  const logger = new Logger('AdminUI');
  const ui = http.get(AdminUiService);
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host.includes(':') ? `[${config.host}]` : config.host;
  if (!ui.built()) {
    logger.warn(`the admin UI is not built (${ui.dir}): \`npm start\` builds it, or \`npm run build --prefix apps/admin-ui\``);
    return;
  }
  const password = config.adminPassword === undefined ? 'the password printed when that user was created' : 'the password in ADMIN_PASSWORD';
  logger.log(`admin UI: http://${host}:${httpPort(http)}/ (sign in as "${config.adminUsername}" with ${password})`);
}

function httpPort(http: INestApplication | undefined): number {
  const address = http?.getHttpServer().address() as { port: number } | string | null | undefined;
  if (address === undefined || address === null || typeof address === 'string') throw new Error('no http listener');
  return address.port;
}
