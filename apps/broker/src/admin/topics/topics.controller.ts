import { Get, HttpStatus, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { Problems, RestController } from '../rest/rest-controller';
import { RestInput } from '../rest/rest-input.pipe';
import { TopicPageType, TopicsArgs } from './topics.types';
import { TopicsService } from './topics.service';

@RestController('topics')
export class TopicsController {
  constructor(private readonly topics: TopicsService) {}

  @Get()
  @ApiOperation({ summary: 'Topics with a retained message or a recorded history, by name, each with its subscribers, a page at a time (GraphQL: topics)' })
  @ApiOkResponse({ type: TopicPageType, description: 'A page of topics' })
  @Problems(HttpStatus.BAD_REQUEST)
  listTopics(@Query(RestInput) args: TopicsArgs): Promise<TopicPageType> {
    return this.topics.page(args.filter, args.first, args.after);
  }
}
