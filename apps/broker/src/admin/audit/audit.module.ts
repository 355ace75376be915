import { Module } from '@nestjs/common';
import { AuditLogRepository } from '@nestmq/persistence';
import { DataSource } from 'typeorm';
import { DATA_SOURCE } from '../../database/database.module';
import { AuditController } from './audit.controller';
import { AuditResolver } from './audit.resolver';
import { AUDIT_LOG, AuditService } from './audit.service';

@Module({
  controllers: [AuditController],
  providers: [{ provide: AUDIT_LOG, useFactory: (dataSource: DataSource) => new AuditLogRepository(dataSource), inject: [DATA_SOURCE] }, AuditService, AuditResolver],
  exports: [AuditService],
})
export class AuditModule {}
