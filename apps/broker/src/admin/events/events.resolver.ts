import { Args, Query, Resolver } from '@nestjs/graphql';
import { SessionEventAction, SessionEventRepository } from '@nestmq/persistence';
import { GraphQLError } from 'graphql';
import { pageSize } from '../page-size';
import { SessionEventPageType, SessionEventsArgs } from './events.types';

const ACTIONS: readonly SessionEventAction[] = ['connect', 'connect_refused', 'disconnect', 'kicked', 'subscribe', 'unsubscribe', 'expired'];
const badInput = (message: string): GraphQLError => new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });

/** The session log, newest first. */
@Resolver()
export class EventsResolver {
  constructor(private readonly events: SessionEventRepository) {}

  @Query(() => SessionEventPageType, { description: 'Session events, newest first' })
  async sessionEvents(@Args() args: SessionEventsArgs): Promise<SessionEventPageType> {
    const first = pageSize(args.first);
    const unknown = (args.actions ?? []).filter((a) => !(ACTIONS as readonly string[]).includes(a));
    if (unknown.length > 0) throw badInput(`actions: ${unknown.join(', ')} unknown; the actions are ${ACTIONS.join(', ')}`);
    try {
      if (args.clientId !== undefined) return await this.events.ofClient(args.clientId, first, args.after);
      const filter = { from: args.from ?? new Date(0), to: args.to ?? new Date(Date.now() + 1000), actions: args.actions as SessionEventAction[] | undefined, username: args.username };
      return await this.events.search(filter, first, args.after);
    } catch (e) {
      if (e instanceof RangeError) throw badInput(`after: ${e.message}; pass a nextCursor`);
      throw e;
    }
  }
}
