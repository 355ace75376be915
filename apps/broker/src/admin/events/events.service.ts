import { Injectable } from '@nestjs/common';
import { SessionEventAction, SessionEventRepository } from '@nestmq/persistence';
import { afterCursor, badInput } from '../admin-error';
import { pageSize } from '../page-size';
import { SESSION_EVENT_ACTIONS, SessionEventPageType, SessionEventsArgs } from './events.types';

/** The session log, newest first. */
@Injectable()
export class EventsService {
  constructor(private readonly events: SessionEventRepository) {}

  /** The events matching every filter given (client, user, actions, time), newest first, a page at a time. */
  async page(args: SessionEventsArgs): Promise<SessionEventPageType> {
    const first = pageSize(args.first);
    const unknown = (args.actions ?? []).filter((a) => !(SESSION_EVENT_ACTIONS as readonly string[]).includes(a));
    if (unknown.length > 0) throw badInput(`actions: ${unknown.join(', ')} unknown; the actions are ${SESSION_EVENT_ACTIONS.join(', ')}`);
    const filter = {
      from: args.from ?? new Date(0),
      to: args.to ?? new Date(Date.now() + 1000),
      actions: args.actions as SessionEventAction[] | undefined,
      username: args.username ?? undefined,
      clientId: args.clientId ?? undefined,
    };
    return afterCursor(() => this.events.search(filter, first, args.after));
  }
}
