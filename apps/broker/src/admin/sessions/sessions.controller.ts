import { Delete, Get, HttpCode, HttpStatus, Param, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AccessClaims } from '../auth/admin-tokens';
import { AdminOnly, CurrentAdmin } from '../auth/admin-principal';
import { Problems, RestController } from '../rest/rest-controller';
import { RestInput } from '../rest/rest-input.pipe';
import { SessionDetailType, SessionPageType, SessionsArgs, StoredMessageType, StoredMessagesArgs } from './sessions.types';
import { SessionsService } from './sessions.service';

const NO_SESSION: [HttpStatus, string] = [HttpStatus.NOT_FOUND, 'The broker holds no session with this client id'];

@RestController('sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Get()
  @ApiOperation({ summary: 'Persistent sessions, connected or not, by client id, a page at a time (GraphQL: sessions)' })
  @ApiOkResponse({ type: SessionPageType, description: 'A page of sessions' })
  @Problems(HttpStatus.BAD_REQUEST)
  listSessions(@Query(RestInput) args: SessionsArgs): SessionPageType {
    return this.sessions.page(args.filter, args.online, args.first, args.after);
  }

  @Get(':clientId')
  @ApiOperation({ summary: 'A session, persistent or not, connected or not, with its subscriptions and will (GraphQL: session)' })
  @ApiOkResponse({ type: SessionDetailType, description: 'The session' })
  @Problems(NO_SESSION)
  getSession(@Param('clientId') clientId: string): SessionDetailType {
    return this.sessions.detail(clientId);
  }

  @Get(':clientId/messages')
  @ApiOperation({ summary: 'QoS 1/2 messages the broker still owes a session: in flight first, then queued (GraphQL: storedMessages)' })
  @ApiOkResponse({ type: [StoredMessageType], description: 'The messages' })
  @Problems(HttpStatus.BAD_REQUEST, NO_SESSION)
  storedMessages(@Param('clientId') clientId: string, @Query(RestInput) args: StoredMessagesArgs): StoredMessageType[] {
    return this.sessions.storedMessages(clientId, args.first);
  }

  @AdminOnly()
  @Delete(':clientId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Ends an offline session: subscriptions, queued messages and pending will go (GraphQL: deleteSession)' })
  @ApiNoContentResponse({ description: 'The session has ended' })
  @Problems([HttpStatus.BAD_REQUEST, 'The client is connected: kick it first'], NO_SESSION)
  async deleteSession(@CurrentAdmin() admin: AccessClaims, @Param('clientId') clientId: string): Promise<void> {
    await this.sessions.delete(admin.username, clientId);
  }
}
