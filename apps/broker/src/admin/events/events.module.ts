import { Module } from '@nestjs/common';
import { SessionEventsModule } from '../../session-events/session-events.module';
import { EventsResolver } from './events.resolver';

@Module({
  imports: [SessionEventsModule],
  providers: [EventsResolver],
})
export class EventsModule {}
