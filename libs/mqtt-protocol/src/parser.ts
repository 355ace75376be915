import { PacketType, ProtocolVersion, QoS, REQUIRED_FLAGS } from './packet-type';
import {
  AckPacket,
  AuthPacket,
  ConnackPacket,
  ConnectPacket,
  DisconnectPacket,
  Packet,
  RetainHandling,
  SubackPacket,
  SubscribePacket,
  Subscription,
  UnsubackPacket,
  UnsubscribePacket,
  WillMessage,
} from './packets';
import { Properties, PropertyId, WILL_PROPERTIES } from './property';
import { readProperties, tooManyPropertyBytes, tooManyUserProperties } from './property-codec';
import { MqttProtocolError, malformed, protocolError } from './protocol-error';
import { PublishView } from './publish-view';
import { Reader, checkString } from './reader';
import { ReasonCode, isReasonCodeAllowed } from './reason-code';
import { isUtf8 } from 'node:buffer';

/** What `PacketParser.read()` found. */
export const enum ParseStatus {
  /** The buffered bytes hold no complete packet: push more. */
  NeedMore = 0,
  /** `parser.packet` holds a packet object (anything but PUBLISH). */
  Packet = 1,
  /** `parser.publish` holds a PUBLISH, read in place. */
  Publish = 2,
  /** `parser.error` holds the violation; the stream cannot be resynchronised, the parser stays failed. */
  Error = 3,
}

export interface ParserOptions {
  /**
   * The largest packet accepted, fixed header included (MQTT 5.0 Maximum Packet Size). Enforced as soon as
   * the Remaining Length is known, before the body is buffered (0x95). Default: the protocol maximum.
   */
  maxPacketSize?: number;
  /**
   * The protocol level of the connection. A server leaves it unset and the parser adopts the level of the
   * CONNECT it reads; a client sets it to the level it connected with.
   */
  protocolVersion?: ProtocolVersion;
  /**
   * Bytes one property set (a packet's properties, or a will's) may hold; beyond it the packet is refused
   * with 0x97 Quota exceeded before anything is decoded. Default: no limit but the packet's size.
   */
  maxPropertyBytes?: number;
  /** User Properties one property set may hold; beyond it 0x97 Quota exceeded. Default: no limit. */
  maxUserProperties?: number;
}

/** 1 byte of fixed header + 4 bytes of Remaining Length + 268,435,455 bytes (§2.1.4). */
export const MAX_PACKET_SIZE = 268_435_460;

const EMPTY = Buffer.alloc(0);
const SHARE_PREFIX = '$share/';

/**
 * Incremental MQTT parser: an explicit state machine over a queue of received chunks. Bytes may arrive in
 * any fragmentation and several packets may share one chunk. A packet that lies whole inside one chunk is
 * read in place; only a packet split across chunks is copied, once, into a buffer of its exact size.
 *
 * ```ts
 * parser.push(chunk);
 * for (let s = parser.read(); s !== ParseStatus.NeedMore; s = parser.read()) {
 *   if (s === ParseStatus.Publish) route(parser.publish);
 *   else if (s === ParseStatus.Packet) handle(parser.packet!);
 *   else return disconnect(parser.error!.reasonCode);
 * }
 * ```
 */
export class PacketParser {
  /** The protocol level in force: 0 until a CONNECT is read, unless set by the options. */
  protocolVersion: ProtocolVersion | 0;
  maxPacketSize: number;
  /** Refilled by every PUBLISH read. */
  readonly publish = new PublishView();
  packet: Packet | undefined;
  error: MqttProtocolError | undefined;

  private buf: Buffer = EMPTY;
  private pos = 0;
  private readonly queue: Buffer[] = [];
  private queued = 0;
  private readonly reader = new Reader();

  constructor(options: ParserOptions = {}) {
    this.protocolVersion = options.protocolVersion ?? 0;
    this.maxPacketSize = options.maxPacketSize ?? MAX_PACKET_SIZE;
    this.reader.maxPropertyBytes = options.maxPropertyBytes ?? Infinity;
    this.reader.maxUserProperties = options.maxUserProperties ?? Infinity;
  }

