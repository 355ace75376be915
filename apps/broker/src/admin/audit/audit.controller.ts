import { Get, HttpStatus, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { Problems, RestController } from '../rest/rest-controller';
import { RestInput } from '../rest/rest-input.pipe';
import { AuditLogArgs, AuditPageType } from './audit.types';
import { AuditService } from './audit.service';

@RestController('audit-log')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({ summary: 'Who changed what through the admin API, newest first, a page at a time (GraphQL: auditLog)' })
  @ApiOkResponse({ type: AuditPageType, description: 'A page of entries' })
  @Problems(HttpStatus.BAD_REQUEST)
  auditLog(@Query(RestInput) args: AuditLogArgs): Promise<AuditPageType> {
    return this.audit.page(args.first, args.after);
  }
}
