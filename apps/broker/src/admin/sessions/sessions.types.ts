import { ArgsType, Field, Float, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { GraphQLJSONObject, JSON_OBJECT_PROPERTY } from '../audit/json-object.scalar';
import { AfterArg, PageSizeArg } from '../page-size';

@ObjectType('Session', { description: 'A persistent session (Session Expiry Interval above 0), connected or not' })
export class SessionType {
  @Field() @ApiProperty() clientId!: string;
  @Field(() => String, { nullable: true, description: 'The user of the connection that last attached' }) @ApiProperty({ type: String, nullable: true, description: 'The user of the connection that last attached' }) username!: string | null;
  @Field() @ApiProperty() online!: boolean;
  @Field(() => Int) @ApiProperty({ type: 'integer' }) protocolVersion!: number;
  @Field(() => Float, { description: 'Seconds the session outlives its connection' }) @ApiProperty({ description: 'Seconds the session outlives its connection' }) expiryInterval!: number;
  @Field(() => Date, { nullable: true, description: 'When an offline session ends, unless its client comes back' }) @ApiProperty({ type: Date, nullable: true, description: 'When an offline session ends, unless its client comes back' }) expiresAt!: Date | null;
  @Field(() => Int) @ApiProperty({ type: 'integer' }) subscriptions!: number;
  @Field(() => Int, { description: 'QoS 1/2 messages the broker still owes: queued' }) @ApiProperty({ type: 'integer', description: 'QoS 1/2 messages the broker still owes: queued' }) queued!: number;
  @Field(() => Int, { description: 'QoS 1/2 messages sent and not yet acknowledged' }) @ApiProperty({ type: 'integer', description: 'QoS 1/2 messages sent and not yet acknowledged' }) inflight!: number;
  @Field({ description: 'Whether a will waits to be published' }) @ApiProperty({ description: 'Whether a will waits to be published' }) willPending!: boolean;
}

@ObjectType('SessionPage')
export class SessionPageType {
  @Field(() => [SessionType]) @ApiProperty({ type: [SessionType] }) sessions!: SessionType[];
  @Field(() => Int) @ApiProperty({ type: 'integer', description: 'Sessions matching the filters, on every page' }) total!: number;
  @Field(() => String, { nullable: true }) @ApiProperty({ type: String, nullable: true, description: 'Pass as `after` for the next page (by client id); null at the end' }) nextCursor!: string | null;
}

@ArgsType()
export class SessionsArgs {
  @Field(() => String, { nullable: true, description: 'Part of the client id or user name' }) @ApiPropertyOptional({ type: String, description: 'Part of the client id or user name' }) filter?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'Only connected (true) or offline (false) sessions' }) @ApiPropertyOptional({ type: Boolean, description: 'Only connected (true) or offline (false) sessions' }) online?: boolean | null;
  @PageSizeArg(100) first!: number;
  @AfterArg() after?: string | null;
}

@ArgsType()
export class StoredMessagesArgs {
  @PageSizeArg(100) first!: number;
}

@ObjectType('SessionSubscription', { description: 'A subscription of a session, with its MQTT 5.0 options' })
export class SubscriptionInfoType {
  @Field({ description: 'As the client sent it, $share/... included' }) @ApiProperty({ description: 'As the client sent it, $share/... included' }) topicFilter!: string;
  @Field(() => Int) @ApiProperty({ type: 'integer' }) qos!: number;
  @Field() @ApiProperty() noLocal!: boolean;
  @Field() @ApiProperty() retainAsPublished!: boolean;
  @Field(() => Int, { description: '0: send retained on subscribe, 1: only for a new subscription, 2: never' }) @ApiProperty({ type: 'integer', description: '0: send retained on subscribe, 1: only for a new subscription, 2: never' }) retainHandling!: number;
  @Field(() => Int, { nullable: true }) @ApiProperty({ type: 'integer', nullable: true }) subscriptionId!: number | null;
}

@ObjectType('Will', { description: 'The will a session holds, published if its connection ends without DISCONNECT 0x00' })
export class WillInfoType {
  @Field() @ApiProperty() topic!: string;
  @Field(() => Int) @ApiProperty({ type: 'integer' }) qos!: number;
  @Field() @ApiProperty() retain!: boolean;
  @Field(() => String, { nullable: true }) @ApiProperty({ type: String, nullable: true, description: 'The payload as text, when it is valid UTF-8' }) payloadText!: string | null;
  @Field() @ApiProperty({ description: 'The payload, always, in base64' }) payloadBase64!: string;
  @Field(() => Int, { description: 'Seconds between the end of the connection and the will (Will Delay Interval)' }) @ApiProperty({ type: 'integer', description: 'Seconds between the end of the connection and the will (Will Delay Interval)' }) delayInterval!: number;
}

@ObjectType('StoredMessage', { description: 'A QoS 1/2 message the broker still owes a session' })
export class StoredMessageType {
  @Field({ description: 'inflight (sent, not acknowledged), released (QoS 2: PUBREL sent) or queued' }) @ApiProperty({ enum: ['inflight', 'released', 'queued'], description: 'inflight (sent, not acknowledged), released (QoS 2: PUBREL sent) or queued' }) state!: string;
  @Field(() => Int, { nullable: true, description: 'Packet identifier, once sent' }) @ApiProperty({ type: 'integer', nullable: true, description: 'Packet identifier, once sent' }) packetId!: number | null;
  @Field() @ApiProperty() topic!: string;
  @Field(() => Int) @ApiProperty({ type: 'integer' }) qos!: number;
  @Field() @ApiProperty() retain!: boolean;
  @Field(() => String, { nullable: true }) @ApiProperty({ type: String, nullable: true, description: 'The payload as text, when it is valid UTF-8' }) payloadText!: string | null;
  @Field() @ApiProperty({ description: 'The payload, always, in base64' }) payloadBase64!: string;
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'MQTT 5.0 properties as published (binary values in base64)' }) @ApiProperty({ ...JSON_OBJECT_PROPERTY, description: 'MQTT 5.0 properties as published (binary values in base64)' }) properties!: Record<string, unknown> | null;
  @Field() @ApiProperty() receivedAt!: Date;
}

/** A session with its subscriptions and its will: what GraphQL's Session gives with subscriptionList and will. */
export class SessionDetailType extends SessionType {
  @ApiProperty({ type: [SubscriptionInfoType], description: 'Its subscriptions with their options, by filter' }) subscriptionList!: SubscriptionInfoType[];
  @ApiProperty({ type: WillInfoType, nullable: true }) will!: WillInfoType | null;
}