  /** Bytes received and not yet consumed as packets. */
  get buffered(): number {
    return this.buf.length - this.pos + this.queued;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0 || this.error !== undefined) return;
    if (this.pos >= this.buf.length) {
      this.buf = chunk;
      this.pos = 0;
    } else {
      this.queue.push(chunk);
      this.queued += chunk.length;
    }
  }

  /** Reads the next packet: see ParseStatus. */
  read(): ParseStatus {
    if (this.error !== undefined) return ParseStatus.Error;
    try {
      return this.readPacket();
    } catch (e) {
      this.error =
        e instanceof MqttProtocolError ? e : malformed(`unreadable packet: ${e instanceof Error ? e.message : String(e)}`);
      this.buf = EMPTY;
      this.pos = 0;
      this.queue.length = 0;
      this.queued = 0;
      return ParseStatus.Error;
    }
  }

  /**
   * Reads the next packet as an object: PUBLISH is copied out of the view. Convenient for tests and for
   * packets off the hot path; returns 'need-more', a packet, or the MqttProtocolError.
   */
  next(): Packet | 'need-more' | MqttProtocolError {
    switch (this.read()) {
      case ParseStatus.NeedMore:
        return 'need-more';
      case ParseStatus.Packet:
        return this.packet!;
      case ParseStatus.Publish:
        return this.publish.toPacket();
      case ParseStatus.Error:
        return this.error!;
    }
  }

  private byteAt(i: number): number {
    const inBuf = this.buf.length - this.pos;
    if (i < inBuf) return this.buf[this.pos + i];
    i -= inBuf;
    for (const chunk of this.queue) {
      if (i < chunk.length) return chunk[i];
      i -= chunk.length;
    }
    return -1;
  }

  private readPacket(): ParseStatus {
    const available = this.buffered;
    if (available < 2) return ParseStatus.NeedMore;
    const first = this.byteAt(0);
    this.checkFixedHeaderFlags(first);

    // Remaining Length: a Variable Byte Integer of at most four bytes [MQTT-1.5.5-1].
    let remaining = 0;
    let multiplier = 1;
    let headerLength = 1;
    for (;;) {
      if (headerLength >= available) return ParseStatus.NeedMore;
      const b = this.byteAt(headerLength++);
      remaining += (b & 0x7f) * multiplier;
      if ((b & 0x80) === 0) break;
      if (headerLength === 5) throw malformed('Remaining Length is longer than 4 bytes', 'MQTT-1.5.5-1');
      multiplier *= 128;
    }
    const total = headerLength + remaining;
    if (total > this.maxPacketSize) {
      throw new MqttProtocolError(
        ReasonCode.PacketTooLarge,
        `packet of ${total} bytes exceeds the Maximum Packet Size of ${this.maxPacketSize}`,
        'MQTT-3.1.2-24',
      );
    }
    if (available < total) return ParseStatus.NeedMore;

    let buf: Buffer;
    let start: number;
    if (this.buf.length - this.pos >= total) {
      buf = this.buf;
      start = this.pos;
      this.pos += total;
      if (this.pos === this.buf.length && this.queue.length > 0) this.shiftQueue();
    } else {
      buf = this.assemble(total);
      start = 0;
    }
    return this.decode(buf, start, start + headerLength, start + total, first);
  }

  private shiftQueue(): void {
    const next = this.queue.shift()!;
    this.queued -= next.length;
    this.buf = next;
    this.pos = 0;
  }

  /** Copies a packet split across chunks into one buffer of its size, consuming it from the queue. */
  private assemble(total: number): Buffer {
    const out = Buffer.allocUnsafe(total);
    let filled = this.buf.copy(out, 0, this.pos);
    this.buf = EMPTY;
    this.pos = 0;
    while (filled < total) {
      const chunk = this.queue.shift()!;
      this.queued -= chunk.length;
      const take = Math.min(chunk.length, total - filled);
      chunk.copy(out, filled, 0, take);
      filled += take;
      if (take < chunk.length) {
        this.buf = chunk;
        this.pos = take;
      }
    }
    if (this.pos >= this.buf.length && this.queue.length > 0) this.shiftQueue();
    return out;
  }

  /** Type and flag checks need only the first byte, so a bad stream fails before any body is buffered. */
  private checkFixedHeaderFlags(first: number): void {
    const type = first >> 4;
    const flags = first & 0x0f;
    if (type === 0) throw malformed('packet type 0 is reserved', 'MQTT-2.1.2');
    if (type === PacketType.Auth && this.protocolVersion !== 0 && this.protocolVersion < 5) {
      throw malformed('packet type 15 is reserved before MQTT 5.0', 'MQTT-2.1.2');
    }
    if (type === PacketType.Publish) {
      const qos = (flags >> 1) & 3;
      if (qos === 3) throw malformed('PUBLISH with QoS 3', 'MQTT-3.3.1-4');
      if (qos === 0 && (flags & 8) !== 0) throw malformed('PUBLISH with QoS 0 and DUP set', 'MQTT-3.3.1-2');
    } else if (flags !== REQUIRED_FLAGS[type]) {
      throw malformed(`reserved flags 0x${flags.toString(16)} in packet type ${type}`, 'MQTT-2.1.3-1');
    }
  }

  private decode(buf: Buffer, packetStart: number, bodyStart: number, end: number, first: number): ParseStatus {
    const type = first >> 4;
    if (type === PacketType.Publish) {
      this.decodePublish(buf, packetStart, bodyStart, end, first);
      return ParseStatus.Publish;
    }
    const r = this.reader;
    r.reset(buf, bodyStart, end);
    const v5 = this.protocolVersion === 5 || this.protocolVersion === 0;
    let packet: Packet;
    switch (type as PacketType) {
      case PacketType.Connect:
        packet = this.decodeConnect(r);
        break;
      case PacketType.Connack:
        packet = decodeConnack(r, v5);
        break;
      case PacketType.Puback:
      case PacketType.Pubrec:
      case PacketType.Pubrel:
      case PacketType.Pubcomp:
        packet = decodeAck(r, type as AckPacket['type'], v5);
        break;
      case PacketType.Subscribe:
        packet = decodeSubscribe(r, v5);
        break;
      case PacketType.Suback:
        packet = decodeSuback(r, v5);
        break;
      case PacketType.Unsubscribe:
        packet = decodeUnsubscribe(r, v5);
        break;
      case PacketType.Unsuback:
        packet = decodeUnsuback(r, v5);
        break;
      case PacketType.Pingreq:
      case PacketType.Pingresp:
        r.expectEnd(type === PacketType.Pingreq ? 'PINGREQ' : 'PINGRESP');
        packet = { type } as Packet;
        break;
      case PacketType.Disconnect:
        packet = decodeDisconnect(r, v5);
        break;
      case PacketType.Auth:
        packet = decodeAuth(r);
        break;
      default:
        throw malformed(`unknown packet type ${type}`);
    }
    this.packet = packet;
    return ParseStatus.Packet;
  }

  private decodeConnect(r: Reader): ConnectPacket {
    const protocolName = r.string('Protocol Name');
    const level = r.u8('Protocol Level');
    if (protocolName !== 'MQTT' && protocolName !== 'MQIsdp') {
      throw protocolError(`unknown Protocol Name "${quoted(protocolName)}"`, 'MQTT-3.1.2-1');
    }
    const expectedName = level === 3 ? 'MQIsdp' : 'MQTT';
    if ((level !== 3 && level !== 4 && level !== 5) || protocolName !== expectedName) {
      throw new MqttProtocolError(
        ReasonCode.UnsupportedProtocolVersion,
        `Protocol Name "${quoted(protocolName)}" with Protocol Level ${level} is not supported`,
        'MQTT-3.1.2-2',
      );
    }
    const version = level as ProtocolVersion;
    // Adopted as soon as it is known, so a CONNECT that fails further on is still answered at its level.
    if (this.protocolVersion === 0) this.protocolVersion = version;
    const flags = r.u8('Connect Flags');
    if (flags & 0x01) throw malformed('the reserved Connect Flags bit is set', 'MQTT-3.1.2-3');
    const clean = (flags & 0x02) !== 0;
    const willFlag = (flags & 0x04) !== 0;
    const willQoS = (flags >> 3) & 3;
    const willRetain = (flags & 0x20) !== 0;
    const hasPassword = (flags & 0x40) !== 0;
    const hasUsername = (flags & 0x80) !== 0;
    if (willQoS === 3) throw malformed('Will QoS 3', 'MQTT-3.1.2-12');
    if (!willFlag && willQoS !== 0) throw malformed('Will QoS set without a Will Flag', 'MQTT-3.1.2-11');
    if (!willFlag && willRetain) throw malformed('Will Retain set without a Will Flag', 'MQTT-3.1.2-13');
    if (version < 5 && hasPassword && !hasUsername) {
      throw malformed('Password Flag set without User Name Flag', 'MQTT-3.1.2-22');
    }
    const keepAlive = r.u16('Keep Alive');
    const properties = version === 5 ? readProperties(r, PacketType.Connect) : undefined;
    if (properties) checkAuthenticationPair(properties);
    const clientId = r.string('Client Identifier');
    const packet: ConnectPacket = { type: PacketType.Connect, protocolName, protocolVersion: version, clean, keepAlive, clientId };
    if (willFlag) {
      const willProperties = version === 5 ? readProperties(r, WILL_PROPERTIES) : undefined;
      // The will goes out as a PUBLISH: its Response Topic obeys the same rule [MQTT-3.3.2-14].
      const responseTopic = willProperties?.responseTopic;
      if (responseTopic !== undefined && (responseTopic.includes('+') || responseTopic.includes('#'))) {
        throw protocolError('Will Response Topic contains a wildcard', 'MQTT-3.3.2-14');
      }
      const topicStart = r.lengthPrefixed('Will Topic');
      checkTopicName(r.buf, topicStart, r.pos, 'Will Topic');
      const will: WillMessage = {
        topic: r.buf.toString('utf8', topicStart, r.pos),
        payload: r.binary('Will Payload'),
        qos: willQoS as QoS,
        retain: willRetain,
      };
      if (willProperties) will.properties = willProperties;
      packet.will = will;
    }
    if (hasUsername) packet.username = r.string('User Name');
    if (hasPassword) packet.password = r.binary('Password');
    r.expectEnd('CONNECT');
    if (properties) packet.properties = properties;
    return packet;
  }

  private decodePublish(buf: Buffer, packetStart: number, bodyStart: number, end: number, first: number): void {
    const view = this.publish;
    view.reset(buf, packetStart, end, first);
    let pos = bodyStart;
    if (end - pos < 2) throw malformed('PUBLISH too short for a Topic Name');
    const topicLength = (buf[pos] << 8) | buf[pos + 1];
    pos += 2;
    const topicEnd = pos + topicLength;
    if (topicEnd > end) throw malformed('Topic Name runs past the end of the packet');
    checkTopicName(buf, pos, topicEnd, 'Topic Name', true);
    view.topicStart = pos;
    view.topicEnd = topicEnd;
    pos = topicEnd;
    if (view.qos > 0) {
      if (end - pos < 2) throw malformed('PUBLISH too short for a Packet Identifier');
      const id = (buf[pos] << 8) | buf[pos + 1];
      if (id === 0) throw protocolError('PUBLISH with QoS > 0 and Packet Identifier 0', 'MQTT-2.2.1-3');
      view.packetId = id;
      pos += 2;
    }
    if (this.protocolVersion === 5 || this.protocolVersion === 0) {
      pos = readPublishProperties(view, buf, pos, end, this.reader);
    }
    if (topicLength === 0 && view.topicAlias === 0) {
      throw protocolError('zero-length Topic Name without a Topic Alias', 'MQTT-3.3.2-1');
    }
    view.payloadStart = pos;
    view.payloadEnd = end;
  }
}

