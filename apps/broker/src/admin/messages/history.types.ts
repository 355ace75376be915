import { ArgsType, Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { GraphQLJSONObject } from '../audit/json-object.scalar';

@ObjectType('HistoryMessage', { description: 'A recorded PUBLISH' })
export class HistoryMessageType {
  @Field(() => ID) id!: string;
  @Field() topic!: string;
  @Field(() => String, { nullable: true, description: 'The payload as text, when it is valid UTF-8' }) payloadText!: string | null;
  @Field({ description: 'The payload, always, in base64' }) payloadBase64!: string;
  @Field(() => Int) qos!: number;
  @Field() retain!: boolean;
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'MQTT 5.0 properties (binary values in base64)' }) properties!: Record<string, unknown> | null;
  @Field(() => String, { nullable: true }) publisherClientId!: string | null;
  @Field(() => String, { nullable: true }) publisherUsername!: string | null;
  @Field() receivedAt!: Date;
}

@ObjectType('HistoryPage')
export class HistoryPageType {
  @Field(() => [HistoryMessageType]) messages!: HistoryMessageType[];
  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next, older page; null at the end' }) nextCursor!: string | null;
}

@ArgsType()
export class MessagesArgs {
  @Field({ defaultValue: '#', description: 'A topic filter (+ and # as in SUBSCRIBE)' }) topicFilter!: string;
  @Field({ nullable: true, description: 'From this time on (default: the beginning)' }) from?: Date;
  @Field({ nullable: true, description: 'Before this time (default: now)' }) to?: Date;
  @Field({ nullable: true, description: 'Published by this client' }) clientId?: string;
  @Field({ nullable: true, description: 'Published by this user' }) username?: string;
  @Field({ nullable: true, description: 'Payloads holding this text' }) payloadContains?: string;
  @Field(() => Int, { defaultValue: 50 }) first!: number;
  @Field(() => String, { nullable: true }) after?: string | null;
}
