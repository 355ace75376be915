import { Module } from '@nestjs/common';
import { HistoryModule } from '../../history/history.module';
import { RoutingModule } from '../../routing/routing.module';
import { AuditModule } from '../audit/audit.module';
import { RetainedResolver } from './retained.resolver';
import { RetainedService } from './retained.service';
import { TopicsResolver } from './topics.resolver';
import { TopicsService } from './topics.service';

@Module({
  imports: [AuditModule, HistoryModule, RoutingModule],
  providers: [RetainedService, RetainedResolver, TopicsService, TopicsResolver],
})
export class TopicsModule {}
