// The module binding, not the global: `Buffer` on globalThis is an accessor, read on every use.
import { Buffer } from 'node:buffer';
import { PacketType, ProtocolVersion, REQUIRED_FLAGS } from './packet-type';
import {
  AckPacket,
  AuthPacket,
  ConnackPacket,
  ConnectPacket,
  DisconnectPacket,
  Packet,
  PublishPacket,
  SubackPacket,
  SubscribePacket,
  UnsubackPacket,
  UnsubscribePacket,
} from './packets';
import { Properties, PropertyContext, WILL_PROPERTIES } from './property';
import { propertiesSize, stringSize, writeProperties, writeString } from './property-codec';
import { MAX_VARINT, varintSize, writeVarint } from './varint';

/** First byte of the fixed header of each packet type, reserved flags included. */
const FIRST_BYTE: readonly number[] = REQUIRED_FLAGS.map((flags, type) => (type << 4) | Math.max(flags, 0));

/** Packets that never vary are encoded once. */
export const PINGREQ_BYTES: Buffer = Buffer.from([0xc0, 0x00]);
export const PINGRESP_BYTES: Buffer = Buffer.from([0xd0, 0x00]);

/** Size of the fixed header for a given Remaining Length. */
function headerSize(remaining: number): number {
  return 1 + varintSize(remaining);
}

function allocate(first: number, remaining: number): [Buffer, number] {
  if (remaining > MAX_VARINT) throw new RangeError(`Remaining Length ${remaining} exceeds ${MAX_VARINT}`);
  const buf = Buffer.allocUnsafe(headerSize(remaining) + remaining);
  buf[0] = first;
  return [buf, writeVarint(buf, 1, remaining)];
}

function checkPacketId(id: number | undefined): number {
  if (id === undefined || !(id >= 1 && id <= 0xffff) || !Number.isInteger(id)) {
    throw new RangeError(`Packet Identifier must be 1..65535, got ${id}`);
  }
  return id;
}

/**
 * Properties that fit: the Reason String and User Properties may be dropped when the packet would exceed
 * the peer's Maximum Packet Size ([MQTT-3.1.2-25], and the rule for each packet that may carry them).
 * Returns [size, omitDiagnostics]; whether even the trimmed packet fits is judged on the bytes, by
 * encodePacket, because the short forms make the size depend on what is left.
 */
function fitProperties(
  props: Properties | undefined,
  context: PropertyContext,
  fixedPart: number,
  maxPacketSize: number,
): [number, boolean] {
  const full = propertiesSize(props, context);
  if (packetSize(fixedPart + varintSize(full) + full) <= maxPacketSize) return [full, false];
  return [propertiesSize(props, context, true), true];
}

function packetSize(remaining: number): number {
  return headerSize(remaining) + remaining;
}

/**
 * Encodes a packet for a connection at `version`, in one allocation. Returns null when the packet cannot
 * be made to fit `maxPacketSize` (the peer's Maximum Packet Size): the caller must not send it
 * [MQTT-3.1.2-24]. Throws RangeError/TypeError on a packet no peer could accept (a bug in the caller).
 */
export function encodePacket(packet: Packet, version: ProtocolVersion, maxPacketSize = Infinity): Buffer | null {
  const encoded = encodeAnyPacket(packet, version, maxPacketSize);
  // Nothing larger than the peer's maximum may be sent [MQTT-3.1.2-24], whatever form the packet took.
  return encoded !== null && encoded.length > maxPacketSize ? null : encoded;
}

function encodeAnyPacket(packet: Packet, version: ProtocolVersion, maxPacketSize: number): Buffer | null {
  const v5 = version === 5;
  switch (packet.type) {
    case PacketType.Publish:
      return encodePublish(packet, version, maxPacketSize);
    case PacketType.Connect:
      return encodeConnect(packet);
    case PacketType.Connack:
      return encodeConnack(packet, v5, maxPacketSize);
    case PacketType.Puback:
    case PacketType.Pubrec:
    case PacketType.Pubrel:
    case PacketType.Pubcomp:
      return encodeAck(packet, v5, maxPacketSize);
    case PacketType.Subscribe:
      return encodeSubscribe(packet, v5);
    case PacketType.Suback:
    case PacketType.Unsuback:
      return encodeSubackLike(packet, v5, maxPacketSize);
    case PacketType.Unsubscribe:
      return encodeUnsubscribe(packet, v5);
    case PacketType.Pingreq:
      return PINGREQ_BYTES;
    case PacketType.Pingresp:
      return PINGRESP_BYTES;
    case PacketType.Disconnect:
    case PacketType.Auth:
      return encodeReasonOnly(packet, v5, maxPacketSize);
    default: {
      const unreachable: never = packet;
      throw new TypeError(`unknown packet ${JSON.stringify(unreachable)}`);
    }
  }
}

