import { Body, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AccessClaims } from '../auth/admin-tokens';
import { AdminOnly, CurrentAdmin } from '../auth/admin-principal';
import { Problems, RestController } from '../rest/rest-controller';
import { RestInput } from '../rest/rest-input.pipe';
import { ApiKeyType, CreateApiKeyInput, CreatedApiKeyType } from './api-keys.types';
import { ApiKeysService } from './api-keys.service';

/** Keys are credentials: listing them, like making them, is for admins. */
// @AdminOnly first: @RestController documents what it finds on the class.
@RestController('api-keys')
@AdminOnly()
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Get()
  @ApiOperation({ summary: 'Every API key, revoked and expired ones too, newest first; never the keys themselves (GraphQL: apiKeys)' })
  @ApiOkResponse({ type: [ApiKeyType], description: 'The keys' })
  listApiKeys(): Promise<ApiKeyType[]> {
    return this.keys.list();
  }

  @Post()
  @ApiOperation({ summary: 'Makes a key; the answer holds the key, shown this once (GraphQL: createApiKey)' })
  @ApiCreatedResponse({ type: CreatedApiKeyType, description: 'The key and what is kept of it' })
  @Problems(HttpStatus.BAD_REQUEST)
  createApiKey(@CurrentAdmin() admin: AccessClaims, @Body(RestInput) input: CreateApiKeyInput): Promise<CreatedApiKeyType> {
    return this.keys.create(admin.username, input);
  }

  @Post(':id/revoke')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Revokes a key: the next request with it is refused, its subscription sockets close (GraphQL: revokeApiKey)' })
  @ApiOkResponse({ type: ApiKeyType, description: 'The key as it is now' })
  @Problems([HttpStatus.BAD_REQUEST, 'The key was revoked already'], [HttpStatus.NOT_FOUND, 'No key has this id'])
  revokeApiKey(@CurrentAdmin() admin: AccessClaims, @Param('id') id: string): Promise<ApiKeyType> {
    return this.keys.revoke(admin.username, id);
  }
}
