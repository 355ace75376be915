import { Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { RestController } from '../rest/rest-controller';
import { BrokerStatus } from './broker-status.types';
import { StatusService } from './status.service';

@RestController('status')
export class StatusController {
  constructor(private readonly status: StatusService) {}

  @Get()
  @ApiOperation({ summary: 'Version, uptime, listeners, counters and database (GraphQL: brokerStatus)' })
  @ApiOkResponse({ type: BrokerStatus, description: 'The broker now' })
  brokerStatus(): BrokerStatus {
    return this.status.status();
  }
}