export function encodePublish(packet: PublishPacket, version: ProtocolVersion, maxPacketSize = Infinity): Buffer | null {
  const { qos } = packet;
  const topicSize = stringSize(packet.topic);
  const propsSize = version === 5 ? propertiesSize(packet.properties, PacketType.Publish) : 0;
  const remaining =
    topicSize + (qos > 0 ? 2 : 0) + (version === 5 ? varintSize(propsSize) + propsSize : 0) + packet.payload.length;
  // PUBLISH properties are the message and must be forwarded whole [MQTT-3.3.2-17]: too large means not sent.
  if (packetSize(remaining) > maxPacketSize) return null;
  if (qos !== 0 && qos !== 1 && qos !== 2) throw new RangeError(`QoS must be 0, 1 or 2, got ${qos}`);
  const first = 0x30 | (packet.dup ? 8 : 0) | (qos << 1) | (packet.retain ? 1 : 0);
  const [buf, start] = allocate(first, remaining);
  let pos = writeString(buf, start, packet.topic);
  if (qos > 0) {
    const id = checkPacketId(packet.packetId);
    buf[pos++] = id >> 8;
    buf[pos++] = id & 0xff;
  }
  if (version === 5) pos = writeProperties(buf, pos, packet.properties, propsSize);
  // TypedArray#set is a plain copy; Buffer#copy goes through a wrapper that re-checks every argument.
  buf.set(packet.payload, pos);
  return buf;
}

/** Offset of the Packet Identifier in an encoded PUBLISH, to patch a shared encoding per subscriber. */
export function publishPacketIdOffset(encoded: Buffer): number {
  let pos = 1;
  while (encoded[pos] & 0x80) pos++;
  pos++;
  return pos + 2 + ((encoded[pos] << 8) | encoded[pos + 1]);
}

function encodeConnect(packet: ConnectPacket): Buffer {
  const version = packet.protocolVersion;
  const v5 = version === 5;
  const protocolName = packet.protocolName ?? (version === 3 ? 'MQIsdp' : 'MQTT');
  const propsSize = v5 ? propertiesSize(packet.properties, PacketType.Connect) : 0;
  const will = packet.will;
  const willPropsSize = v5 && will ? propertiesSize(will.properties, WILL_PROPERTIES) : 0;
  let remaining = stringSize(protocolName) + 1 + 1 + 2 + stringSize(packet.clientId);
  if (v5) remaining += varintSize(propsSize) + propsSize;
  if (will) {
    remaining += stringSize(will.topic) + 2 + will.payload.length;
    if (v5) remaining += varintSize(willPropsSize) + willPropsSize;
  }
  if (packet.username !== undefined) remaining += stringSize(packet.username);
  if (packet.password !== undefined) remaining += 2 + packet.password.length;
  let flags = packet.clean ? 0x02 : 0;
  if (will) flags |= 0x04 | (will.qos << 3) | (will.retain ? 0x20 : 0);
  if (packet.password !== undefined) flags |= 0x40;
  if (packet.username !== undefined) flags |= 0x80;
  const [buf, start] = allocate(FIRST_BYTE[PacketType.Connect], remaining);
  let pos = writeString(buf, start, protocolName);
  buf[pos++] = version;
  buf[pos++] = flags;
  buf.writeUInt16BE(packet.keepAlive, pos);
  pos += 2;
  if (v5) pos = writeProperties(buf, pos, packet.properties, propsSize);
  pos = writeString(buf, pos, packet.clientId);
  if (will) {
    if (v5) pos = writeProperties(buf, pos, will.properties, willPropsSize);
    pos = writeString(buf, pos, will.topic);
    pos = writeBinary(buf, pos, will.payload);
  }
  if (packet.username !== undefined) pos = writeString(buf, pos, packet.username);
  if (packet.password !== undefined) writeBinary(buf, pos, packet.password);
  return buf;
}

function writeBinary(buf: Buffer, pos: number, data: Buffer): number {
  if (data.length > 0xffff) throw new RangeError(`Binary Data is limited to 65,535 bytes, got ${data.length}`);
  buf[pos++] = data.length >> 8;
  buf[pos++] = data.length & 0xff;
  buf.set(data, pos);
  return pos + data.length;
}

function encodeConnack(packet: ConnackPacket, v5: boolean, maxPacketSize: number): Buffer | null {
  if (!v5) {
    const [buf, pos] = allocate(FIRST_BYTE[PacketType.Connack], 2);
    buf[pos] = packet.sessionPresent ? 1 : 0;
    buf[pos + 1] = packet.reasonCode;
    return buf;
  }
  const [propsSize, omit] = fitProperties(packet.properties, PacketType.Connack, 2, maxPacketSize);
  const [buf, start] = allocate(FIRST_BYTE[PacketType.Connack], 2 + varintSize(propsSize) + propsSize);
  buf[start] = packet.sessionPresent ? 1 : 0;
  buf[start + 1] = packet.reasonCode;
  writeProperties(buf, start + 2, packet.properties, propsSize, omit);
  return buf;
}

