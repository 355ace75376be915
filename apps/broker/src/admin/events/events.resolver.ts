import { Args, Query, Resolver } from '@nestjs/graphql';
import { SessionEventPageType, SessionEventsArgs } from './events.types';
import { EventsService } from './events.service';

@Resolver()
export class EventsResolver {
  constructor(private readonly events: EventsService) {}

  @Query(() => SessionEventPageType, { description: 'Session events, newest first' })
  sessionEvents(@Args() args: SessionEventsArgs): Promise<SessionEventPageType> {
    return this.events.page(args);
  }
}
