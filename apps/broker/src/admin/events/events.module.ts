import { Module } from '@nestjs/common';
import { SessionEventsModule } from '../../session-events/session-events.module';
import { EventsController } from './events.controller';
import { EventsResolver } from './events.resolver';
import { EventsService } from './events.service';

@Module({
  imports: [SessionEventsModule],
  controllers: [EventsController],
  providers: [EventsService, EventsResolver],
})
export class EventsModule {}
