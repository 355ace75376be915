import { Module } from '@nestjs/common';
import { SessionModule } from '../../session/session.module';
import { AuditModule } from '../audit/audit.module';
import { SessionsController } from './sessions.controller';
import { SessionsResolver } from './sessions.resolver';
import { SessionsService } from './sessions.service';

@Module({
  imports: [AuditModule, SessionModule],
  controllers: [SessionsController],
  providers: [SessionsService, SessionsResolver],
})
export class SessionsModule {}
