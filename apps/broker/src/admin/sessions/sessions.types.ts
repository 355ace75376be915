import { ArgsType, Field, Float, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('Session', { description: 'A persistent session (Session Expiry Interval above 0), connected or not' })
export class SessionType {
  @Field() clientId!: string;
  @Field(() => String, { nullable: true, description: 'The user of the connection that last attached' }) username!: string | null;
  @Field() online!: boolean;
  @Field(() => Int) protocolVersion!: number;
  @Field(() => Float, { description: 'Seconds the session outlives its connection' }) expiryInterval!: number;
  @Field(() => Date, { nullable: true, description: 'When an offline session ends, unless its client comes back' }) expiresAt!: Date | null;
  @Field(() => Int) subscriptions!: number;
  @Field(() => Int, { description: 'QoS 1/2 messages the broker still owes: queued' }) queued!: number;
  @Field(() => Int, { description: 'QoS 1/2 messages sent and not yet acknowledged' }) inflight!: number;
  @Field({ description: 'Whether a will waits to be published' }) willPending!: boolean;
}

@ObjectType('SessionPage')
export class SessionPageType {
  @Field(() => [SessionType]) sessions!: SessionType[];
  @Field(() => Int) total!: number;
  @Field(() => String, { nullable: true }) nextCursor!: string | null;
}

@ArgsType()
export class SessionsArgs {
  @Field(() => String, { nullable: true, description: 'Part of the client id or user name' }) filter?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'Only connected (true) or offline (false) sessions' }) online?: boolean | null;
  @Field(() => Int, { defaultValue: 100 }) first!: number;
  @Field(() => String, { nullable: true }) after?: string | null;
}

@ObjectType('SessionSubscription', { description: 'A subscription of a session, with its MQTT 5.0 options' })
export class SubscriptionInfoType {
  @Field({ description: 'As the client sent it, $share/... included' }) topicFilter!: string;
  @Field(() => Int) qos!: number;
  @Field() noLocal!: boolean;
  @Field() retainAsPublished!: boolean;
  @Field(() => Int, { description: '0: send retained on subscribe, 1: only for a new subscription, 2: never' }) retainHandling!: number;
  @Field(() => Int, { nullable: true }) subscriptionId!: number | null;
}

@ObjectType('Will', { description: 'The will a session holds, published if its connection ends without DISCONNECT 0x00' })
export class WillInfoType {
  @Field() topic!: string;
  @Field(() => Int) qos!: number;
  @Field() retain!: boolean;
  @Field(() => String, { nullable: true }) payloadText!: string | null;
  @Field() payloadBase64!: string;
  @Field(() => Int, { description: 'Seconds between the end of the connection and the will (Will Delay Interval)' }) delayInterval!: number;
}

@ObjectType('StoredMessage', { description: 'A QoS 1/2 message the broker still owes a session' })
export class StoredMessageType {
  @Field({ description: 'inflight (sent, not acknowledged), released (QoS 2: PUBREL sent) or queued' }) state!: string;
  @Field(() => Int, { nullable: true, description: 'Packet identifier, once sent' }) packetId!: number | null;
  @Field() topic!: string;
  @Field(() => Int) qos!: number;
  @Field() retain!: boolean;
  @Field(() => String, { nullable: true }) payloadText!: string | null;
  @Field() payloadBase64!: string;
  @Field() receivedAt!: Date;
}

/** A session with its subscriptions and its will: what GraphQL's Session gives with subscriptionList and will. */
export class SessionDetailType extends SessionType {
  subscriptionList!: SubscriptionInfoType[];
  will!: WillInfoType | null;
}
