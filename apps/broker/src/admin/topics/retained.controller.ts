import { Delete, Get, HttpStatus, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AccessClaims } from '../auth/admin-tokens';
import { AdminOnly, CurrentAdmin } from '../auth/admin-principal';
import { Problems, RestController } from '../rest/rest-controller';
import { RestInput } from '../rest/rest-input.pipe';
import { ClearRetainedArgs, ClearRetainedResult, RetainedArgs, RetainedPageType } from './retained.types';
import { RetainedService } from './retained.service';

@RestController('retained')
export class RetainedController {
  constructor(private readonly retained: RetainedService) {}

  @Get()
  @ApiOperation({ summary: 'Retained messages matching a topic filter, by topic, a page at a time (GraphQL: retainedMessages)' })
  @ApiOkResponse({ type: RetainedPageType, description: 'A page of retained messages' })
  @Problems(HttpStatus.BAD_REQUEST)
  listRetained(@Query(RestInput) args: RetainedArgs): RetainedPageType {
    return this.retained.page(args.filter, args.first, args.after);
  }

  @AdminOnly()
  @Delete()
  @ApiOperation({ summary: 'Clears the retained messages of one or more topics; nothing is delivered (GraphQL: clearRetained)' })
  @ApiOkResponse({ type: ClearRetainedResult, description: 'How many there were' })
  @Problems(HttpStatus.BAD_REQUEST)
  async clearRetained(@CurrentAdmin() admin: AccessClaims, @Query(RestInput) args: ClearRetainedArgs): Promise<ClearRetainedResult> {
    return { cleared: await this.retained.clear(admin.username, args.topics) };
  }
}
