import { Args, Int, Query, Resolver } from '@nestjs/graphql';
import { GraphQLError } from 'graphql';
import { pageSize } from '../page-size';
import { AuditPageType } from './audit.types';
import { AuditService } from './audit.service';

@Resolver()
export class AuditResolver {
  constructor(private readonly audit: AuditService) {}

  @Query(() => AuditPageType, { description: 'Who changed what, newest first' })
  async auditLog(@Args('first', { type: () => Int, defaultValue: 50 }) first: number, @Args('after', { type: () => String, nullable: true }) after?: string | null): Promise<AuditPageType> {
    try {
      return await this.audit.page(pageSize(first), after);
    } catch (e) {
      if (e instanceof RangeError) throw new GraphQLError(`after: ${e.message}; pass a nextCursor`, { extensions: { code: 'BAD_USER_INPUT' } });
      throw e;
    }
  }
}
