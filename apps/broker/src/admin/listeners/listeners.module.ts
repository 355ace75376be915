import { Module } from '@nestjs/common';
import { TransportModule } from '../../transport/transport.module';
import { AuditModule } from '../audit/audit.module';
import { ListenersController } from './listeners.controller';
import { ListenersResolver } from './listeners.resolver';
import { ListenersAdminService } from './listeners.service';

/** Listeners as admins control them: enable and disable, audited. */
@Module({
  imports: [AuditModule, TransportModule],
  controllers: [ListenersController],
  providers: [ListenersAdminService, ListenersResolver],
  exports: [ListenersAdminService],
})
export class ListenersAdminModule {}
