import { Module } from '@nestjs/common';
import { SessionModule } from '../../session/session.module';
import { AuditModule } from '../audit/audit.module';
import { SessionsResolver } from './sessions.resolver';
import { SessionsService } from './sessions.service';

@Module({
  imports: [AuditModule, SessionModule],
  providers: [SessionsService, SessionsResolver],
})
export class SessionsModule {}
