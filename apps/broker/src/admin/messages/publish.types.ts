import { Field, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum PayloadEncoding {
  utf8 = 'utf8',
  base64 = 'base64',
}
registerEnumType(PayloadEncoding, { name: 'PayloadEncoding', description: 'How a payload is written in a String: as text, or base64 for bytes' });

@InputType()
export class PublishInput {
  @Field({ description: 'A topic name: no wildcards, not under $SYS' })
  topic!: string;

  @Field({ defaultValue: '' })
  payload!: string;

  @Field(() => PayloadEncoding, { defaultValue: PayloadEncoding.utf8 })
  encoding!: PayloadEncoding;

  @Field(() => Int, { defaultValue: 0 })
  qos!: number;

  @Field({ defaultValue: false })
  retain!: boolean;
}

@ObjectType()
export class PublishResult {
  @Field(() => Int, { description: 'Sessions the message was routed to (online or queued)' })
  deliveries!: number;
}
