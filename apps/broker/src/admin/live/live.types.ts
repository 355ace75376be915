import { Field, Float, Int, ObjectType } from '@nestjs/graphql';
import { GraphQLJSONObject } from '../audit/json-object.scalar';
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
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'MQTT 5.0 properties as published (binary values in base64)' }) properties!: Record<string, unknown> | null;
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

@ObjectType('ClientEvent', { description: 'A client connecting, refused, disconnecting or kicked, as it happens' })
export class ClientEventType {
  @Field() clientId!: string;
  @Field(() => String, { nullable: true, description: 'The user; when refused, the name the client claimed' }) username!: string | null;
  @Field({ description: 'connect, connect_refused, disconnect or kicked' }) action!: string;
  @Field() at!: Date;
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Reason code, address, who ended it...' }) details!: Record<string, unknown> | null;
}
