import { DynamicModule, Global, Module } from '@nestjs/common';
import { BROKER_CONFIG, BrokerConfig } from './broker-config';

/** Provides the configuration validated before Nest started, to every module. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: BrokerConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: BROKER_CONFIG, useValue: config }], exports: [BROKER_CONFIG] };
  }
}