/**
 * Checks a Topic Name in one pass: well-formed UTF-8 without U+0000, and no wildcard [MQTT-4.7.0-1].
 * An empty name is the caller's business (it may stand for a Topic Alias).
 */
function checkTopicName(buf: Buffer, start: number, end: number, what: string, allowEmpty = false): void {
  if (start === end && !allowEmpty) throw protocolError(`${what} is empty`, 'MQTT-4.7.3-1');
  let ascii = true;
  for (let i = start; i < end; i++) {
    const b = buf[i];
    if (b === 0x2b || b === 0x23) {
      throw new MqttProtocolError(ReasonCode.TopicNameInvalid, `${what} contains a wildcard`, 'MQTT-4.7.0-1');
    }
    if (b === 0) throw malformed(`${what} contains U+0000`, 'MQTT-1.5.4-2');
    if (b >= 0x80) ascii = false;
  }
  if (!ascii && !isUtf8(buf.subarray(start, end))) throw malformed(`${what} is not well-formed UTF-8`, 'MQTT-1.5.4-1');
}

const enum SeenPublishProperty {
  PayloadFormat = 1,
  MessageExpiry = 2,
  ContentType = 4,
  ResponseTopic = 8,
  CorrelationData = 16,
  TopicAlias = 32,
}

/**
 * Validates the PUBLISH property block in place and lifts the fields the broker acts on into the view,
 * without allocating: this is the hot path. Returns the offset of the payload.
 */
