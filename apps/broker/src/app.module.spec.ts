import assert from 'node:assert/strict';
import { afterAll, afterEach, beforeAll, describe, it } from '@jest/globals';
import { Test, TestingModule } from '@nestjs/testing';
import { UserEntity, UserRepository, openDatabase } from '@nestmq/persistence';
import { TestDatabase, createTestDatabase, defaultDatabaseKind } from '@nestmq/persistence/testing';
import mqtt from 'mqtt';
import { DataSource } from 'typeorm';
import { AppModule } from './app.module';
import { AuthModule } from './auth/auth.module';
import { BrokerConfig, loadBrokerConfig } from './config/broker-config';
import { DATA_SOURCE } from './database/database.module';
import { KeepAliveModule } from './keepalive/keepalive.module';
import { QosModule } from './qos/qos.module';
import { SessionModule } from './session/session.module';
import { SESSION_PERSISTENCE } from './session/session-persistence';
import { ListenersService } from './transport/listeners.service';
import { TransportModule } from './transport/transport.module';
import { WillModule } from './will/will.module';

/** The broker's configuration for a module under test: its listener on an ephemeral port of 127.0.0.1 alone. */
function testConfig(env: Record<string, string> = {}): BrokerConfig {
  return {
    ...loadBrokerConfig({ LOG_LEVEL: 'error', SYS_INTERVAL: '0', BCRYPT_COST: '4', ADMIN_PASSWORD: 'admin-secret', ...env }),
    host: '127.0.0.1',
    mqttPort: 0,
    wsPort: null,
    mqttsPort: null,
  };
}

/** Connects with the `mqtt` package; resolves with the CONNACK's reason code (0 = accepted). */
function connackCode(port: number, username: string, password: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, { username, password, protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 10_000 });
    client.once('connect', () => {
      client.end(true);
      resolve(0);
    });
    client.once('error', (e: Error & { code?: number }) => {
      client.end(true);
      if (typeof e.code === 'number') resolve(e.code);
      else reject(e);
    });
  });
}

describe('AppModule built by @nestjs/testing on a test database', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let moduleRef: TestingModule | undefined;
  beforeAll(async () => {
    db = await createTestDatabase(defaultDatabaseKind());
    dataSource = await openDatabase(db.options);
  });
  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
  });
  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  it('resolves the six broker modules, and hands every consumer the DataSource it was given', async () => {
    moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(testConfig(), dataSource)] }).compile();
    for (const module of [TransportModule, SessionModule, AuthModule, QosModule, WillModule, KeepAliveModule]) {
      assert.doesNotThrow(() => moduleRef!.select(module), `${module.name} is part of AppModule`);
    }
    assert.equal(moduleRef.get(DATA_SOURCE), dataSource);
    assert.ok(moduleRef.get(SESSION_PERSISTENCE), 'sessions are persisted through the database module');
  });

  it('starts its listeners on init and answers a real client, with the admin user created in the test database', async () => {
    moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(testConfig(), dataSource)] }).compile();
    await moduleRef.init();
    const port = moduleRef.get(ListenersService).port('mqtt');
    assert.equal(await connackCode(port, 'admin', 'admin-secret'), 0);
    assert.equal(await connackCode(port, 'admin', 'wrong'), 0x86);
    const [admin] = (await dataSource.query(`SELECT roles FROM users WHERE username = 'admin'`)) as Array<{ roles: string[] }>;
    assert.deepEqual(admin.roles, ['admin']);
  });

  it('lets a test swap the user store: CONNECT is decided by the UserRepository provider', async () => {
    // An admin among the stub's users: the start-up creates none. Anything else the broker asked of the
    // repository would be missing here, and fail the test.
    const known = Object.assign(new UserEntity(), { username: 'swapped', roles: ['admin'], enabled: true });
    const users: Partial<UserRepository> = {
      list: async () => [known],
      verify: async (username: string, password: Buffer | string) => (username === 'swapped' && password.toString() === 'from-the-stub' ? known : null),
      findByUsername: async (username: string) => (username === 'swapped' ? known : null),
    };
    moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(testConfig(), dataSource)] })
      .overrideProvider(UserRepository)
      .useValue(users)
      .compile();
    await moduleRef.init();
    const port = moduleRef.get(ListenersService).port('mqtt');
    assert.equal(await connackCode(port, 'swapped', 'from-the-stub'), 0);
    assert.equal(await connackCode(port, 'admin', 'admin-secret'), 0x86, 'the database behind the real repository is not asked');
  });
});
