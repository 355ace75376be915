import { Field, Float, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { ListenerInfo } from '../listeners/listeners.types';

const INFLIGHT = 'QoS 1/2 messages sent and not yet acknowledged, all sessions (now, not since the start)';
const QUEUED = 'QoS 1/2 messages queued for sessions, online and offline (now)';
const LAG = 'Age of the oldest recorded message still waiting for the database; 0 when none waits (now)';

@ObjectType({ description: 'Counters since the broker started (Float: they outgrow 32 bits)' })
export class BrokerCounters {
  @Field(() => Int) @ApiProperty({ type: 'integer' }) clientsConnected!: number;
  @Field(() => Int) @ApiProperty({ type: 'integer' }) clientsMaximum!: number;
  @Field(() => Float) @ApiProperty() connectionsTotal!: number;
  @Field(() => Int, { description: 'Sessions held, online and offline' }) @ApiProperty({ type: 'integer', description: 'Sessions held, online and offline' }) sessions!: number;
  @Field(() => Float) @ApiProperty() messagesReceived!: number;
  @Field(() => Float) @ApiProperty() messagesSent!: number;
  @Field(() => Float) @ApiProperty() publishReceived!: number;
  @Field(() => Float) @ApiProperty() publishSent!: number;
  @Field(() => Float) @ApiProperty() bytesReceived!: number;
  @Field(() => Float) @ApiProperty() bytesSent!: number;
  @Field(() => Float, { description: 'PUBLISH dropped: queue full, slow consumer, too large, expired' }) @ApiProperty({ description: 'PUBLISH dropped: queue full, slow consumer, too large, expired' }) publishDropped!: number;
  @Field(() => Float) @ApiProperty() historyRecorded!: number;
  @Field(() => Float) @ApiProperty() historyDropped!: number;
  @Field(() => Float, { description: INFLIGHT }) @ApiProperty({ description: INFLIGHT }) inflightMessages!: number;
  @Field(() => Float, { description: QUEUED }) @ApiProperty({ description: QUEUED }) queuedMessages!: number;
  @Field(() => Float, { description: LAG }) @ApiProperty({ description: LAG }) historyLagSeconds!: number;
}

@ObjectType({ description: 'Where the broker keeps its data' })
export class DatabaseInfo {
  @Field({ description: 'embedded (the PostgreSQL server the broker runs in DATA_DIR) or server (DATABASE_URL)' })
  @ApiProperty({ description: 'embedded (the PostgreSQL server the broker runs in DATA_DIR) or server (DATABASE_URL)' })
  kind!: string;

  @Field({ description: 'Host, port and database, or the embedded directory; never a password' })
  @ApiProperty({ description: 'Host, port and database, or the embedded directory; never a password' })
  description!: string;
}

@ObjectType()
export class BrokerStatus {
  @Field() @ApiProperty() version!: string;
  @Field() @ApiProperty() startedAt!: Date;
  @Field(() => Int) @ApiProperty({ type: 'integer' }) uptimeSeconds!: number;
  @Field(() => [ListenerInfo], { description: 'Every configured listener, enabled or not' }) @ApiProperty({ type: [ListenerInfo], description: 'Every configured listener, enabled or not' }) listeners!: ListenerInfo[];
  @Field(() => BrokerCounters) @ApiProperty() counters!: BrokerCounters;
  @Field(() => DatabaseInfo) @ApiProperty() database!: DatabaseInfo;
}
