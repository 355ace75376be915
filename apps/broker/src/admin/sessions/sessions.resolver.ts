import { Args, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { AccessClaims } from '../auth/admin-tokens';
import { AdminOnly, CurrentAdmin } from '../auth/admin-principal';
import { SessionPageType, SessionType, SessionsArgs, StoredMessageType, StoredMessagesArgs, SubscriptionInfoType, WillInfoType } from './sessions.types';
import { SessionsService } from './sessions.service';

@Resolver(() => SessionType)
export class SessionsResolver {
  constructor(private readonly sessions: SessionsService) {}

  @Query(() => SessionPageType, { name: 'sessions', description: 'Persistent sessions, connected or not, by client id' })
  page(@Args() args: SessionsArgs): SessionPageType {
    return this.sessions.page(args.filter, args.online, args.first, args.after);
  }

  @Query(() => SessionType, { nullable: true, description: 'A session, persistent or not, connected or not; null when there is none' })
  session(@Args('clientId') clientId: string): SessionType | null {
    return this.sessions.get(clientId);
  }

  @Query(() => [StoredMessageType], { description: 'QoS 1/2 messages the broker still owes a session: in flight first, then queued' })
  storedMessages(@Args('clientId') clientId: string, @Args() args: StoredMessagesArgs): StoredMessageType[] {
    return this.sessions.storedMessages(clientId, args.first);
  }

  @ResolveField(() => [SubscriptionInfoType], { description: 'Its subscriptions with their options, by filter' })
  subscriptionList(@Parent() session: SessionType): SubscriptionInfoType[] {
    return this.sessions.subscriptions(session.clientId);
  }

  @ResolveField(() => WillInfoType, { nullable: true })
  will(@Parent() session: SessionType): WillInfoType | null {
    return this.sessions.will(session.clientId);
  }

  @AdminOnly()
  @Mutation(() => Boolean, { description: 'Ends an offline session: subscriptions, queued messages and pending will go' })
  deleteSession(@CurrentAdmin() admin: AccessClaims, @Args('clientId') clientId: string): Promise<boolean> {
    return this.sessions.delete(admin.username, clientId);
  }
}
