import { DynamicModule, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AdminModule } from './admin/admin.module';
import { BrokerConfig } from './config/broker-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { SysTopicsModule } from './metrics/sys.module';
import { TransportModule } from './transport/transport.module';

/** The broker: configuration and database first, then the modules that compose it, and the admin API unless HTTP_PORT=0. */
@Module({})
export class AppModule {
  static forRoot(config: BrokerConfig, dataSource: DataSource): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(dataSource),
        TransportModule,
        SysTopicsModule,
        ...(config.httpPort === null ? [] : [AdminModule.forRoot(config)]),
      ],
    };
  }
}
