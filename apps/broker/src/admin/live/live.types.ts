import { Field, Float, Int, ObjectType } from '@nestjs/graphql';
import { BrokerCounters } from '../status/broker-status.types';

@ObjectType('LiveMessage', { description: 'A message a client published, as the live feed shows it' })
export class LiveMessageType {
  @Field() topic!: string;
  @Field(() => String, { nullable: true, description: 'The payload as text, when it is valid UTF-8' }) payloadText!: string | null;
  @Field() payloadBase64!: string;
  @Field(() => Int) qos!: number;
  @Field() retain!: boolean;
  @Field(() => String, { nullable: true }) publisherClientId!: string | null;
  @Field(() => String, { nullable: true }) publisherUsername!: string | null;
  @Field() receivedAt!: Date;
  @Field(() => Int, { description: 'Messages on the filter skipped since the one before, to stay within ADMIN_LIVE_MAX_RATE' }) skippedBefore!: number;
}

@ObjectType('BrokerMetrics', { description: 'A tick a second: the counters, and their rates over the last second' })
export class BrokerMetricsType {
  @Field() at!: Date;
  @Field(() => BrokerCounters) counters!: BrokerCounters;
  @Field(() => Float) publishReceivedPerSecond!: number;
  @Field(() => Float) publishSentPerSecond!: number;
  @Field(() => Float) publishDroppedPerSecond!: number;
}
