import { Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { RestController } from '../rest/rest-controller';
import { BrokerSetting } from './broker-settings.types';
import { StatusService } from './status.service';

@RestController('settings')
export class SettingsController {
  constructor(private readonly status: StatusService) {}

  @Get()
  @ApiOperation({ summary: 'The configuration in effect, variable by variable, with whether each is the default; never a secret (GraphQL: brokerSettings)' })
  @ApiOkResponse({ type: [BrokerSetting], description: 'The settings' })
  brokerSettings(): BrokerSetting[] {
    return this.status.settings();
  }
}
