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

/** An application message queued for persistent sessions: stored once, however many sessions it is queued for. */
export interface StoredMessageRow {
  /** Assigned by the broker, once per message. */
  id: number;
  topic: string;
  payload: Buffer;
  /** The QoS it was published with. */
  qos: number;
  /** The RETAIN flag it was published with. */
  retain: boolean;
  /** Forwarded MQTT 5.0 properties as wire bytes. */
  properties: Buffer | null;
  expiresAt: Date | null;
  publisherClientId: string | null;
  receivedAt: Date;
}

/** A QoS 1/2 message on its way to one persistent session: which stored message, and how far its delivery got. */
export interface SessionMessageRow {
  /** Assigned by the broker, increasing: the delivery order. */
  id: number;
  clientId: string;
  /** The stored message delivered. */
  messageId: number;
  /** The QoS of this delivery (1 or 2). */
  qos: number;
  /** The RETAIN flag of this delivery. */
  retain: boolean;
  subscriptionIds: number[] | null;
  /** 0 while queued. */
  packetId: number;
  /** 0 queued, 1 sent (PUBLISH awaiting PUBACK/PUBREC), 2 released (PUBREL sent, awaiting PUBCOMP). */
  state: number;
}

/** A session's message as loaded at start-up: sessions the same message is queued for share one `message` object. */
export interface StoredSessionMessage extends SessionMessageRow {
  message: StoredMessageRow;
}

/** A stored session with everything that belongs to it, as loaded at start-up. */
export interface StoredSession extends SessionRow {
  subscriptions: SubscriptionRow[];
  messages: StoredSessionMessage[];
  /** QoS 2 Packet Identifiers received and answered with PUBREC, awaiting PUBREL. */
  inboundQoS2: number[];
}
