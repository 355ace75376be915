import { DynamicModule, Module } from '@nestjs/common';
import { BrokerConfig } from './config/broker-config';
import { ConfigModule } from './config/config.module';
import { SysTopicsModule } from './metrics/sys.module';
import { TransportModule } from './transport/transport.module';

/** The broker: configuration first, then the modules that compose it. */
@Module({})
export class AppModule {
  static forRoot(config: BrokerConfig): DynamicModule {
    return { module: AppModule, imports: [ConfigModule.forRoot(config), TransportModule, SysTopicsModule] };
  }
}
