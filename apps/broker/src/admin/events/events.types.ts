import { ArgsType, Field, ID, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { SessionEventAction } from '@nestmq/persistence';
import { GraphQLJSONObject, JSON_OBJECT_PROPERTY } from '../audit/json-object.scalar';
import { AfterArg, PageSizeArg } from '../page-size';

/** What a session event may record. */
export const SESSION_EVENT_ACTIONS: readonly SessionEventAction[] = ['connect', 'connect_refused', 'disconnect', 'kicked', 'subscribe', 'unsubscribe', 'expired', 'reauthenticate'];

@ObjectType('SessionEvent', { description: 'What happened to a client: connect, connect_refused, disconnect, kicked, subscribe, unsubscribe, expired, reauthenticate' })
export class SessionEventType {
  @Field(() => ID) @ApiProperty() id!: string;
  @Field() @ApiProperty() clientId!: string;
  @Field(() => String, { nullable: true, description: 'The user; for connect_refused, the name the client claimed' }) @ApiProperty({ type: String, nullable: true, description: 'The user; for connect_refused, the name the client claimed' }) username!: string | null;
  @Field() @ApiProperty({ enum: SESSION_EVENT_ACTIONS }) action!: string;
  @Field() @ApiProperty() at!: Date;
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Reason code, address, topic filters...' }) @ApiProperty({ ...JSON_OBJECT_PROPERTY, description: 'Reason code, address, topic filters...' }) details!: Record<string, unknown> | null;
}

@ObjectType('SessionEventPage')
export class SessionEventPageType {
  @Field(() => [SessionEventType]) @ApiProperty({ type: [SessionEventType] }) events!: SessionEventType[];
  @Field(() => String, { nullable: true }) @ApiProperty({ type: String, nullable: true, description: 'Pass as `after` for the next, older page; null at the end' }) nextCursor!: string | null;
}

@ArgsType()
export class SessionEventsArgs {
  @Field({ nullable: true, description: 'One client\'s events (the other filters then do not apply)' }) @ApiPropertyOptional({ type: String, description: 'One client\'s events (the other filters then do not apply)' }) clientId?: string;
  @Field({ nullable: true }) @ApiPropertyOptional({ type: String }) username?: string;
  @Field(() => [String], { nullable: true, description: 'Any of these actions' }) @ApiPropertyOptional({ enum: SESSION_EVENT_ACTIONS, isArray: true, description: 'Any of these actions: ?actions=connect&actions=kicked' }) actions?: string[];
  @Field({ nullable: true }) @ApiPropertyOptional({ type: Date, description: 'From this time on (default: the beginning)' }) from?: Date;
  @Field({ nullable: true }) @ApiPropertyOptional({ type: Date, description: 'Before this time (default: now)' }) to?: Date;
  @PageSizeArg(50) first!: number;
  @AfterArg() after?: string | null;
}
