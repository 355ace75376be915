import { Get, HttpStatus, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { Problems, RestController } from '../rest/rest-controller';
import { RestInput } from '../rest/rest-input.pipe';
import { SessionEventPageType, SessionEventsArgs } from './events.types';
import { EventsService } from './events.service';

@RestController('session-events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Get()
  @ApiOperation({ summary: 'Session events (connects, refusals, disconnects, kicks, subscriptions, expiries), newest first, a page at a time (GraphQL: sessionEvents)' })
  @ApiOkResponse({ type: SessionEventPageType, description: 'A page of events' })
  @Problems(HttpStatus.BAD_REQUEST)
  sessionEvents(@Query(RestInput) args: SessionEventsArgs): Promise<SessionEventPageType> {
    return this.events.page(args);
  }
}
