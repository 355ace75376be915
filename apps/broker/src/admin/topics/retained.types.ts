import { ArgsType, Field, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { GraphQLJSONObject, JSON_OBJECT_PROPERTY } from '../audit/json-object.scalar';
import { AfterArg, MAX_PAGE_SIZE, PageSizeArg } from '../page-size';

@ObjectType('RetainedMessage')
export class RetainedMessageType {
  @Field() @ApiProperty() topic!: string;
  @Field(() => String, { nullable: true, description: 'The payload as text, when it is valid UTF-8' }) @ApiProperty({ type: String, nullable: true, description: 'The payload as text, when it is valid UTF-8' }) payloadText!: string | null;
  @Field() @ApiProperty({ description: 'The payload, always, in base64' }) payloadBase64!: string;
  @Field(() => Int) @ApiProperty({ type: 'integer' }) qos!: number;
  @Field(() => String, { nullable: true, description: 'The client that published it; null for the broker or an admin' }) @ApiProperty({ type: String, nullable: true, description: 'The client that published it; null for the broker or an admin' }) publisherClientId!: string | null;
  @Field() @ApiProperty() receivedAt!: Date;
  @Field(() => Date, { nullable: true }) @ApiProperty({ type: Date, nullable: true }) expiresAt!: Date | null;
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'MQTT 5.0 properties (binary values in base64)' }) @ApiProperty({ ...JSON_OBJECT_PROPERTY, description: 'MQTT 5.0 properties (binary values in base64)' }) properties!: Record<string, unknown> | null;
}

@ObjectType('RetainedPage')
export class RetainedPageType {
  @Field(() => [RetainedMessageType]) @ApiProperty({ type: [RetainedMessageType] }) messages!: RetainedMessageType[];
  @Field(() => Int) @ApiProperty({ type: 'integer', description: 'Retained messages matching the filter, on every page' }) total!: number;
  @Field(() => String, { nullable: true }) @ApiProperty({ type: String, nullable: true, description: 'Pass as `after` for the next page (by topic); null at the end' }) nextCursor!: string | null;
}

@ArgsType()
export class RetainedArgs {
  @Field({ defaultValue: '#', description: 'A topic filter' }) @ApiPropertyOptional({ type: String, default: '#', description: 'A topic filter (in a URL, # is written %23 and + is %2B)' }) filter!: string;
  @PageSizeArg(100) first!: number;
  @AfterArg() after?: string | null;
}

/** Which retained messages to clear (REST: the query of DELETE /api/v1/retained). */
export class ClearRetainedArgs {
  @ApiProperty({ type: [String], description: `Topic names, 1 to ${MAX_PAGE_SIZE}: ?topics=a/b&topics=c` })
  topics!: string[];
}

export class ClearRetainedResult {
  @ApiProperty({ type: 'integer', description: 'How many of the topics held a retained message' })
  cleared!: number;
}
