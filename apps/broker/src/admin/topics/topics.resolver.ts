import { Args, Query, Resolver } from '@nestjs/graphql';
import { TopicPageType, TopicType, TopicsArgs } from './topics.types';
import { TopicsService } from './topics.service';

@Resolver(() => TopicType)
export class TopicsResolver {
  constructor(private readonly topics: TopicsService) {}

  @Query(() => TopicPageType, { name: 'topics', description: 'Topics with a retained message or a recorded history, by name, each with its subscribers' })
  page(@Args() args: TopicsArgs): Promise<TopicPageType> {
    return this.topics.page(args.filter, args.first, args.after);
  }
}
