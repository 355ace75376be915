import { Field, Float, ID, InputType, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AdminRoleName } from '../auth/admin-auth.types';

export enum ApiKeyState {
  active = 'active',
  expired = 'expired',
  revoked = 'revoked',
}
registerEnumType(ApiKeyState, { name: 'ApiKeyState' });

const PREFIX = "The key's first characters, to tell keys apart";
const USES = 'Requests made with the key';
const SECRET = 'The key: shown this once, never again (only its hash is kept)';
const NAME = 'What the key is for, e.g. ci-deploy; unique among keys not revoked';
const EXPIRES = 'When the key stops working; left out: never';

@ObjectType('ApiKey', { description: 'A key for scripts and machines: sent as "Authorization: Bearer <key>" on GraphQL and REST; the key itself is shown once, when made' })
export class ApiKeyType {
  @Field(() => ID) @ApiProperty() id!: string;
  @Field() @ApiProperty() name!: string;
  @Field(() => AdminRoleName) @ApiProperty({ enum: AdminRoleName, enumName: 'AdminRole' }) role!: AdminRoleName;
  @Field({ description: PREFIX }) @ApiProperty({ description: PREFIX }) prefix!: string;
  @Field(() => ApiKeyState) @ApiProperty({ enum: ApiKeyState, enumName: 'ApiKeyState' }) state!: ApiKeyState;
  @Field() @ApiProperty() createdBy!: string;
  @Field() @ApiProperty() createdAt!: Date;
  @Field(() => Date, { nullable: true }) @ApiProperty({ type: Date, nullable: true }) expiresAt!: Date | null;
  @Field(() => Date, { nullable: true }) @ApiProperty({ type: Date, nullable: true }) revokedAt!: Date | null;
  @Field(() => Date, { nullable: true }) @ApiProperty({ type: Date, nullable: true }) lastUsedAt!: Date | null;
  @Field(() => String, { nullable: true }) @ApiProperty({ type: String, nullable: true }) lastUsedAddress!: string | null;
  @Field(() => Float, { description: USES }) @ApiProperty({ description: USES }) useCount!: number;
}

@ObjectType('CreatedApiKey')
export class CreatedApiKeyType {
  @Field(() => ApiKeyType) @ApiProperty({ type: ApiKeyType }) apiKey!: ApiKeyType;
  @Field({ description: SECRET }) @ApiProperty({ description: SECRET }) secret!: string;
}

@InputType()
export class CreateApiKeyInput {
  @Field({ description: NAME }) @ApiProperty({ description: NAME }) name!: string;
  @Field(() => AdminRoleName) @ApiProperty({ enum: AdminRoleName, enumName: 'AdminRole' }) role!: AdminRoleName;
  @Field(() => Date, { nullable: true, description: EXPIRES }) @ApiPropertyOptional({ type: Date, nullable: true, description: EXPIRES }) expiresAt?: Date | null;
}
