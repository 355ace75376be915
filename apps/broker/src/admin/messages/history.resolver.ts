import { Args, Query, Resolver } from '@nestjs/graphql';
import { HistoryMessageType, HistoryPageType, LatestMessagesArgs, MessagesArgs } from './history.types';
import { HistoryService } from './history.service';

@Resolver(() => HistoryMessageType)
export class HistoryResolver {
  constructor(private readonly history: HistoryService) {}

  @Query(() => HistoryPageType, { description: 'Recorded messages, newest first, by topic filter, time, publisher and payload text' })
  messages(@Args() args: MessagesArgs): Promise<HistoryPageType> {
    return this.history.search(args);
  }

  @Query(() => [HistoryMessageType], { description: 'The last messages recorded on a topic, newest first' })
  latestMessages(@Args() args: LatestMessagesArgs): Promise<HistoryMessageType[]> {
    return this.history.latest(args.topic, args.last);
  }
}
