import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { AccessClaims } from '../auth/admin-tokens';
import { AdminOnly, CurrentAdmin } from '../auth/admin-principal';
import { PublishInput, PublishResult } from './publish.types';
import { PublishService } from './publish.service';

@Resolver()
export class PublishResolver {
  constructor(private readonly publisher: PublishService) {}

  @AdminOnly()
  @Mutation(() => PublishResult, { description: 'Publishes as the signed-in admin, through the normal routing' })
  async publish(@CurrentAdmin() admin: AccessClaims, @Args('input') input: PublishInput): Promise<PublishResult> {
    return { deliveries: await this.publisher.publish(admin.username, input) };
  }
}
