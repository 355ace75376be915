/** A durable session as stored: what survives the process. */
export interface SessionRow {
  clientId: string;
  username: string | null;
  protocolVersion: number;
  expiryInterval: number;
  willTopic: string | null;
  willPayload: Buffer | null;
  willQos: number | null;
  willRetain: boolean | null;
  /** The will's MQTT 5.0 properties as wire bytes (Will Delay Interval included). */
  willProperties: Buffer | null;
  lastConnectAt: Date;
  lastDisconnectAt: Date | null;
}

export interface SubscriptionRow {
  clientId: string;
  topicFilter: string;
  qos: number;
  noLocal: boolean;
  retainAsPublished: boolean;
  retainHandling: number;
  subscriptionId: number;
}

export interface RetainedRow {
  topic: string;
  payload: Buffer;
  qos: number;
  /** Forwarded MQTT 5.0 properties as wire bytes. */
  properties: Buffer | null;
  expiresAt: Date | null;
  publisherClientId: string | null;
}

/** A stored session with its subscriptions, as loaded at start-up. */
export interface StoredSession extends SessionRow {
  subscriptions: SubscriptionRow[];
}