function readPublishProperties(view: PublishView, buf: Buffer, pos: number, end: number, limits: Reader): number {
  // Property Length, a Variable Byte Integer.
  let length = 0;
  let multiplier = 1;
  for (let i = 0; ; i++) {
    if (i === 4) throw malformed('Property Length: Variable Byte Integer longer than 4 bytes', 'MQTT-1.5.5-1');
    if (pos >= end) throw malformed('Property Length runs past the end of the packet');
    const b = buf[pos++];
    length += (b & 0x7f) * multiplier;
    if ((b & 0x80) === 0) break;
    multiplier *= 128;
  }
  const propsEnd = pos + length;
  if (propsEnd > end) throw malformed(`Property Length ${length} runs past the end of the packet`);
  if (length > limits.maxPropertyBytes) throw tooManyPropertyBytes(length, limits.maxPropertyBytes, PacketType.Publish);
  view.propertiesStart = pos;
  view.propertiesEnd = propsEnd;
  let seen = 0;
  while (pos < propsEnd) {
    const id = buf[pos++];
    switch (id) {
      case PropertyId.PayloadFormatIndicator:
        seen = once(seen, SeenPublishProperty.PayloadFormat, 'Payload Format Indicator');
        need(pos, 1, propsEnd);
        if (buf[pos] > 1) throw protocolError(`Payload Format Indicator must be 0 or 1, got ${buf[pos]}`);
        view.payloadFormatIndicator = buf[pos++];
        break;
      case PropertyId.MessageExpiryInterval:
        seen = once(seen, SeenPublishProperty.MessageExpiry, 'Message Expiry Interval');
        need(pos, 4, propsEnd);
        view.messageExpiryInterval = buf.readUInt32BE(pos);
        pos += 4;
        break;
      case PropertyId.TopicAlias: {
        seen = once(seen, SeenPublishProperty.TopicAlias, 'Topic Alias');
        need(pos, 2, propsEnd);
        const alias = (buf[pos] << 8) | buf[pos + 1];
        if (alias === 0) throw new MqttProtocolError(ReasonCode.TopicAliasInvalid, 'Topic Alias 0 is not permitted', 'MQTT-3.3.2-8');
        view.topicAlias = alias;
        pos += 2;
        break;
      }
      case PropertyId.ContentType:
        seen = once(seen, SeenPublishProperty.ContentType, 'Content Type');
        pos = skipString(buf, pos, propsEnd, 'Content Type');
        break;
      case PropertyId.ResponseTopic: {
        seen = once(seen, SeenPublishProperty.ResponseTopic, 'Response Topic');
        const start = pos + 2;
        pos = skipString(buf, pos, propsEnd, 'Response Topic');
        for (let i = start; i < pos; i++) {
          if (buf[i] === 0x2b || buf[i] === 0x23) throw protocolError('Response Topic contains a wildcard', 'MQTT-3.3.2-14');
        }
        view.responseTopicStart = start;
        view.responseTopicEnd = pos;
        break;
      }
      case PropertyId.CorrelationData:
        seen = once(seen, SeenPublishProperty.CorrelationData, 'Correlation Data');
        need(pos, 2, propsEnd);
        pos += 2 + ((buf[pos] << 8) | buf[pos + 1]);
        if (pos > propsEnd) throw malformed('Correlation Data runs past the end of the properties');
        break;
      case PropertyId.UserProperty:
        pos = skipString(buf, pos, propsEnd, 'User Property name');
        pos = skipString(buf, pos, propsEnd, 'User Property value');
        if (++view.userPropertyCount > limits.maxUserProperties) throw tooManyUserProperties(limits.maxUserProperties, PacketType.Publish);
        break;
      case PropertyId.SubscriptionIdentifier: {
        let value = 0;
        let m = 1;
        for (let i = 0; ; i++) {
          if (i === 4) throw malformed('Subscription Identifier longer than 4 bytes', 'MQTT-1.5.5-1');
          if (pos >= propsEnd) throw malformed('Subscription Identifier runs past the end of the properties');
          const b = buf[pos++];
          value += (b & 0x7f) * m;
          if ((b & 0x80) === 0) break;
          m *= 128;
        }
        if (value === 0) throw protocolError('Subscription Identifier 0 is not permitted');
        view.subscriptionIdentifierCount++;
        break;
      }
      default:
        // Identifiers are Variable Byte Integers, but every one defined fits in one byte; anything else,
        // including a multi-byte identifier, is not valid in PUBLISH (§2.2.2.2).
        throw malformed(`property 0x${id.toString(16).padStart(2, '0')} is not valid in PUBLISH`, 'MQTT-2.2.2');
    }
  }
  if (pos !== propsEnd) throw malformed('a property runs past the Property Length');
  return propsEnd;
}

