import { Module } from '@nestjs/common';
import { AccessModule } from '../../auth/access.module';
import { AuditModule } from '../audit/audit.module';
import { AclResolver } from './acl.resolver';
import { AclService } from './acl.service';
import { AclController } from './acl.controller';

@Module({
  imports: [AccessModule, AuditModule],
  controllers: [AclController],
  providers: [AclService, AclResolver],
})
export class AclModule {}
