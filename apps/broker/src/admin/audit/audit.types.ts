import { ArgsType, Field, ID, ObjectType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { AfterArg, PageSizeArg } from '../page-size';
import { GraphQLJSONObject, JSON_OBJECT_PROPERTY } from './json-object.scalar';

@ObjectType({ description: 'A change made through the admin API' })
export class AuditEntryType {
  @Field(() => ID) @ApiProperty() id!: string;
  @Field() @ApiProperty() at!: Date;
  @Field({ description: 'The admin who made it' }) @ApiProperty({ description: 'The admin who made it' }) actor!: string;
  @Field({ description: 'The mutation' }) @ApiProperty({ description: 'The mutation (its GraphQL name, whichever API made it)' }) action!: string;
  @Field(() => String, { nullable: true, description: 'What it changed' }) @ApiProperty({ type: String, nullable: true, description: 'What it changed' }) target!: string | null;
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Before and after; never a secret' }) @ApiProperty({ ...JSON_OBJECT_PROPERTY, description: 'Before and after; never a secret' }) details!: Record<string, unknown> | null;
}

@ObjectType()
export class AuditPageType {
  @Field(() => [AuditEntryType]) @ApiProperty({ type: [AuditEntryType] }) entries!: AuditEntryType[];
  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next, older page' }) @ApiProperty({ type: String, nullable: true, description: 'Pass as `after` for the next, older page; null at the end' }) nextCursor!: string | null;
}

@ArgsType()
export class AuditLogArgs {
  @PageSizeArg(50) first!: number;
  @AfterArg() after?: string | null;
}
