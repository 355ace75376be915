import { Field, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export enum PayloadEncoding {
  utf8 = 'utf8',
  base64 = 'base64',
}
registerEnumType(PayloadEncoding, { name: 'PayloadEncoding', description: 'How a payload is written in a String: as text, or base64 for bytes' });

@InputType()
export class PublishInput {
  @Field({ description: 'A topic name: no wildcards, not under $SYS' })
  @ApiProperty({ description: 'A topic name: no wildcards, not under $SYS' })
  topic!: string;

  @Field({ defaultValue: '' })
  @ApiPropertyOptional({ type: String, default: '' })
  payload!: string;

  @Field(() => PayloadEncoding, { defaultValue: PayloadEncoding.utf8 })
  @ApiPropertyOptional({ enum: PayloadEncoding, enumName: 'PayloadEncoding', default: PayloadEncoding.utf8, description: 'How the payload is written: as text, or base64 for bytes' })
  encoding!: PayloadEncoding;

  @Field(() => Int, { defaultValue: 0 })
  @ApiPropertyOptional({ type: 'integer', default: 0, minimum: 0, maximum: 2 })
  qos!: number;

  @Field({ defaultValue: false })
  @ApiPropertyOptional({ type: Boolean, default: false })
  retain!: boolean;
}

@ObjectType()
export class PublishResult {
  @Field(() => Int, { description: 'Sessions the message was routed to (online or queued)' })
  @ApiProperty({ type: 'integer', description: 'Sessions the message was routed to (online or queued)' })
  deliveries!: number;
}
