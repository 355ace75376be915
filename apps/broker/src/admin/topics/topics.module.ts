import { Module } from '@nestjs/common';
import { HistoryModule } from '../../history/history.module';
import { RoutingModule } from '../../routing/routing.module';
import { AuditModule } from '../audit/audit.module';
import { RetainedController } from './retained.controller';
import { RetainedResolver } from './retained.resolver';
import { RetainedService } from './retained.service';
import { TopicsController } from './topics.controller';
import { TopicsResolver } from './topics.resolver';
import { TopicsService } from './topics.service';

@Module({
  imports: [AuditModule, HistoryModule, RoutingModule],
  controllers: [RetainedController, TopicsController],
  providers: [RetainedService, RetainedResolver, TopicsService, TopicsResolver],
})
export class TopicsModule {}
