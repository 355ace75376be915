import { PacketType } from './packet-type';

/** Every MQTT 5.0 reason code (§2.4), named as the specification names it. */
export enum ReasonCode {
  Success = 0x00,
  GrantedQoS1 = 0x01,
  GrantedQoS2 = 0x02,
  DisconnectWithWillMessage = 0x04,
  NoMatchingSubscribers = 0x10,
  NoSubscriptionExisted = 0x11,
  ContinueAuthentication = 0x18,
  ReAuthenticate = 0x19,
  UnspecifiedError = 0x80,
  MalformedPacket = 0x81,
  ProtocolError = 0x82,
  ImplementationSpecificError = 0x83,
  UnsupportedProtocolVersion = 0x84,
  ClientIdentifierNotValid = 0x85,
  BadUserNameOrPassword = 0x86,
  NotAuthorized = 0x87,
  ServerUnavailable = 0x88,
  ServerBusy = 0x89,
  Banned = 0x8a,
  ServerShuttingDown = 0x8b,
  BadAuthenticationMethod = 0x8c,
  KeepAliveTimeout = 0x8d,
  SessionTakenOver = 0x8e,
  TopicFilterInvalid = 0x8f,
  TopicNameInvalid = 0x90,
  PacketIdentifierInUse = 0x91,
  PacketIdentifierNotFound = 0x92,
  ReceiveMaximumExceeded = 0x93,
  TopicAliasInvalid = 0x94,
  PacketTooLarge = 0x95,
  MessageRateTooHigh = 0x96,
  QuotaExceeded = 0x97,
  AdministrativeAction = 0x98,
  PayloadFormatInvalid = 0x99,
  RetainNotSupported = 0x9a,
  QoSNotSupported = 0x9b,
  UseAnotherServer = 0x9c,
  ServerMoved = 0x9d,
  SharedSubscriptionsNotSupported = 0x9e,
  ConnectionRateExceeded = 0x9f,
  MaximumConnectTime = 0xa0,
  SubscriptionIdentifiersNotSupported = 0xa1,
  WildcardSubscriptionsNotSupported = 0xa2,
}

/** The aliases the specification gives code 0x00 in particular packets. */
export const NormalDisconnection = ReasonCode.Success;
export const GrantedQoS0 = ReasonCode.Success;

/** CONNACK return codes of MQTT 3.1 and 3.1.1 (§3.2.2.3 of 3.1.1). */
export enum ConnectReturnCode {
  Accepted = 0,
  UnacceptableProtocolVersion = 1,
  IdentifierRejected = 2,
  ServerUnavailable = 3,
  BadUserNameOrPassword = 4,
  NotAuthorized = 5,
}

/** The 3.1.1 SUBACK failure return code. */
export const SubackFailure = 0x80;

const bit = (t: PacketType): number => 1 << t;
const CONNACK = bit(PacketType.Connack);
const PUBACK = bit(PacketType.Puback);
const PUBREC = bit(PacketType.Pubrec);
const PUBREL = bit(PacketType.Pubrel);
const PUBCOMP = bit(PacketType.Pubcomp);
const SUBACK = bit(PacketType.Suback);
const UNSUBACK = bit(PacketType.Unsuback);
const DISCONNECT = bit(PacketType.Disconnect);
const AUTH = bit(PacketType.Auth);

/** Which packets may carry each reason code (§2.4, Table 2-6): a bit per packet type. */
const ALLOWED: ReadonlyMap<number, number> = new Map<number, number>([
  [0x00, CONNACK | PUBACK | PUBREC | PUBREL | PUBCOMP | SUBACK | UNSUBACK | DISCONNECT | AUTH],
  [0x01, SUBACK],
  [0x02, SUBACK],
  [0x04, DISCONNECT],
  [0x10, PUBACK | PUBREC],
  [0x11, UNSUBACK],
  [0x18, AUTH],
  [0x19, AUTH],
  [0x80, CONNACK | PUBACK | PUBREC | SUBACK | UNSUBACK | DISCONNECT],
  [0x81, CONNACK | DISCONNECT],
  [0x82, CONNACK | DISCONNECT],
  [0x83, CONNACK | PUBACK | PUBREC | SUBACK | UNSUBACK | DISCONNECT],
  [0x84, CONNACK],
  [0x85, CONNACK],
  [0x86, CONNACK],
  [0x87, CONNACK | PUBACK | PUBREC | SUBACK | UNSUBACK | DISCONNECT],
  [0x88, CONNACK],
  [0x89, CONNACK | DISCONNECT],
  [0x8a, CONNACK],
  [0x8b, DISCONNECT],
  [0x8c, CONNACK | DISCONNECT],
  [0x8d, DISCONNECT],
  [0x8e, DISCONNECT],
  [0x8f, SUBACK | UNSUBACK | DISCONNECT],
  [0x90, CONNACK | PUBACK | PUBREC | DISCONNECT],
  [0x91, PUBACK | PUBREC | SUBACK | UNSUBACK],
  [0x92, PUBREL | PUBCOMP],
  [0x93, DISCONNECT],
  [0x94, DISCONNECT],
  [0x95, CONNACK | DISCONNECT],
  [0x96, DISCONNECT],
  [0x97, CONNACK | PUBACK | PUBREC | SUBACK | DISCONNECT],
  [0x98, DISCONNECT],
  [0x99, CONNACK | PUBACK | PUBREC | DISCONNECT],
  [0x9a, CONNACK | DISCONNECT],
  [0x9b, CONNACK | DISCONNECT],
  [0x9c, CONNACK | DISCONNECT],
  [0x9d, CONNACK | DISCONNECT],
  [0x9e, SUBACK | DISCONNECT],
  [0x9f, CONNACK | DISCONNECT],
  [0xa0, DISCONNECT],
  [0xa1, SUBACK | DISCONNECT],
  [0xa2, SUBACK | DISCONNECT],
]);

