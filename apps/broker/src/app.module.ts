import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { AdminModule } from './admin/admin.module';
import { BrokerConfig } from './config/broker-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { SysTopicsModule } from './metrics/sys.module';
import { TransportModule } from './transport/transport.module';
import { BrokerLogging } from './logging/broker-logger';

/** The broker: logging, configuration and database first, then the modules that compose it, and the admin API unless HTTP_PORT=0. */
@Module({})
export class AppModule {
  static forRoot(config: BrokerConfig, dataSource: DataSource, logging?: BrokerLogging): DynamicModule {
    return {
      module: AppModule,
      imports: [
        // The admin API's requests: a request id on what is logged while one is handled, an access log at debug level.
        ...(logging === undefined ? [] : [LoggerModule.forRoot(logging.params)]),
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(dataSource),
        TransportModule,
        SysTopicsModule,
        ...(config.httpPort === null ? [] : [AdminModule.forRoot(config)]),
      ],
    };
  }
}
