import { Args, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { GraphQLError } from 'graphql';
import { AccessClaims } from '../auth/admin-tokens';
import { AdminOnly, CurrentAdmin } from '../auth/admin-principal';
import { MAX_PAGE_SIZE, pageSize } from '../page-size';
import { RetainedArgs, RetainedMessageType, RetainedPageType } from './retained.types';
import { RetainedService } from './retained.service';

@Resolver(() => RetainedMessageType)
export class RetainedResolver {
  constructor(private readonly retained: RetainedService) {}

  @Query(() => RetainedPageType, { description: 'Retained messages matching a filter, by topic' })
  retainedMessages(@Args() args: RetainedArgs): RetainedPageType {
    return this.retained.page(args.filter, pageSize(args.first), args.after);
  }

  @AdminOnly()
  @Mutation(() => Int, { description: 'Clears the retained messages of these topics (nothing is delivered); returns how many there were' })
  clearRetained(@CurrentAdmin() admin: AccessClaims, @Args('topics', { type: () => [String] }) topics: string[]): Promise<number> {
    if (topics.length === 0 || topics.length > MAX_PAGE_SIZE) throw new GraphQLError(`topics: 1 to ${MAX_PAGE_SIZE} at a time`, { extensions: { code: 'BAD_USER_INPUT' } });
    return this.retained.clear(admin.username, topics);
  }
}
