import { PacketType } from './packet-type';

/** MQTT 5.0 property identifiers (§2.2.2.2). */
export enum PropertyId {
  PayloadFormatIndicator = 0x01,
  MessageExpiryInterval = 0x02,
  ContentType = 0x03,
  ResponseTopic = 0x08,
  CorrelationData = 0x09,
  SubscriptionIdentifier = 0x0b,
  SessionExpiryInterval = 0x11,
  AssignedClientIdentifier = 0x12,
  ServerKeepAlive = 0x13,
  AuthenticationMethod = 0x15,
  AuthenticationData = 0x16,
  RequestProblemInformation = 0x17,
  WillDelayInterval = 0x18,
  RequestResponseInformation = 0x19,
  ResponseInformation = 0x1a,
  ServerReference = 0x1c,
  ReasonString = 0x1f,
  ReceiveMaximum = 0x21,
  TopicAliasMaximum = 0x22,
  TopicAlias = 0x23,
  MaximumQoS = 0x24,
  RetainAvailable = 0x25,
  UserProperty = 0x26,
  MaximumPacketSize = 0x27,
  WildcardSubscriptionAvailable = 0x28,
  SubscriptionIdentifierAvailable = 0x29,
  SharedSubscriptionAvailable = 0x2a,
}

/** Data representations of §1.5. A `flag` is a Byte whose only legal values are 0 and 1. */
export type PropertyDataType = 'byte' | 'flag' | 'uint16' | 'uint32' | 'varint' | 'string' | 'binary' | 'pair';

/**
 * The will properties of CONNECT are their own property set; the reserved packet type 0 stands for them
 * in the bitmasks below.
 */
export const WILL_PROPERTIES = 0;

/** Where a property may appear: a packet type, or WILL_PROPERTIES. */
export type PropertyContext = PacketType | typeof WILL_PROPERTIES;

export interface PropertyDefinition {
  readonly id: PropertyId;
  /** The field of `Properties` that holds it. */
  readonly key: keyof Properties;
  readonly type: PropertyDataType;
  /** Bitmask of PropertyContext values where the property is allowed. */
  readonly allowedIn: number;
  /** Bitmask of contexts where it may appear more than once. */
  readonly repeatableIn: number;
  /** Values below this are a Protocol Error (Receive Maximum 0, Topic Alias 0, ...). */
  readonly min?: number;
  /** Values above this are a Protocol Error (Maximum QoS 2 and above). */
  readonly max?: number;
}

/**
 * The properties of a packet, by the specification's names. Byte properties whose only legal values are
 * 0 and 1 are booleans. User Properties keep their order and may repeat a name [MQTT-3.3.2-18].
 */
export interface Properties {
  payloadFormatIndicator?: boolean;
  messageExpiryInterval?: number;
  contentType?: string;
  responseTopic?: string;
  correlationData?: Buffer;
  /** One in SUBSCRIBE; one per matching subscription in a PUBLISH to a client. */
  subscriptionIdentifiers?: number[];
  sessionExpiryInterval?: number;
  assignedClientIdentifier?: string;
  serverKeepAlive?: number;
  authenticationMethod?: string;
  authenticationData?: Buffer;
  requestProblemInformation?: boolean;
  willDelayInterval?: number;
  requestResponseInformation?: boolean;
  responseInformation?: string;
  serverReference?: string;
  reasonString?: string;
  receiveMaximum?: number;
  topicAliasMaximum?: number;
  topicAlias?: number;
  maximumQoS?: 0 | 1;
  retainAvailable?: boolean;
  userProperties?: Array<[string, string]>;
  maximumPacketSize?: number;
  wildcardSubscriptionAvailable?: boolean;
  subscriptionIdentifierAvailable?: boolean;
  sharedSubscriptionAvailable?: boolean;
}

const ctx = (...contexts: PropertyContext[]): number => contexts.reduce((mask, c) => mask | (1 << c), 0);
const P = PacketType;
const W = WILL_PROPERTIES;
const ACKS = ctx(P.Puback, P.Pubrec, P.Pubrel, P.Pubcomp);

