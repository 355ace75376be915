import { DynamicModule, Global, Module } from '@nestjs/common';
import { UserRepository } from '@nestmq/persistence';
import { DataSource } from 'typeorm';
import { BROKER_CONFIG, BrokerConfig } from '../config/broker-config';
import { DurableSessions } from '../session/durable-sessions';
import { SESSION_PERSISTENCE } from '../session/session-persistence';

/** The DataSource, opened and migrated before Nest starts, so a database failure is one clear line. */
export const DATA_SOURCE = Symbol('DATA_SOURCE');

@Global()
@Module({})
export class DatabaseModule {
  static forRoot(dataSource: DataSource): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        { provide: DATA_SOURCE, useValue: dataSource },
        {
          provide: UserRepository,
          useFactory: (config: BrokerConfig) => new UserRepository(dataSource, config.bcryptCost),
          inject: [BROKER_CONFIG],
        },
        { provide: SESSION_PERSISTENCE, useValue: new DurableSessions(dataSource) },
      ],
      exports: [DATA_SOURCE, UserRepository, SESSION_PERSISTENCE],
    };
  }
}
