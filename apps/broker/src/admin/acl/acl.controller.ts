import { Body, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AccessClaims } from '../auth/admin-tokens';
import { AdminOnly, CurrentAdmin } from '../auth/admin-principal';
import { Problems, RestController } from '../rest/rest-controller';
import { RestInput } from '../rest/rest-input.pipe';
import { AclRuleType, CreateAclRuleInput, UpdateAclRuleInput } from './acl.types';
import { AclService } from './acl.service';

const NO_RULE: [HttpStatus, string] = [HttpStatus.NOT_FOUND, 'No database rule has this id (file rules are changed in ACL_FILE)'];

@RestController('acl-rules')
export class AclController {
  constructor(private readonly acl: AclService) {}

  @Get()
  @ApiOperation({ summary: 'The database rules in order (the first that applies decides), then the ACL file rules (GraphQL: aclRules)' })
  @ApiOkResponse({ type: [AclRuleType], description: 'The rules' })
  listAclRules(): Promise<AclRuleType[]> {
    return this.acl.list();
  }

  @AdminOnly()
  @Post()
  @ApiOperation({ summary: 'Adds a rule; connected clients are held to it from their next packet (GraphQL: createAclRule)' })
  @ApiCreatedResponse({ type: AclRuleType, description: 'The new rule' })
  @Problems(HttpStatus.BAD_REQUEST)
  createAclRule(@CurrentAdmin() admin: AccessClaims, @Body(RestInput) input: CreateAclRuleInput): Promise<AclRuleType> {
    return this.acl.create(admin.username, input);
  }

  @AdminOnly()
  @Patch(':id')
  @ApiOperation({ summary: 'Changes or moves a database rule; what is left out stays as it is (GraphQL: updateAclRule)' })
  @ApiOkResponse({ type: AclRuleType, description: 'The rule as it is now' })
  @Problems(HttpStatus.BAD_REQUEST, NO_RULE)
  updateAclRule(@CurrentAdmin() admin: AccessClaims, @Param('id') id: string, @Body(RestInput) input: UpdateAclRuleInput): Promise<AclRuleType> {
    return this.acl.update(admin.username, id, input);
  }

  @AdminOnly()
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Removes a database rule (GraphQL: deleteAclRule)' })
  @ApiNoContentResponse({ description: 'Removed' })
  @Problems(NO_RULE)
  async deleteAclRule(@CurrentAdmin() admin: AccessClaims, @Param('id') id: string): Promise<void> {
    await this.acl.delete(admin.username, id);
  }
}
