import { Query, Resolver } from '@nestjs/graphql';
import { BrokerStatus } from './broker-status.types';
import { StatusService } from './status.service';

@Resolver()
export class StatusResolver {
  constructor(private readonly status: StatusService) {}

  @Query(() => BrokerStatus, { description: 'Version, uptime, listeners, counters and database' })
  brokerStatus(): BrokerStatus {
    return this.status.status();
  }
}
