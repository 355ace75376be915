import { Args, Int, Query, Resolver } from '@nestjs/graphql';
import { AuditPageType } from './audit.types';
import { AuditService } from './audit.service';

@Resolver()
export class AuditResolver {
  constructor(private readonly audit: AuditService) {}

  @Query(() => AuditPageType, { description: 'Who changed what, newest first' })
  auditLog(@Args('first', { type: () => Int, defaultValue: 50 }) first: number, @Args('after', { type: () => String, nullable: true }) after?: string | null): Promise<AuditPageType> {
    return this.audit.page(first, after);
  }
}
