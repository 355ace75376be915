import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AdminAuthModule } from '../auth/admin-auth.module';
import { ApiKeysResolver } from './api-keys.resolver';
import { ApiKeysService } from './api-keys.service';
import { ApiKeysController } from './api-keys.controller';

@Module({
  imports: [AdminAuthModule, AuditModule],
  controllers: [ApiKeysController],
  providers: [ApiKeysService, ApiKeysResolver],
})
export class ApiKeysModule {}
