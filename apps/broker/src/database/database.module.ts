import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { UserRepository } from '@nestmq/persistence';
import { DataSource } from 'typeorm';
import { BROKER_CONFIG, BrokerConfig } from '../config/broker-config';

/** The DataSource, opened and migrated before Nest starts, so a database failure is one clear line. */
export const DATA_SOURCE = Symbol('DATA_SOURCE');

class DatabaseCloser implements OnApplicationShutdown {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

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
        DatabaseCloser,
      ],
      exports: [DATA_SOURCE, UserRepository],
    };
  }
}
