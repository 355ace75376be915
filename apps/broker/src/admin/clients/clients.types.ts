import { ArgsType, Field, Float, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AfterArg, PageSizeArg } from '../page-size';

@ObjectType('Client', { description: 'A live MQTT connection' })
export class ClientType {
  @Field() @ApiProperty() clientId!: string;
  @Field(() => String, { nullable: true }) @ApiProperty({ type: String, nullable: true }) username!: string | null;
  @Field({ description: 'The client\'s IP address' }) @ApiProperty({ description: 'The client\'s IP address' }) address!: string;
  @Field(() => Int, { description: '4 (MQTT 3.1.1) or 5' }) @ApiProperty({ type: 'integer', description: '4 (MQTT 3.1.1) or 5' }) protocolVersion!: number;
  @Field(() => Int, { description: 'Seconds; 0 = off' }) @ApiProperty({ type: 'integer', description: 'Seconds; 0 = off' }) keepAlive!: number;
  @Field() @ApiProperty() connectedAt!: Date;
  @Field(() => Int, { description: 'QoS 1/2 messages sent and not yet acknowledged' }) @ApiProperty({ type: 'integer', description: 'QoS 1/2 messages sent and not yet acknowledged' }) inflight!: number;
  @Field(() => Int, { description: 'QoS 1/2 messages waiting for room in flight' }) @ApiProperty({ type: 'integer', description: 'QoS 1/2 messages waiting for room in flight' }) queued!: number;
  @Field(() => Int) @ApiProperty({ type: 'integer' }) subscriptions!: number;
  @Field({ description: 'Whether the session outlives the connection' }) @ApiProperty({ description: 'Whether the session outlives the connection' }) persistent!: boolean;
  @Field(() => Float, { description: 'Bytes received from the client on this connection' }) @ApiProperty({ description: 'Bytes received from the client on this connection' }) bytesIn!: number;
  @Field(() => Float, { description: 'Bytes written to the client on this connection' }) @ApiProperty({ description: 'Bytes written to the client on this connection' }) bytesOut!: number;
  @Field(() => Float, { description: 'PUBLISH packets received from the client on this connection' }) @ApiProperty({ description: 'PUBLISH packets received from the client on this connection' }) messagesIn!: number;
  @Field(() => Float, { description: 'PUBLISH packets sent to the client on this connection, resends included' }) @ApiProperty({ description: 'PUBLISH packets sent to the client on this connection, resends included' }) messagesOut!: number;
}

@ObjectType('ClientPage')
export class ClientPageType {
  @Field(() => [ClientType]) @ApiProperty({ type: [ClientType] }) clients!: ClientType[];
  @Field(() => Int, { description: 'Clients matching the filter, on every page' }) @ApiProperty({ type: 'integer', description: 'Clients matching the filter, on every page' }) total!: number;
  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next page (by client id)' }) @ApiProperty({ type: String, nullable: true, description: 'Pass as `after` for the next page (by client id)' }) nextCursor!: string | null;
}

@ArgsType()
export class ClientsArgs {
  @Field(() => String, { nullable: true, description: 'Part of the client id, user name or address' })
  @ApiPropertyOptional({ type: String, description: 'Part of the client id, user name or address' })
  filter?: string | null;

  @PageSizeArg(100)
  first!: number;

  @AfterArg()
  after?: string | null;
}
