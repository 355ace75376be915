import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { AccessClaims } from '../auth/admin-tokens';
import { AdminOnly, CurrentAdmin } from '../auth/admin-principal';
import { pageSize } from '../page-size';
import { SessionPageType, SessionType, SessionsArgs } from './sessions.types';
import { SessionsService } from './sessions.service';

@Resolver(() => SessionType)
export class SessionsResolver {
  constructor(private readonly sessions: SessionsService) {}

  @Query(() => SessionPageType, { name: 'sessions', description: 'Persistent sessions, connected or not, by client id' })
  page(@Args() args: SessionsArgs): SessionPageType {
    return this.sessions.page(args.filter, args.online, pageSize(args.first), args.after);
  }

  @AdminOnly()
  @Mutation(() => Boolean, { description: 'Ends an offline session: subscriptions, queued messages and pending will go' })
  deleteSession(@CurrentAdmin() admin: AccessClaims, @Args('clientId') clientId: string): Promise<boolean> {
    return this.sessions.delete(admin.username, clientId);
  }
}
