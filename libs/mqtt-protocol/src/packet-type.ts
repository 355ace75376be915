/** Control packet types, the high nibble of the first byte of the fixed header (MQTT 5.0 §2.1.2). */
export enum PacketType {
  Connect = 1,
  Connack = 2,
  Publish = 3,
  Puback = 4,
  Pubrec = 5,
  Pubrel = 6,
  Pubcomp = 7,
  Subscribe = 8,
  Suback = 9,
  Unsubscribe = 10,
  Unsuback = 11,
  Pingreq = 12,
  Pingresp = 13,
  Disconnect = 14,
  /** MQTT 5.0 only; reserved in 3.1.1. */
  Auth = 15,
}

/** Protocol levels carried in CONNECT: 3 = MQTT 3.1 ("MQIsdp"), 4 = 3.1.1, 5 = 5.0. */
export type ProtocolVersion = 3 | 4 | 5;

export type QoS = 0 | 1 | 2;

/**
 * The flags nibble every packet but PUBLISH must carry [MQTT-2.1.3-1]: 0b0010 for PUBREL, SUBSCRIBE and
 * UNSUBSCRIBE, zero otherwise. Indexed by packet type; PUBLISH (-1) carries DUP, QoS and RETAIN instead.
 */
export const REQUIRED_FLAGS: readonly number[] = [-1, 0, 0, -1, 0, 0, 2, 0, 2, 0, 2, 0, 0, 0, 0, 0];

export const PACKET_TYPE_NAMES: readonly string[] = [
  'RESERVED', 'CONNECT', 'CONNACK', 'PUBLISH', 'PUBACK', 'PUBREC', 'PUBREL', 'PUBCOMP',
  'SUBSCRIBE', 'SUBACK', 'UNSUBSCRIBE', 'UNSUBACK', 'PINGREQ', 'PINGRESP', 'DISCONNECT', 'AUTH',
];