/** PUBACK, PUBREC, PUBREL, PUBCOMP: the 5.0 short forms omit a Success reason code and empty properties. */
function encodeAck(packet: AckPacket, v5: boolean, maxPacketSize: number): Buffer | null {
  const id = checkPacketId(packet.packetId);
  const first = FIRST_BYTE[packet.type];
  // An ack carries only diagnostics, so when they are dropped nothing is left but the reason code.
  const [propsSize, omit] = v5 ? fitProperties(packet.properties, packet.type, 3, maxPacketSize) : [0, false];
  if (!v5 || (packet.reasonCode === 0 && propsSize === 0)) {
    const [buf, pos] = allocate(first, 2);
    buf[pos] = id >> 8;
    buf[pos + 1] = id & 0xff;
    return buf;
  }
  // Without properties the Property Length is omitted too (§3.4.2.2.1).
  const [buf, start] = allocate(first, propsSize === 0 ? 3 : 3 + varintSize(propsSize) + propsSize);
  buf[start] = id >> 8;
  buf[start + 1] = id & 0xff;
  buf[start + 2] = packet.reasonCode;
  if (propsSize > 0) writeProperties(buf, start + 3, packet.properties, propsSize, omit);
  return buf;
}

function encodeSubscribe(packet: SubscribePacket, v5: boolean): Buffer {
  const id = checkPacketId(packet.packetId);
  if (packet.subscriptions.length === 0) throw new RangeError('SUBSCRIBE needs at least one subscription');
  const propsSize = v5 ? propertiesSize(packet.properties, PacketType.Subscribe) : 0;
  let remaining = 2 + (v5 ? varintSize(propsSize) + propsSize : 0);
  for (const sub of packet.subscriptions) remaining += stringSize(sub.topicFilter) + 1;
  const [buf, start] = allocate(FIRST_BYTE[PacketType.Subscribe], remaining);
  buf[start] = id >> 8;
  buf[start + 1] = id & 0xff;
  let pos = start + 2;
  if (v5) pos = writeProperties(buf, pos, packet.properties, propsSize);
  for (const sub of packet.subscriptions) {
    pos = writeString(buf, pos, sub.topicFilter);
    buf[pos++] = v5
      ? sub.qos | (sub.noLocal ? 4 : 0) | (sub.retainAsPublished ? 8 : 0) | (sub.retainHandling << 4)
      : sub.qos;
  }
  return buf;
}

function encodeUnsubscribe(packet: UnsubscribePacket, v5: boolean): Buffer {
  const id = checkPacketId(packet.packetId);
  if (packet.topicFilters.length === 0) throw new RangeError('UNSUBSCRIBE needs at least one topic filter');
  const propsSize = v5 ? propertiesSize(packet.properties, PacketType.Unsubscribe) : 0;
  let remaining = 2 + (v5 ? varintSize(propsSize) + propsSize : 0);
  for (const filter of packet.topicFilters) remaining += stringSize(filter);
  const [buf, start] = allocate(FIRST_BYTE[PacketType.Unsubscribe], remaining);
  buf[start] = id >> 8;
  buf[start + 1] = id & 0xff;
  let pos = start + 2;
  if (v5) pos = writeProperties(buf, pos, packet.properties, propsSize);
  for (const filter of packet.topicFilters) pos = writeString(buf, pos, filter);
  return buf;
}

/** SUBACK and UNSUBACK: Packet Identifier, properties (5.0), one reason code per request (none for 3.1.1 UNSUBACK). */
function encodeSubackLike(packet: SubackPacket | UnsubackPacket, v5: boolean, maxPacketSize: number): Buffer | null {
  const id = checkPacketId(packet.packetId);
  const codes = !v5 && packet.type === PacketType.Unsuback ? [] : packet.reasonCodes;
  let propsSize = 0;
  let omit = false;
  if (v5) [propsSize, omit] = fitProperties(packet.properties, packet.type, 2 + codes.length, maxPacketSize);
  const [buf, start] = allocate(FIRST_BYTE[packet.type], 2 + (v5 ? varintSize(propsSize) + propsSize : 0) + codes.length);
  buf[start] = id >> 8;
  buf[start + 1] = id & 0xff;
  let pos = start + 2;
  if (v5) pos = writeProperties(buf, pos, packet.properties, propsSize, omit);
  for (const code of codes) buf[pos++] = code;
  return buf;
}

/** DISCONNECT and AUTH: Remaining Length 0 for Success without properties (3.1.1 DISCONNECT is always empty). */
function encodeReasonOnly(packet: DisconnectPacket | AuthPacket, v5: boolean, maxPacketSize: number): Buffer | null {
  const first = FIRST_BYTE[packet.type];
  if (!v5) {
    if (packet.type === PacketType.Auth) throw new TypeError('AUTH exists only in MQTT 5.0');
    return allocate(first, 0)[0];
  }
  const [propsSize, omit] = fitProperties(packet.properties, packet.type, 1, maxPacketSize);
  if (packet.reasonCode === 0 && propsSize === 0) return allocate(first, 0)[0];
  const [buf, start] = allocate(first, 1 + varintSize(propsSize) + propsSize);
  buf[start] = packet.reasonCode;
  writeProperties(buf, start + 1, packet.properties, propsSize, omit);
  return buf;
}
