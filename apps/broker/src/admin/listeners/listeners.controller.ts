import { Body, Get, HttpStatus, Param, Patch } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AccessClaims } from '../auth/admin-tokens';
import { AdminOnly, CurrentAdmin } from '../auth/admin-principal';
import { Problems, RestController } from '../rest/rest-controller';
import { RestInput } from '../rest/rest-input.pipe';
import { ListenerChangeInput, ListenerInfo } from './listeners.types';
import { ListenersAdminService } from './listeners.service';

@RestController('listeners')
export class ListenersController {
  constructor(private readonly listeners: ListenersAdminService) {}

  @Get()
  @ApiOperation({ summary: 'Every configured listener, enabled or not (GraphQL: brokerStatus.listeners)' })
  @ApiOkResponse({ type: [ListenerInfo], description: 'The listeners' })
  listListeners(): ListenerInfo[] {
    return this.listeners.list();
  }

  @AdminOnly()
  @Patch(':id')
  @ApiOperation({ summary: 'Stops a listener accepting new connections, or starts it again on the same port; its clients stay unless disconnectClients (GraphQL: setListenerEnabled)' })
  @ApiOkResponse({ type: ListenerInfo, description: 'The listener as it is now' })
  @Problems(
    HttpStatus.BAD_REQUEST,
    [HttpStatus.NOT_FOUND, 'No listener has this id (kind:port)'],
    [HttpStatus.CONFLICT, 'LISTEN_FAILED: the port could not be bound again; the listener stays disabled'],
    [HttpStatus.SERVICE_UNAVAILABLE, 'SHUTTING_DOWN: the broker is shutting down'],
  )
  setListenerEnabled(@CurrentAdmin() admin: AccessClaims, @Param('id') id: string, @Body(RestInput) input: ListenerChangeInput): Promise<ListenerInfo> {
    return this.listeners.setEnabled(admin.username, id, input.enabled, input.disconnectClients ?? false);
  }
}
