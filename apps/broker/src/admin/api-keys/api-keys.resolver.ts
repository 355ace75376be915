import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { AccessClaims } from '../auth/admin-tokens';
import { AdminOnly, CurrentAdmin } from '../auth/admin-principal';
import { ApiKeyType, CreateApiKeyInput, CreatedApiKeyType } from './api-keys.types';
import { ApiKeysService } from './api-keys.service';

/** Keys are credentials: listing them, like making them, is for admins. */
@AdminOnly()
@Resolver(() => ApiKeyType)
export class ApiKeysResolver {
  constructor(private readonly keys: ApiKeysService) {}

  @Query(() => [ApiKeyType], { description: 'Every API key, revoked and expired ones too, newest first; never the keys themselves' })
  apiKeys(): Promise<ApiKeyType[]> {
    return this.keys.list();
  }

  @Mutation(() => CreatedApiKeyType, { description: 'Makes a key; the answer holds the key, shown this once' })
  createApiKey(@CurrentAdmin() admin: AccessClaims, @Args('input') input: CreateApiKeyInput): Promise<CreatedApiKeyType> {
    return this.keys.create(admin.username, input);
  }

  @Mutation(() => ApiKeyType, { description: 'Revokes a key: the next request with it is refused, its subscription sockets close' })
  revokeApiKey(@CurrentAdmin() admin: AccessClaims, @Args('id', { type: () => ID }) id: string): Promise<ApiKeyType> {
    return this.keys.revoke(admin.username, id);
  }
}