/** A value the client sent, shortened for an error message: the message may travel back as a Reason String. */
function quoted(text: string): string {
  return text.length <= 64 ? text : `${text.slice(0, 64)}...`;
}

function once(seen: number, bit: number, name: string): number {
  if (seen & bit) throw protocolError(`${name} appears more than once in PUBLISH`, 'MQTT-3.3.2');
  return seen | bit;
}

function need(pos: number, n: number, end: number): void {
  if (end - pos < n) throw malformed('a property runs past the end of the properties');
}

function skipString(buf: Buffer, pos: number, end: number, what: string): number {
  need(pos, 2, end);
  const start = pos + 2;
  const stop = start + ((buf[pos] << 8) | buf[pos + 1]);
  if (stop > end) throw malformed(`${what} runs past the end of the properties`);
  checkString(buf, start, stop, what);
  return stop;
}

/** Authentication Data without an Authentication Method is a Protocol Error (§3.1.2.11.10). */
function checkAuthenticationPair(props: Properties): void {
  if (props.authenticationData !== undefined && props.authenticationMethod === undefined) {
    throw protocolError('Authentication Data without Authentication Method', 'MQTT-3.1.2.11.10');
  }
}

function checkPacketId(id: number, what: string): number {
  if (id === 0) throw protocolError(`${what} with Packet Identifier 0`, 'MQTT-2.2.1-3');
  return id;
}

