import { Body, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AccessClaims } from '../auth/admin-tokens';
import { AdminOnly, CurrentAdmin } from '../auth/admin-principal';
import { Problems, RestController } from '../rest/rest-controller';
import { RestInput } from '../rest/rest-input.pipe';
import { PublishInput, PublishResult } from './publish.types';
import { PublishService } from './publish.service';

@RestController('publish')
export class PublishController {
  constructor(private readonly publisher: PublishService) {}

  @AdminOnly()
  @Post()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Publishes as the signed-in admin, through the normal routing (GraphQL: publish)' })
  @ApiOkResponse({ type: PublishResult, description: 'Published' })
  @Problems([HttpStatus.BAD_REQUEST, 'A message a client could not publish: a wildcard or $SYS topic, a QoS above MAXIMUM_QOS, a payload that is not base64 or too large'], HttpStatus.PAYLOAD_TOO_LARGE)
  async publish(@CurrentAdmin() admin: AccessClaims, @Body(RestInput) input: PublishInput): Promise<PublishResult> {
    return { deliveries: await this.publisher.publish(admin.username, input) };
  }
}
