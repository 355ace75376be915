import { Module } from '@nestjs/common';
import { HistoryModule } from '../../history/history.module';
import { RoutingModule } from '../../routing/routing.module';
import { TransportModule } from '../../transport/transport.module';
import { AuditModule } from '../audit/audit.module';
import { HistoryController } from './history.controller';
import { HistoryResolver } from './history.resolver';
import { HistoryService } from './history.service';
import { PublishController } from './publish.controller';
import { PublishResolver } from './publish.resolver';
import { PublishService } from './publish.service';

@Module({
  imports: [AuditModule, HistoryModule, RoutingModule, TransportModule],
  controllers: [HistoryController, PublishController],
  providers: [HistoryService, HistoryResolver, PublishService, PublishResolver],
})
export class MessagesModule {}
