import { Get, HttpStatus, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { Problems, RestController } from '../rest/rest-controller';
import { RestInput } from '../rest/rest-input.pipe';
import { HistoryMessageType, HistoryPageType, LatestMessagesArgs, MessagesArgs } from './history.types';
import { HistoryService } from './history.service';

@RestController('messages')
export class HistoryController {
  constructor(private readonly history: HistoryService) {}

  @Get()
  @ApiOperation({ summary: 'Recorded messages, newest first, by topic filter, time, publisher and payload text, a page at a time (GraphQL: messages)' })
  @ApiOkResponse({ type: HistoryPageType, description: 'A page of messages' })
  @Problems(HttpStatus.BAD_REQUEST)
  searchMessages(@Query(RestInput) args: MessagesArgs): Promise<HistoryPageType> {
    return this.history.search(args);
  }

  @Get('latest')
  @ApiOperation({ summary: 'The last messages recorded on a topic, newest first (GraphQL: latestMessages)' })
  @ApiOkResponse({ type: [HistoryMessageType], description: 'The messages' })
  @Problems(HttpStatus.BAD_REQUEST)
  latestMessages(@Query(RestInput) args: LatestMessagesArgs): Promise<HistoryMessageType[]> {
    return this.history.latest(args.topic, args.last);
  }
}