function checkReasonCode(type: PacketType, code: number, what: string): number {
  if (!isReasonCodeAllowed(type, code)) {
    throw protocolError(`reason code 0x${code.toString(16).padStart(2, '0')} is not valid in ${what}`, 'MQTT-2.4');
  }
  return code;
}

function decodeConnack(r: Reader, v5: boolean): ConnackPacket {
  const flags = r.u8('Connect Acknowledge Flags');
  if (flags & 0xfe) throw malformed('reserved Connect Acknowledge Flags bits are set', 'MQTT-3.2.2-1');
  const sessionPresent = flags === 1;
  const code = r.u8('Connect Reason Code');
  const packet: ConnackPacket = { type: PacketType.Connack, sessionPresent, reasonCode: code };
  if (v5) {
    checkReasonCode(PacketType.Connack, code, 'CONNACK');
    if (sessionPresent && code !== 0) throw protocolError('Session Present with a failure reason code', 'MQTT-3.2.2-6');
    const props = readProperties(r, PacketType.Connack);
    if (props) {
      checkAuthenticationPair(props);
      packet.properties = props;
    }
  } else if (code > 5) {
    throw protocolError(`CONNACK return code ${code} is reserved`, 'MQTT-3.2.2-4');
  }
  r.expectEnd('CONNACK');
  return packet;
}

