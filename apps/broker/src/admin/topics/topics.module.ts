import { Module } from '@nestjs/common';
import { RoutingModule } from '../../routing/routing.module';
import { AuditModule } from '../audit/audit.module';
import { RetainedResolver } from './retained.resolver';
import { RetainedService } from './retained.service';

@Module({
  imports: [AuditModule, RoutingModule],
  providers: [RetainedService, RetainedResolver],
})
export class TopicsModule {}
