import { Field, Float, Int, ObjectType } from '@nestjs/graphql';
import { ListenerInfo } from '../listeners/listeners.types';

@ObjectType({ description: 'Counters since the broker started (Float: they outgrow 32 bits)' })
export class BrokerCounters {
  @Field(() => Int) clientsConnected!: number;
  @Field(() => Int) clientsMaximum!: number;
  @Field(() => Float) connectionsTotal!: number;
  @Field(() => Int, { description: 'Sessions held, online and offline' }) sessions!: number;
  @Field(() => Float) messagesReceived!: number;
  @Field(() => Float) messagesSent!: number;
  @Field(() => Float) publishReceived!: number;
  @Field(() => Float) publishSent!: number;
  @Field(() => Float) bytesReceived!: number;
  @Field(() => Float) bytesSent!: number;
  @Field(() => Float, { description: 'PUBLISH dropped: queue full, slow consumer, too large, expired' }) publishDropped!: number;
  @Field(() => Float) historyRecorded!: number;
  @Field(() => Float) historyDropped!: number;
}

@ObjectType({ description: 'Where the broker keeps its data' })
export class DatabaseInfo {
  @Field({ description: 'embedded (the PostgreSQL server the broker runs in DATA_DIR) or server (DATABASE_URL)' })
  kind!: string;

  @Field({ description: 'Host, port and database, or the embedded directory; never a password' })
  description!: string;
}

@ObjectType()
export class BrokerStatus {
  @Field() version!: string;
  @Field() startedAt!: Date;
  @Field(() => Int) uptimeSeconds!: number;
  @Field(() => [ListenerInfo], { description: 'Every configured listener, enabled or not' }) listeners!: ListenerInfo[];
  @Field(() => BrokerCounters) counters!: BrokerCounters;
  @Field(() => DatabaseInfo) database!: DatabaseInfo;
}
