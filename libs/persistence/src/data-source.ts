import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AclRuleEntity } from './acl-rule/acl-rule.entity';
import { AdminSessionEntity } from './admin-session/admin-session.entity';
import { ApiKeyEntity } from './api-key/api-key.entity';
import { AuditLogEntity } from './audit-log/audit-log.entity';
import { DatabaseError } from './database-error';
import { DatabaseOptions, describeDatabase } from './database-options';
import { EmbeddedServer } from './embedded/embedded-server';
import { InboundQos2Entity } from './inbound-qos2/inbound-qos2.entity';
import { HistoryBlockEntity } from './message-history/history-block.entity';
import { RetainedMessageEntity } from './retained-message/retained-message.entity';
import { SessionEventEntity } from './session-event/session-event.entity';
import { SessionMessageEntity } from './session-message/session-message.entity';
import { ServerSecretEntity } from './server-secret/server-secret.entity';
import { SessionEntity } from './session/session.entity';
import { StoredMessageEntity } from './stored-message/stored-message.entity';
import { SubscriptionEntity } from './subscription/subscription.entity';
import { TableUsageEntity } from './table-usage/table-usage.entity';
import { UserEntity } from './user/user.entity';

/** Every entity of the schema. */
export const ENTITIES = [
  UserEntity,
  SessionEntity,
  SubscriptionEntity,
  StoredMessageEntity,
  SessionMessageEntity,
  InboundQos2Entity,
  RetainedMessageEntity,
  HistoryBlockEntity,
  SessionEventEntity,
  TableUsageEntity,
  AdminSessionEntity,
  AuditLogEntity,
  AclRuleEntity,
  ApiKeyEntity,
  ServerSecretEntity,
];

/** Compiled migrations, one file per schema change, from the repository's `migrations/` folder. */
const MIGRATIONS = join(__dirname, '..', '..', '..', 'migrations', 'dist', '*.js');

/**
 * How the `pg` pool treats a PostgreSQL server that goes away while the broker runs. Every caller
 * survives a failed query by itself (the write-behind queue retries with backoff, a CONNECT gets 0x88),
 * so the pool's part is to fail fast and never crash the process.
 */
const SERVER_CONNECTIONS = {
  // A server that does not answer fails a connection attempt after 5 s, instead of holding it (and the
  // CONNECT or batch behind it) until the operating system gives up minutes later.
  connectTimeoutMS: 5000,
  // Idle pooled connections to a server that vanished without a word are found by TCP keep-alive.
  extra: { keepAlive: true, keepAliveInitialDelayMillis: 10_000 },
  // An idle pooled connection that drops makes the pool emit 'error', which would end the process if
  // nobody listened. The pool has already discarded that client; the next query opens a new one and
  // its caller reports the failure where it matters.
  poolErrorHandler: (): void => undefined,
};

/** A DataSource for the PostgreSQL server at `url` (not yet initialised). */
export function createDataSource(url: string, logging = false, poolSize?: number): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: [MIGRATIONS],
    migrationsTableName: 'nestmq_migrations',
    // The schema is defined by migrations alone, and needs no extension (gen_random_uuid is built in).
    synchronize: false,
    installExtensions: false,
    logging,
    poolSize,
    ...SERVER_CONNECTIONS,
  });
}

/**
 * Connections to the embedded server: enough for the write-behind batches, history, session events
 * and logins to overlap, few enough that its backends stay small beside the broker.
 */
const EMBEDDED_POOL_SIZE = 8;

/**
 * Connects without migrating: to DATABASE_URL, or to the embedded server, started first (and stopped
 * by `destroy()`). A failure becomes one DatabaseError naming the database and the cause, for the
 * caller to print before it exits.
 */
export async function connectDatabase(options: DatabaseOptions): Promise<DataSource> {
  let server: EmbeddedServer | undefined;
  if (options.url === undefined) {
    try {
      server = await EmbeddedServer.open(options.dataDir, { attach: options.attachToRunning });
    } catch (e) {
      if (e instanceof DatabaseError) throw e;
      throw new DatabaseError(`cannot start the ${describeDatabase(options)}: ${causeOf(e)}`);
    }
  }
  const dataSource = server ? createDataSource(server.url, options.logging, EMBEDDED_POOL_SIZE) : createDataSource(options.url!, options.logging);
  if (server) {
    const destroy = dataSource.destroy.bind(dataSource);
    const stopServer = server.close.bind(server);
    dataSource.destroy = async () => {
      try {
        if (dataSource.isInitialized) await destroy();
      } finally {
        await stopServer();
      }
    };
  }
  try {
    await dataSource.initialize();
  } catch (e) {
    await server?.close();
    throw new DatabaseError(`cannot connect to the ${describeDatabase(options)}: ${causeOf(e)}`);
  }
  return dataSource;
}

/** Applies pending migrations, each in its own transaction; returns the names of those applied, oldest first. */
export async function applyMigrations(dataSource: DataSource, options: DatabaseOptions): Promise<string[]> {
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } catch (e) {
    throw new DatabaseError(`cannot migrate the ${describeDatabase(options)}: ${causeOf(e)}`);
  }
}

/** Connects and applies pending migrations, as the broker does at start-up. */
export async function openDatabase(options: DatabaseOptions): Promise<DataSource> {
  const dataSource = await connectDatabase(options);
  try {
    await applyMigrations(dataSource, options);
  } catch (e) {
    await dataSource.destroy().catch(() => undefined);
    throw e;
  }
  return dataSource;
}

function causeOf(e: unknown): string {
  if (e instanceof AggregateError && e.errors.length > 0) return causeOf(e.errors[0]);
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}
