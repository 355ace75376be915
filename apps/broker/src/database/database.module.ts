import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { AclRuleRepository, PasswordHasher, ServerSecretRepository, UserRepository } from '@nestmq/persistence';
import { DataSource } from 'typeorm';
import { BROKER_CONFIG, BrokerConfig } from '../config/broker-config';
import { DurableSessions } from '../session/durable-sessions';
import { SESSION_PERSISTENCE } from '../session/session-persistence';

/** The DataSource, opened and migrated before Nest starts, so a database failure is one clear line. */
export const DATA_SOURCE = Symbol('DATA_SOURCE');

/** Private to this module: only the user repository hashes passwords. */
const PASSWORD_HASHER = Symbol('PASSWORD_HASHER');

@Global()
@Module({})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(PASSWORD_HASHER) private readonly passwords: PasswordHasher) {}

  static forRoot(dataSource: DataSource): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        { provide: DATA_SOURCE, useValue: dataSource },
        {
          provide: PASSWORD_HASHER,
          useFactory: (config: BrokerConfig) => new PasswordHasher({ threads: config.bcryptThreads }),
          inject: [BROKER_CONFIG],
        },
        {
          provide: UserRepository,
          useFactory: (config: BrokerConfig, passwords: PasswordHasher) => new UserRepository(dataSource, config.bcryptCost, passwords, config.scramIterations),
          inject: [BROKER_CONFIG, PASSWORD_HASHER],
        },
        { provide: AclRuleRepository, useValue: new AclRuleRepository(dataSource) },
        { provide: ServerSecretRepository, useValue: new ServerSecretRepository(dataSource) },
        { provide: SESSION_PERSISTENCE, useValue: new DurableSessions(dataSource) },
      ],
      exports: [DATA_SOURCE, UserRepository, AclRuleRepository, ServerSecretRepository, SESSION_PERSISTENCE],
    };
  }

  // Listeners have closed by now (beforeApplicationShutdown), so no CONNECT is left waiting on a hash.
  onApplicationShutdown(): Promise<void> {
    return this.passwords.close();
  }
}
