import { Args, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { AccessClaims } from '../auth/admin-tokens';
import { AdminOnly, CurrentAdmin } from '../auth/admin-principal';
import { RetainedArgs, RetainedMessageType, RetainedPageType } from './retained.types';
import { RetainedService } from './retained.service';

@Resolver(() => RetainedMessageType)
export class RetainedResolver {
  constructor(private readonly retained: RetainedService) {}

  @Query(() => RetainedPageType, { description: 'Retained messages matching a filter, by topic' })
  retainedMessages(@Args() args: RetainedArgs): RetainedPageType {
    return this.retained.page(args.filter, args.first, args.after);
  }

  @AdminOnly()
  @Mutation(() => Int, { description: 'Clears the retained messages of these topics (nothing is delivered); returns how many there were' })
  clearRetained(@CurrentAdmin() admin: AccessClaims, @Args('topics', { type: () => [String] }) topics: string[]): Promise<number> {
    return this.retained.clear(admin.username, topics);
  }
}
