import { PacketType, ProtocolVersion, QoS } from './packet-type';
import { Properties } from './property';

/** The Will Message of a CONNECT (§3.1.3.2-3.1.3.4). */
export interface WillMessage {
  topic: string;
  payload: Buffer;
  qos: QoS;
  retain: boolean;
  /** MQTT 5.0 Will Properties. */
  properties?: Properties;
}

export interface ConnectPacket {
  type: PacketType.Connect;
  /** "MQTT" for levels 4 and 5, "MQIsdp" for level 3. */
  protocolName: string;
  protocolVersion: ProtocolVersion;
  /** Clean Start (5.0) or Clean Session (3.1.1). */
  clean: boolean;
  keepAlive: number;
  clientId: string;
  username?: string;
  password?: Buffer;
  will?: WillMessage;
  properties?: Properties;
}

export interface ConnackPacket {
  type: PacketType.Connack;
  sessionPresent: boolean;
  /** A 5.0 ReasonCode, or for 3.1/3.1.1 a ConnectReturnCode. */
  reasonCode: number;
  properties?: Properties;
}

export interface PublishPacket {
  type: PacketType.Publish;
  topic: string;
  payload: Buffer;
  qos: QoS;
  retain: boolean;
  dup: boolean;
  /** Present exactly when qos > 0. */
  packetId?: number;
  properties?: Properties;
}

/** PUBACK, PUBREC, PUBREL and PUBCOMP share one shape; 3.1.1 carries no reason code (always 0 here). */
export interface PubackPacket {
  type: PacketType.Puback;
  packetId: number;
  reasonCode: number;
  properties?: Properties;
}
export interface PubrecPacket {
  type: PacketType.Pubrec;
  packetId: number;
  reasonCode: number;
  properties?: Properties;
}
export interface PubrelPacket {
  type: PacketType.Pubrel;
  packetId: number;
  reasonCode: number;
  properties?: Properties;
}
export interface PubcompPacket {
  type: PacketType.Pubcomp;
  packetId: number;
  reasonCode: number;
  properties?: Properties;
}

/** Retain Handling (§3.8.3.1): 0 send retained on subscribe, 1 only if the subscription is new, 2 never. */
export type RetainHandling = 0 | 1 | 2;

export interface Subscription {
  topicFilter: string;
  qos: QoS;
  /** MQTT 5.0 subscription options; false/0 for 3.1.1. */
  noLocal: boolean;
  retainAsPublished: boolean;
  retainHandling: RetainHandling;
}

export interface SubscribePacket {
  type: PacketType.Subscribe;
  packetId: number;
  subscriptions: Subscription[];
  properties?: Properties;
}

export interface SubackPacket {
  type: PacketType.Suback;
  packetId: number;
  /** One per subscription: 5.0 reason codes, or 3.1.1 return codes 0, 1, 2, 0x80. */
  reasonCodes: number[];
  properties?: Properties;
}

export interface UnsubscribePacket {
  type: PacketType.Unsubscribe;
  packetId: number;
  topicFilters: string[];
  properties?: Properties;
}

export interface UnsubackPacket {
  type: PacketType.Unsuback;
  packetId: number;
  /** One per topic filter in 5.0; empty in 3.1.1, whose UNSUBACK has no payload. */
  reasonCodes: number[];
  properties?: Properties;
}

export interface PingreqPacket {
  type: PacketType.Pingreq;
}
export interface PingrespPacket {
  type: PacketType.Pingresp;
}

export interface DisconnectPacket {
  type: PacketType.Disconnect;
  /** Always 0 (Normal disconnection) in 3.1.1. */
  reasonCode: number;
  properties?: Properties;
}

export interface AuthPacket {
  type: PacketType.Auth;
  reasonCode: number;
  properties?: Properties;
}

export type AckPacket = PubackPacket | PubrecPacket | PubrelPacket | PubcompPacket;

export type Packet =
  | ConnectPacket
  | ConnackPacket
  | PublishPacket
  | AckPacket
  | SubscribePacket
  | SubackPacket
  | UnsubscribePacket
  | UnsubackPacket
  | PingreqPacket
  | PingrespPacket
  | DisconnectPacket
  | AuthPacket;
