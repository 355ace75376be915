import { Field, ID, ObjectType } from '@nestjs/graphql';
import { GraphQLJSONObject } from './json-object.scalar';

@ObjectType({ description: 'A change made through the admin API' })
export class AuditEntryType {
  @Field(() => ID) id!: string;
  @Field() at!: Date;
  @Field({ description: 'The admin who made it' }) actor!: string;
  @Field({ description: 'The mutation' }) action!: string;
  @Field(() => String, { nullable: true, description: 'What it changed' }) target!: string | null;
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Before and after; never a secret' }) details!: Record<string, unknown> | null;
}

@ObjectType()
export class AuditPageType {
  @Field(() => [AuditEntryType]) entries!: AuditEntryType[];
  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next, older page' }) nextCursor!: string | null;
}
