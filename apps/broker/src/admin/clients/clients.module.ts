import { Module } from '@nestjs/common';
import { SessionModule } from '../../session/session.module';
import { AuditModule } from '../audit/audit.module';
import { ClientsController } from './clients.controller';
import { ClientsResolver } from './clients.resolver';
import { ClientsService } from './clients.service';

@Module({
  imports: [AuditModule, SessionModule],
  controllers: [ClientsController],
  providers: [ClientsService, ClientsResolver],
})
export class ClientsModule {}
