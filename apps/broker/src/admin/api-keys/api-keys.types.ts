import { Field, Float, ID, InputType, ObjectType, registerEnumType } from '@nestjs/graphql';
import { AdminRoleName } from '../auth/admin-auth.types';

export enum ApiKeyState {
  active = 'active',
  expired = 'expired',
  revoked = 'revoked',
}
registerEnumType(ApiKeyState, { name: 'ApiKeyState' });

@ObjectType('ApiKey', { description: 'A key for scripts and machines: sent as "Authorization: Bearer <key>" on GraphQL and REST; the key itself is shown once, when made' })
export class ApiKeyType {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => AdminRoleName) role!: AdminRoleName;
  @Field({ description: "The key's first characters, to tell keys apart" }) prefix!: string;
  @Field(() => ApiKeyState) state!: ApiKeyState;
  @Field() createdBy!: string;
  @Field() createdAt!: Date;
  @Field(() => Date, { nullable: true }) expiresAt!: Date | null;
  @Field(() => Date, { nullable: true }) revokedAt!: Date | null;
  @Field(() => Date, { nullable: true }) lastUsedAt!: Date | null;
  @Field(() => String, { nullable: true }) lastUsedAddress!: string | null;
  @Field(() => Float, { description: 'Requests made with the key' }) useCount!: number;
}

@ObjectType('CreatedApiKey')
export class CreatedApiKeyType {
  @Field(() => ApiKeyType) apiKey!: ApiKeyType;
  @Field({ description: 'The key: shown this once, never again (only its hash is kept)' }) secret!: string;
}

@InputType()
export class CreateApiKeyInput {
  @Field({ description: 'What the key is for, e.g. ci-deploy; unique among keys not revoked' }) name!: string;
  @Field(() => AdminRoleName) role!: AdminRoleName;
  @Field(() => Date, { nullable: true, description: 'When the key stops working; left out: never' }) expiresAt?: Date | null;
}
