import { ArgsType, Field, Float, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('TopicSubscriber', { description: 'A session a message on the topic reaches, and through which subscription' })
export class TopicSubscriberType {
  @Field() clientId!: string;
  @Field() topicFilter!: string;
  @Field(() => Int) qos!: number;
  @Field(() => String, { nullable: true, description: 'The shared group, when it is a shared subscription (one member gets each message)' }) sharedGroup!: string | null;
}

@ObjectType('Topic', { description: 'A topic the broker knows: it holds a retained message, or messages were recorded on it' })
export class TopicType {
  @Field() topic!: string;
  @Field() retained!: boolean;
  @Field(() => Float, { description: 'Messages in the history' }) recorded!: number;
  @Field(() => Date, { nullable: true }) lastMessageAt!: Date | null;
  @Field(() => [TopicSubscriberType]) subscribers!: TopicSubscriberType[];
}

@ObjectType('TopicPage')
export class TopicPageType {
  @Field(() => [TopicType]) topics!: TopicType[];
  @Field(() => Int) total!: number;
  @Field(() => String, { nullable: true }) nextCursor!: string | null;
}

@ArgsType()
export class TopicsArgs {
  @Field({ defaultValue: '#', description: 'A topic filter' }) filter!: string;
  @Field(() => Int, { defaultValue: 100 }) first!: number;
  @Field(() => String, { nullable: true }) after?: string | null;
}