const ACK_NAMES: Record<number, string> = { 4: 'PUBACK', 5: 'PUBREC', 6: 'PUBREL', 7: 'PUBCOMP' };

function decodeAck(r: Reader, type: AckPacket['type'], v5: boolean): AckPacket {
  const name = ACK_NAMES[type];
  const packetId = checkPacketId(r.u16('Packet Identifier'), name);
  const packet = { type, packetId, reasonCode: 0 } as AckPacket;
  if (v5 && r.remaining > 0) {
    packet.reasonCode = checkReasonCode(type, r.u8('Reason Code'), name);
    if (r.remaining > 0) {
      const props = readProperties(r, type);
      if (props) packet.properties = props;
    }
  }
  r.expectEnd(name);
  return packet;
}

function decodeSubscribe(r: Reader, v5: boolean): SubscribePacket {
  const packetId = checkPacketId(r.u16('Packet Identifier'), 'SUBSCRIBE');
  const properties = v5 ? readProperties(r, PacketType.Subscribe) : undefined;
  const subscriptions: Subscription[] = [];
  while (r.remaining > 0) {
    const topicFilter = r.string('Topic Filter');
    const options = r.u8('Subscription Options');
    const qos = options & 3;
    if (v5) {
      if (options & 0xc0) throw malformed('reserved Subscription Options bits are set', 'MQTT-3.8.3-5');
      if (qos === 3) throw protocolError('Maximum QoS 3 in Subscription Options', 'MQTT-3.8.3-5');
      const retainHandling = (options >> 4) & 3;
      if (retainHandling === 3) throw protocolError('Retain Handling 3', 'MQTT-3.8.3-5');
      const noLocal = (options & 4) !== 0;
      if (noLocal && topicFilter.startsWith(SHARE_PREFIX)) {
        throw protocolError('No Local on a Shared Subscription', 'MQTT-3.8.3-4');
      }
      subscriptions.push({
        topicFilter,
        qos: qos as QoS,
        noLocal,
        retainAsPublished: (options & 8) !== 0,
        retainHandling: retainHandling as RetainHandling,
      });
    } else {
      if (options & 0xfc) throw malformed('reserved bits set in the requested QoS byte', 'MQTT-3.8.3-4');
      if (qos === 3) throw malformed('requested QoS 3', 'MQTT-3.8.3-4');
      subscriptions.push({ topicFilter, qos: qos as QoS, noLocal: false, retainAsPublished: false, retainHandling: 0 });
    }
  }
  if (subscriptions.length === 0) throw protocolError('SUBSCRIBE without a Topic Filter', v5 ? 'MQTT-3.8.3-2' : 'MQTT-3.8.3-3');
  const packet: SubscribePacket = { type: PacketType.Subscribe, packetId, subscriptions };
  if (properties) packet.properties = properties;
  return packet;
}

