import { ArgsType, Field, Float, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AfterArg, PageSizeArg } from '../page-size';

@ObjectType('TopicSubscriber', { description: 'A session a message on the topic reaches, and through which subscription' })
export class TopicSubscriberType {
  @Field() @ApiProperty() clientId!: string;
  @Field() @ApiProperty() topicFilter!: string;
  @Field(() => Int) @ApiProperty({ type: 'integer' }) qos!: number;
  @Field(() => String, { nullable: true, description: 'The shared group, when it is a shared subscription (one member gets each message)' }) @ApiProperty({ type: String, nullable: true, description: 'The shared group, when it is a shared subscription (one member gets each message)' }) sharedGroup!: string | null;
}

@ObjectType('Topic', { description: 'A topic the broker knows: it holds a retained message, or messages were recorded on it' })
export class TopicType {
  @Field() @ApiProperty() topic!: string;
  @Field() @ApiProperty() retained!: boolean;
  @Field(() => Float, { description: 'Messages in the history' }) @ApiProperty({ description: 'Messages in the history' }) recorded!: number;
  @Field(() => Date, { nullable: true }) @ApiProperty({ type: Date, nullable: true }) lastMessageAt!: Date | null;
  @Field(() => [TopicSubscriberType]) @ApiProperty({ type: [TopicSubscriberType] }) subscribers!: TopicSubscriberType[];
}

@ObjectType('TopicPage')
export class TopicPageType {
  @Field(() => [TopicType]) @ApiProperty({ type: [TopicType] }) topics!: TopicType[];
  @Field(() => Int) @ApiProperty({ type: 'integer', description: 'Topics matching the filter, on every page' }) total!: number;
  @Field(() => String, { nullable: true }) @ApiProperty({ type: String, nullable: true, description: 'Pass as `after` for the next page (by topic); null at the end' }) nextCursor!: string | null;
}

@ArgsType()
export class TopicsArgs {
  @Field({ defaultValue: '#', description: 'A topic filter' }) @ApiPropertyOptional({ type: String, default: '#', description: 'A topic filter (in a URL, # is written %23 and + is %2B)' }) filter!: string;
  @PageSizeArg(100) first!: number;
  @AfterArg() after?: string | null;
}
