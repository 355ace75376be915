import { Query, Resolver } from '@nestjs/graphql';
import { BrokerStatus } from './broker-status.types';
import { BrokerSetting } from './broker-settings.types';
import { StatusService } from './status.service';

@Resolver()
export class StatusResolver {
  constructor(private readonly status: StatusService) {}

  @Query(() => BrokerStatus, { description: 'Version, uptime, listeners, counters and database' })
  brokerStatus(): BrokerStatus {
    return this.status.status();
  }

  @Query(() => [BrokerSetting], { description: 'The configuration in effect, variable by variable, with whether each is the default; never a secret' })
  brokerSettings(): BrokerSetting[] {
    return this.status.settings();
  }
}