const V4_SUBACK_CODES = new Set([0, 1, 2, 0x80]);

function decodeSuback(r: Reader, v5: boolean): SubackPacket {
  const packetId = checkPacketId(r.u16('Packet Identifier'), 'SUBACK');
  const properties = v5 ? readProperties(r, PacketType.Suback) : undefined;
  const reasonCodes: number[] = [];
  while (r.remaining > 0) {
    const code = r.u8('Reason Code');
    if (v5) checkReasonCode(PacketType.Suback, code, 'SUBACK');
    else if (!V4_SUBACK_CODES.has(code)) throw protocolError(`SUBACK return code 0x${code.toString(16)} is reserved`, 'MQTT-3.9.3-2');
    reasonCodes.push(code);
  }
  if (reasonCodes.length === 0) throw protocolError('SUBACK without a Reason Code');
  const packet: SubackPacket = { type: PacketType.Suback, packetId, reasonCodes };
  if (properties) packet.properties = properties;
  return packet;
}

function decodeUnsubscribe(r: Reader, v5: boolean): UnsubscribePacket {
  const packetId = checkPacketId(r.u16('Packet Identifier'), 'UNSUBSCRIBE');
  const properties = v5 ? readProperties(r, PacketType.Unsubscribe) : undefined;
  const topicFilters: string[] = [];
  while (r.remaining > 0) topicFilters.push(r.string('Topic Filter'));
  if (topicFilters.length === 0) throw protocolError('UNSUBSCRIBE without a Topic Filter', v5 ? 'MQTT-3.10.3-2' : 'MQTT-3.10.3-2');
  const packet: UnsubscribePacket = { type: PacketType.Unsubscribe, packetId, topicFilters };
  if (properties) packet.properties = properties;
  return packet;
}

function decodeUnsuback(r: Reader, v5: boolean): UnsubackPacket {
  const packetId = checkPacketId(r.u16('Packet Identifier'), 'UNSUBACK');
  const packet: UnsubackPacket = { type: PacketType.Unsuback, packetId, reasonCodes: [] };
  if (v5) {
    const properties = readProperties(r, PacketType.Unsuback);
    if (properties) packet.properties = properties;
    while (r.remaining > 0) packet.reasonCodes.push(checkReasonCode(PacketType.Unsuback, r.u8('Reason Code'), 'UNSUBACK'));
    if (packet.reasonCodes.length === 0) throw protocolError('UNSUBACK without a Reason Code');
  }
  r.expectEnd('UNSUBACK');
  return packet;
}

function decodeDisconnect(r: Reader, v5: boolean): DisconnectPacket {
  const packet: DisconnectPacket = { type: PacketType.Disconnect, reasonCode: 0 };
  if (v5 && r.remaining > 0) {
    packet.reasonCode = checkReasonCode(PacketType.Disconnect, r.u8('Reason Code'), 'DISCONNECT');
    if (r.remaining > 0) {
      const props = readProperties(r, PacketType.Disconnect);
      if (props) packet.properties = props;
    }
  }
  r.expectEnd('DISCONNECT');
  return packet;
}

function decodeAuth(r: Reader): AuthPacket {
  const packet: AuthPacket = { type: PacketType.Auth, reasonCode: 0 };
  if (r.remaining > 0) {
    packet.reasonCode = checkReasonCode(PacketType.Auth, r.u8('Reason Code'), 'AUTH');
    const props = readProperties(r, PacketType.Auth);
    // An AUTH names its method, so the exchange it belongs to is known (§3.15.2.2.2). Success without any
    // property is read as the short form it means (mqtt-packet writes it with an empty Property Length).
    if ((props !== undefined || packet.reasonCode !== ReasonCode.Success) && props?.authenticationMethod === undefined) {
      throw protocolError('AUTH without an Authentication Method', 'MQTT-3.15.2.2.2');
    }
    if (props) {
      checkAuthenticationPair(props);
      packet.properties = props;
    }
  }
  r.expectEnd('AUTH');
  return packet;
}
