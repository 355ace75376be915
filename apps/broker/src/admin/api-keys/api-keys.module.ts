import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AdminAuthModule } from '../auth/admin-auth.module';
import { ApiKeysResolver } from './api-keys.resolver';
import { ApiKeysService } from './api-keys.service';

@Module({
  imports: [AdminAuthModule, AuditModule],
  providers: [ApiKeysService, ApiKeysResolver],
})
export class ApiKeysModule {}
