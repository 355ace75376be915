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