/** Table 2-4 of §2.2.2.2: identifier, name, type, and the packets that may carry each property. */
export const PROPERTY_DEFINITIONS: readonly PropertyDefinition[] = [
  { id: PropertyId.PayloadFormatIndicator, key: 'payloadFormatIndicator', type: 'flag', allowedIn: ctx(P.Publish, W), repeatableIn: 0 },
  { id: PropertyId.MessageExpiryInterval, key: 'messageExpiryInterval', type: 'uint32', allowedIn: ctx(P.Publish, W), repeatableIn: 0 },
  { id: PropertyId.ContentType, key: 'contentType', type: 'string', allowedIn: ctx(P.Publish, W), repeatableIn: 0 },
  { id: PropertyId.ResponseTopic, key: 'responseTopic', type: 'string', allowedIn: ctx(P.Publish, W), repeatableIn: 0 },
  { id: PropertyId.CorrelationData, key: 'correlationData', type: 'binary', allowedIn: ctx(P.Publish, W), repeatableIn: 0 },
  { id: PropertyId.SubscriptionIdentifier, key: 'subscriptionIdentifiers', type: 'varint', allowedIn: ctx(P.Publish, P.Subscribe), repeatableIn: ctx(P.Publish), min: 1, max: 268_435_455 },
  { id: PropertyId.SessionExpiryInterval, key: 'sessionExpiryInterval', type: 'uint32', allowedIn: ctx(P.Connect, P.Connack, P.Disconnect), repeatableIn: 0 },
  { id: PropertyId.AssignedClientIdentifier, key: 'assignedClientIdentifier', type: 'string', allowedIn: ctx(P.Connack), repeatableIn: 0 },
  { id: PropertyId.ServerKeepAlive, key: 'serverKeepAlive', type: 'uint16', allowedIn: ctx(P.Connack), repeatableIn: 0 },
  { id: PropertyId.AuthenticationMethod, key: 'authenticationMethod', type: 'string', allowedIn: ctx(P.Connect, P.Connack, P.Auth), repeatableIn: 0 },
  { id: PropertyId.AuthenticationData, key: 'authenticationData', type: 'binary', allowedIn: ctx(P.Connect, P.Connack, P.Auth), repeatableIn: 0 },
  { id: PropertyId.RequestProblemInformation, key: 'requestProblemInformation', type: 'flag', allowedIn: ctx(P.Connect), repeatableIn: 0 },
  { id: PropertyId.WillDelayInterval, key: 'willDelayInterval', type: 'uint32', allowedIn: ctx(W), repeatableIn: 0 },
  { id: PropertyId.RequestResponseInformation, key: 'requestResponseInformation', type: 'flag', allowedIn: ctx(P.Connect), repeatableIn: 0 },
  { id: PropertyId.ResponseInformation, key: 'responseInformation', type: 'string', allowedIn: ctx(P.Connack), repeatableIn: 0 },
  { id: PropertyId.ServerReference, key: 'serverReference', type: 'string', allowedIn: ctx(P.Connack, P.Disconnect), repeatableIn: 0 },
  { id: PropertyId.ReasonString, key: 'reasonString', type: 'string', allowedIn: ctx(P.Connack, P.Suback, P.Unsuback, P.Disconnect, P.Auth) | ACKS, repeatableIn: 0 },
  { id: PropertyId.ReceiveMaximum, key: 'receiveMaximum', type: 'uint16', allowedIn: ctx(P.Connect, P.Connack), repeatableIn: 0, min: 1 },
  { id: PropertyId.TopicAliasMaximum, key: 'topicAliasMaximum', type: 'uint16', allowedIn: ctx(P.Connect, P.Connack), repeatableIn: 0 },
  { id: PropertyId.TopicAlias, key: 'topicAlias', type: 'uint16', allowedIn: ctx(P.Publish), repeatableIn: 0, min: 1 },
  { id: PropertyId.MaximumQoS, key: 'maximumQoS', type: 'byte', allowedIn: ctx(P.Connack), repeatableIn: 0, max: 1 },
  { id: PropertyId.RetainAvailable, key: 'retainAvailable', type: 'flag', allowedIn: ctx(P.Connack), repeatableIn: 0 },
  {
    id: PropertyId.UserProperty, key: 'userProperties', type: 'pair',
    allowedIn: ctx(P.Connect, P.Connack, P.Publish, W, P.Subscribe, P.Suback, P.Unsubscribe, P.Unsuback, P.Disconnect, P.Auth) | ACKS,
    repeatableIn: ctx(P.Connect, P.Connack, P.Publish, W, P.Subscribe, P.Suback, P.Unsubscribe, P.Unsuback, P.Disconnect, P.Auth) | ACKS,
  },
  { id: PropertyId.MaximumPacketSize, key: 'maximumPacketSize', type: 'uint32', allowedIn: ctx(P.Connect, P.Connack), repeatableIn: 0, min: 1 },
  { id: PropertyId.WildcardSubscriptionAvailable, key: 'wildcardSubscriptionAvailable', type: 'flag', allowedIn: ctx(P.Connack), repeatableIn: 0 },
  { id: PropertyId.SubscriptionIdentifierAvailable, key: 'subscriptionIdentifierAvailable', type: 'flag', allowedIn: ctx(P.Connack), repeatableIn: 0 },
  { id: PropertyId.SharedSubscriptionAvailable, key: 'sharedSubscriptionAvailable', type: 'flag', allowedIn: ctx(P.Connack), repeatableIn: 0 },
];

/** Lookup by identifier; holes are identifiers the specification does not define. */
export const PROPERTY_BY_ID: ReadonlyArray<PropertyDefinition | undefined> = (() => {
  const table: Array<PropertyDefinition | undefined> = new Array(0x2b).fill(undefined);
  for (const def of PROPERTY_DEFINITIONS) table[def.id] = def;
  return table;
})();

export const PROPERTY_BY_KEY: ReadonlyMap<keyof Properties, PropertyDefinition> = new Map(
  PROPERTY_DEFINITIONS.map((def) => [def.key, def] as const),
);

/** True when a property may appear in the given packet (or in the will properties). */
export function isPropertyAllowed(id: PropertyId, context: PropertyContext): boolean {
  const def = PROPERTY_BY_ID[id];
  return def !== undefined && (def.allowedIn & (1 << context)) !== 0;
}
