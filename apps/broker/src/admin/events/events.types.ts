import { ArgsType, Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { SessionEventAction } from '@nestmq/persistence';
import { GraphQLJSONObject } from '../audit/json-object.scalar';

/** What a session event may record. */
export const SESSION_EVENT_ACTIONS: readonly SessionEventAction[] = ['connect', 'connect_refused', 'disconnect', 'kicked', 'subscribe', 'unsubscribe', 'expired'];

@ObjectType('SessionEvent', { description: 'What happened to a client: connect, connect_refused, disconnect, kicked, subscribe, unsubscribe, expired' })
export class SessionEventType {
  @Field(() => ID) id!: string;
  @Field() clientId!: string;
  @Field(() => String, { nullable: true, description: 'The user; for connect_refused, the name the client claimed' }) username!: string | null;
  @Field() action!: string;
  @Field() at!: Date;
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Reason code, address, topic filters...' }) details!: Record<string, unknown> | null;
}

@ObjectType('SessionEventPage')
export class SessionEventPageType {
  @Field(() => [SessionEventType]) events!: SessionEventType[];
  @Field(() => String, { nullable: true }) nextCursor!: string | null;
}

@ArgsType()
export class SessionEventsArgs {
  @Field({ nullable: true, description: 'One client\'s events (the other filters then do not apply)' }) clientId?: string;
  @Field({ nullable: true }) username?: string;
  @Field(() => [String], { nullable: true, description: 'Any of these actions' }) actions?: string[];
  @Field({ nullable: true }) from?: Date;
  @Field({ nullable: true }) to?: Date;
  @Field(() => Int, { defaultValue: 50 }) first!: number;
  @Field(() => String, { nullable: true }) after?: string | null;
}
