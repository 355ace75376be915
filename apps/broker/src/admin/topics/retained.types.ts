import { ArgsType, Field, Int, ObjectType } from '@nestjs/graphql';
import { GraphQLJSONObject } from '../audit/json-object.scalar';

@ObjectType('RetainedMessage')
export class RetainedMessageType {
  @Field() topic!: string;
  @Field(() => String, { nullable: true, description: 'The payload as text, when it is valid UTF-8' }) payloadText!: string | null;
  @Field() payloadBase64!: string;
  @Field(() => Int) qos!: number;
  @Field(() => String, { nullable: true, description: 'The client that published it; null for the broker or an admin' }) publisherClientId!: string | null;
  @Field() receivedAt!: Date;
  @Field(() => Date, { nullable: true }) expiresAt!: Date | null;
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'MQTT 5.0 properties (binary values in base64)' }) properties!: Record<string, unknown> | null;
}

@ObjectType('RetainedPage')
export class RetainedPageType {
  @Field(() => [RetainedMessageType]) messages!: RetainedMessageType[];
  @Field(() => Int) total!: number;
  @Field(() => String, { nullable: true }) nextCursor!: string | null;
}

@ArgsType()
export class RetainedArgs {
  @Field({ defaultValue: '#', description: 'A topic filter' }) filter!: string;
  @Field(() => Int, { defaultValue: 100 }) first!: number;
  @Field(() => String, { nullable: true }) after?: string | null;
}
