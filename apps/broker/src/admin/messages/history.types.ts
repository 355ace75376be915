import { ArgsType, Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { GraphQLJSONObject, JSON_OBJECT_PROPERTY } from '../audit/json-object.scalar';
import { AfterArg, PageSizeArg } from '../page-size';

@ObjectType('HistoryMessage', { description: 'A recorded PUBLISH' })
export class HistoryMessageType {
  @Field(() => ID) @ApiProperty() id!: string;
  @Field() @ApiProperty() topic!: string;
  @Field(() => String, { nullable: true, description: 'The payload as text, when it is valid UTF-8' }) @ApiProperty({ type: String, nullable: true, description: 'The payload as text, when it is valid UTF-8' }) payloadText!: string | null;
  @Field({ description: 'The payload, always, in base64' }) @ApiProperty({ description: 'The payload, always, in base64' }) payloadBase64!: string;
  @Field(() => Int) @ApiProperty({ type: 'integer' }) qos!: number;
  @Field() @ApiProperty() retain!: boolean;
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'MQTT 5.0 properties (binary values in base64)' }) @ApiProperty({ ...JSON_OBJECT_PROPERTY, description: 'MQTT 5.0 properties (binary values in base64)' }) properties!: Record<string, unknown> | null;
  @Field(() => String, { nullable: true }) @ApiProperty({ type: String, nullable: true }) publisherClientId!: string | null;
  @Field(() => String, { nullable: true }) @ApiProperty({ type: String, nullable: true }) publisherUsername!: string | null;
  @Field() @ApiProperty() receivedAt!: Date;
}

@ObjectType('HistoryPage')
export class HistoryPageType {
  @Field(() => [HistoryMessageType]) @ApiProperty({ type: [HistoryMessageType] }) messages!: HistoryMessageType[];
  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next, older page; null at the end' }) @ApiProperty({ type: String, nullable: true, description: 'Pass as `after` for the next, older page; null at the end' }) nextCursor!: string | null;
}

@ArgsType()
export class MessagesArgs {
  @Field({ defaultValue: '#', description: 'A topic filter (+ and # as in SUBSCRIBE)' }) @ApiPropertyOptional({ type: String, default: '#', description: 'A topic filter (+ and # as in SUBSCRIBE; in a URL, # is written %23 and + is %2B)' }) topicFilter!: string;
  @Field({ nullable: true, description: 'From this time on (default: the beginning)' }) @ApiPropertyOptional({ type: Date, description: 'From this time on (default: the beginning)' }) from?: Date;
  @Field({ nullable: true, description: 'Before this time (default: now)' }) @ApiPropertyOptional({ type: Date, description: 'Before this time (default: now)' }) to?: Date;
  @Field({ nullable: true, description: 'Published by this client' }) @ApiPropertyOptional({ type: String, description: 'Published by this client' }) clientId?: string;
  @Field({ nullable: true, description: 'Published by this user' }) @ApiPropertyOptional({ type: String, description: 'Published by this user' }) username?: string;
  @Field({ nullable: true, description: 'Payloads holding this text' }) @ApiPropertyOptional({ type: String, description: 'Payloads holding this text' }) payloadContains?: string;
  @PageSizeArg(50) first!: number;
  @AfterArg() after?: string | null;
}

@ArgsType()
export class LatestMessagesArgs {
  @Field() @ApiProperty({ description: 'A topic name' }) topic!: string;
  @PageSizeArg(10) last!: number;
}