/** Flat lookup for the parser: ALLOWED_MASK[code] is the packet bitmask (0 = not a reason code). */
const ALLOWED_MASK = new Uint32Array(256);
for (const [code, mask] of ALLOWED) ALLOWED_MASK[code] = mask;

/** True when `code` is a reason code that `packetType` may carry in MQTT 5.0. */
export function isReasonCodeAllowed(packetType: PacketType, code: number): boolean {
  return code >= 0 && code <= 0xff && (ALLOWED_MASK[code] & (1 << packetType)) !== 0;
}

/** The packet types that may carry `code`. */
export function packetsForReasonCode(code: number): PacketType[] {
  const mask = ALLOWED.get(code) ?? 0;
  const types: PacketType[] = [];
  for (let t = PacketType.Connect; t <= PacketType.Auth; t++) if (mask & (1 << t)) types.push(t);
  return types;
}

/** A reason code of 0x80 or above reports a failure (§2.4). */
export function isFailure(code: number): boolean {
  return code >= 0x80;
}

const NAMES: Record<number, string> = {
  0x00: 'Success',
  0x01: 'Granted QoS 1',
  0x02: 'Granted QoS 2',
  0x04: 'Disconnect with Will Message',
  0x10: 'No matching subscribers',
  0x11: 'No subscription existed',
  0x18: 'Continue authentication',
  0x19: 'Re-authenticate',
  0x80: 'Unspecified error',
  0x81: 'Malformed Packet',
  0x82: 'Protocol Error',
  0x83: 'Implementation specific error',
  0x84: 'Unsupported Protocol Version',
  0x85: 'Client Identifier not valid',
  0x86: 'Bad User Name or Password',
  0x87: 'Not authorized',
  0x88: 'Server unavailable',
  0x89: 'Server busy',
  0x8a: 'Banned',
  0x8b: 'Server shutting down',
  0x8c: 'Bad authentication method',
  0x8d: 'Keep Alive timeout',
  0x8e: 'Session taken over',
  0x8f: 'Topic Filter invalid',
  0x90: 'Topic Name invalid',
  0x91: 'Packet Identifier in use',
  0x92: 'Packet Identifier not found',
  0x93: 'Receive Maximum exceeded',
  0x94: 'Topic Alias invalid',
  0x95: 'Packet too large',
  0x96: 'Message rate too high',
  0x97: 'Quota exceeded',
  0x98: 'Administrative action',
  0x99: 'Payload format invalid',
  0x9a: 'Retain not supported',
  0x9b: 'QoS not supported',
  0x9c: 'Use another server',
  0x9d: 'Server moved',
  0x9e: 'Shared Subscriptions not supported',
  0x9f: 'Connection rate exceeded',
  0xa0: 'Maximum connect time',
  0xa1: 'Subscription Identifiers not supported',
  0xa2: 'Wildcard Subscriptions not supported',
};

/** The specification's name of a reason code, e.g. `reasonCodeName(0x87) === 'Not authorized'`. */
export function reasonCodeName(code: number): string {
  return NAMES[code] ?? `Unknown reason code 0x${code.toString(16).padStart(2, '0')}`;
}

/**
 * The 3.1.1 CONNACK return code closest to a 5.0 CONNACK reason code, for answering a 3.1/3.1.1 client
 * with the same decision (§4.13 of 5.0 has no mapping; this follows the meaning of each code).
 */
export function toConnectReturnCode(code: ReasonCode): ConnectReturnCode {
  switch (code) {
    case ReasonCode.Success:
      return ConnectReturnCode.Accepted;
    case ReasonCode.UnsupportedProtocolVersion:
      return ConnectReturnCode.UnacceptableProtocolVersion;
    case ReasonCode.ClientIdentifierNotValid:
      return ConnectReturnCode.IdentifierRejected;
    case ReasonCode.BadUserNameOrPassword:
    case ReasonCode.BadAuthenticationMethod:
      return ConnectReturnCode.BadUserNameOrPassword;
    case ReasonCode.NotAuthorized:
    case ReasonCode.Banned:
      return ConnectReturnCode.NotAuthorized;
    default:
      return ConnectReturnCode.ServerUnavailable;
  }
}
