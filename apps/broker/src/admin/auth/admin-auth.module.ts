import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AdminSessionRepository, ApiKeyRepository } from '@nestmq/persistence';
import { DataSource } from 'typeorm';
import { BROKER_CONFIG, BrokerConfig } from '../../config/broker-config';
import { DATA_SOURCE } from '../../database/database.module';
import { AdminAuthController } from './admin-auth.controller';
import { AdminAuthGuard } from './admin-auth.guard';
import { AdminAuthResolver } from './admin-auth.resolver';
import { ADMIN_SESSIONS, ADMIN_TOKENS, AdminAuthService } from './admin-auth.service';
import { AdminTokens } from './admin-tokens';
import { ldapAdminSignIn } from './ldap-admin-sign-in';

@Module({
  controllers: [AdminAuthController],
  providers: [
    {
      provide: ADMIN_TOKENS,
      useFactory: (config: BrokerConfig) => (config.adminJwtSecret !== undefined ? AdminTokens.fromSecret(config.adminJwtSecret) : AdminTokens.fromDataDir(config.dataDir)),
      inject: [BROKER_CONFIG],
    },
    { provide: ADMIN_SESSIONS, useFactory: (dataSource: DataSource) => new AdminSessionRepository(dataSource), inject: [DATA_SOURCE] },
    { provide: ApiKeyRepository, useFactory: (dataSource: DataSource) => new ApiKeyRepository(dataSource), inject: [DATA_SOURCE] },
    ldapAdminSignIn,
    AdminAuthService,
    AdminAuthResolver,
    { provide: APP_GUARD, useClass: AdminAuthGuard },
  ],
  exports: [AdminAuthService, ApiKeyRepository],
})
export class AdminAuthModule {}
