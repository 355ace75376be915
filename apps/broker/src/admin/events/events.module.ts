import { Module } from '@nestjs/common';
import { SessionEventsModule } from '../../session-events/session-events.module';
import { EventsResolver } from './events.resolver';
import { EventsService } from './events.service';

@Module({
  imports: [SessionEventsModule],
  providers: [EventsService, EventsResolver],
})
export class EventsModule {}
