import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { AccessClaims } from '../auth/admin-tokens';
import { AdminOnly, CurrentAdmin } from '../auth/admin-principal';
import { AclRuleType, CreateAclRuleInput, UpdateAclRuleInput } from './acl.types';
import { AclService } from './acl.service';

@Resolver(() => AclRuleType)
export class AclResolver {
  constructor(private readonly acl: AclService) {}

  @Query(() => [AclRuleType], { description: 'The database rules in order, then the ACL file rules' })
  aclRules(): Promise<AclRuleType[]> {
    return this.acl.list();
  }

  @AdminOnly()
  @Mutation(() => AclRuleType, { description: 'Adds a rule; connected clients are held to it from their next packet' })
  createAclRule(@CurrentAdmin() admin: AccessClaims, @Args('input') input: CreateAclRuleInput): Promise<AclRuleType> {
    return this.acl.create(admin.username, input);
  }

  @AdminOnly()
  @Mutation(() => AclRuleType, { description: 'Changes or moves a database rule' })
  updateAclRule(@CurrentAdmin() admin: AccessClaims, @Args('id', { type: () => ID }) id: string, @Args('input') input: UpdateAclRuleInput): Promise<AclRuleType> {
    return this.acl.update(admin.username, id, input);
  }

  @AdminOnly()
  @Mutation(() => Boolean, { description: 'Removes a database rule' })
  deleteAclRule(@CurrentAdmin() admin: AccessClaims, @Args('id', { type: () => ID }) id: string): Promise<boolean> {
    return this.acl.delete(admin.username, id);
  }
}
