import { Args, Query, Resolver } from '@nestjs/graphql';
import { AuditLogArgs, AuditPageType } from './audit.types';
import { AuditService } from './audit.service';

@Resolver()
export class AuditResolver {
  constructor(private readonly audit: AuditService) {}

  @Query(() => AuditPageType, { description: 'Who changed what, newest first' })
  auditLog(@Args() args: AuditLogArgs): Promise<AuditPageType> {
    return this.audit.page(args.first, args.after);
  }
}
