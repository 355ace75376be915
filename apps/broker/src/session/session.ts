import { ProtocolVersion, QoS, RetainHandling, WillMessage } from '@nestmq/mqtt-protocol';
import type { IdentityAcl } from '../auth/identity-acl';
import { InflightWindow } from '../qos/inflight-window';
import { TopicCache } from '../routing/topic-cache';
import { LongTimeout } from './long-timeout';
import type { Connection } from '../transport/connection';

/** Session Expiry Interval meaning "never expires" (§3.1.2.11.2). */
export const NEVER_EXPIRES = 0xffffffff;

/** One subscription of a session: the filter as subscribed and its options (§3.8.3.1). */
export interface SubscriptionRecord {
  /** The Topic Filter as the client sent it, `$share/...` included. */
  topicFilter: string;
  qos: QoS;
  noLocal: boolean;
  retainAsPublished: boolean;
  retainHandling: RetainHandling;
  /** 0 = none. */
  subscriptionId: number;
}

/**
 * The state the specification keeps per Client Identifier across connections (§4.1): subscriptions,
 * QoS 1/2 messages in both directions, the will, and the expiry clock.
 */
export class Session {
  connection: Connection | null = null;
  readonly subscriptions = new Map<string, SubscriptionRecord>();
  /** UTF-8 bytes of the subscribed filters, bounded by MAX_SUBSCRIPTION_BYTES. */
  subscriptionBytes = 0;
  /** QoS 2 PUBLISH received and answered with PUBREC, awaiting PUBREL: never routed twice [MQTT-4.3.3-10]. */
  readonly inboundQoS2 = new Set<number>();
  /** Seconds; NEVER_EXPIRES for ever, 0 = ends with the connection. */
  expiryInterval = 0;
  protocolVersion: ProtocolVersion = 5;
  will: WillMessage | undefined;
  /** Timer of a pending expiry or delayed will; cleared on reconnect. */
  expiryTimer: LongTimeout | undefined;
  willTimer: LongTimeout | undefined;
  disconnectedAt = 0;
  /** Stored in the database: its changes and its end must be written there too. */
  persisted = false;
  /** The user name of the connection that last attached: ACL decisions for queued deliveries. */
  username: string | undefined;
  /** The identity ACL of the connection that last attached (see IdentityAcl): read decisions for queued deliveries. */
  acl: IdentityAcl | undefined;
  /** The roles its authenticator gave the identity: rules naming a role apply to it. */
  roles: readonly string[] | undefined;
  /** ACL read decisions by topic, kept while the session's user is the same; created on first use. */
  readDecisions: TopicCache<boolean> | undefined;

  constructor(
    readonly clientId: string,
    /** Outgoing QoS 1/2: in flight and queued, bounded (see QosModule). */
    readonly outbound: InflightWindow,
  ) {}

  get online(): boolean {
    return this.connection !== null;
  }
}
