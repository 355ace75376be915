import { Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AccessClaims } from '../auth/admin-tokens';
import { AdminOnly, CurrentAdmin } from '../auth/admin-principal';
import { Problems, RestController } from '../rest/rest-controller';
import { RestInput } from '../rest/rest-input.pipe';
import { ClientPageType, ClientType, ClientsArgs } from './clients.types';
import { ClientsService } from './clients.service';

@RestController('clients')
export class ClientsController {
  constructor(private readonly clients: ClientsService) {}

  @Get()
  @ApiOperation({ summary: 'Connected clients, by client id, a page at a time (GraphQL: clients)' })
  @ApiOkResponse({ type: ClientPageType, description: 'A page of clients' })
  @Problems(HttpStatus.BAD_REQUEST)
  listClients(@Query(RestInput) args: ClientsArgs): ClientPageType {
    return this.clients.page(args.filter, args.first, args.after);
  }

  @Get(':clientId')
  @ApiOperation({ summary: 'A connected client (GraphQL: client)' })
  @ApiOkResponse({ type: ClientType, description: 'The client' })
  @Problems([HttpStatus.NOT_FOUND, 'No client with this id is connected'])
  getClient(@Param('clientId') clientId: string): ClientType {
    return this.clients.one(clientId);
  }

  /** An action on the connection, not a deletion: the session stays as the client left it. */
  @AdminOnly()
  @Post(':clientId/kick')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Disconnects a client (MQTT 5.0: DISCONNECT 0x98 Administrative action); its session stays (GraphQL: kickClient)' })
  @ApiNoContentResponse({ description: 'Disconnected' })
  @Problems([HttpStatus.NOT_FOUND, 'No client with this id is connected'])
  async kickClient(@CurrentAdmin() admin: AccessClaims, @Param('clientId') clientId: string): Promise<void> {
    await this.clients.kick(admin.username, clientId);
  }
}
