import { Module } from '@nestjs/common';
import { HistoryModule } from '../../history/history.module';
import { RoutingModule } from '../../routing/routing.module';
import { AuditModule } from '../audit/audit.module';
import { HistoryResolver } from './history.resolver';
import { HistoryService } from './history.service';
import { PublishResolver } from './publish.resolver';
import { PublishService } from './publish.service';

@Module({
  imports: [AuditModule, HistoryModule, RoutingModule],
  providers: [HistoryService, HistoryResolver, PublishService, PublishResolver],
})
export class MessagesModule {}
