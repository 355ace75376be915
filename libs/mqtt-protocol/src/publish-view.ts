import { PacketType, QoS } from './packet-type';
import { PublishPacket } from './packets';
import { Properties } from './property';
import { readPropertyList } from './property-codec';
import { EMPTY_BUFFER, Reader } from './reader';

/**
 * A received PUBLISH read in place: offsets into the buffer that holds it, no packet object, no payload
 * copy. The parser owns one view and refills it for every PUBLISH, so a field read after the next
 * `read()` belongs to the next message. The bytes themselves are never overwritten: `buffer` stays valid
 * for as long as it is referenced, so `payload` (a subarray) may be kept, at the cost of keeping the
 * received chunk alive.
 */
export class PublishView {
  /** The buffer holding the whole packet, fixed header included. */
  buffer: Buffer = EMPTY_BUFFER;
  packetStart = 0;
  packetEnd = 0;
  /** The first byte of the fixed header: type, DUP, QoS, RETAIN. */
  firstByte = 0;
  qos: QoS = 0;
  dup = false;
  retain = false;
  topicStart = 0;
  topicEnd = 0;
  /** 0 for QoS 0. */
  packetId = 0;
  /** The property bytes after the Property Length (MQTT 5.0), empty otherwise. */
  propertiesStart = 0;
  propertiesEnd = 0;
  payloadStart = 0;
  payloadEnd = 0;

  // Properties the broker acts on, decoded while the property block is validated.
  /** 0 when absent. */
  topicAlias = 0;
  /** -1 when absent. */
  messageExpiryInterval = -1;
  /** -1 when absent, else 0 (unspecified bytes) or 1 (UTF-8). */
  payloadFormatIndicator = -1;
  /** Subscription Identifiers present (forbidden from a client [MQTT-3.3.4-6]; the broker decides). */
  subscriptionIdentifierCount = 0;
  userPropertyCount = 0;
  /** Offsets of the Response Topic string (without its length prefix); start === end when absent. */
  responseTopicStart = 0;
  responseTopicEnd = 0;

  private cachedTopic: string | undefined;

  /** Called by the parser before it fills the view for a new packet. */
  reset(buffer: Buffer, packetStart: number, packetEnd: number, firstByte: number): void {
    this.buffer = buffer;
    this.packetStart = packetStart;
    this.packetEnd = packetEnd;
    this.firstByte = firstByte;
    this.qos = ((firstByte >> 1) & 3) as QoS;
    this.dup = (firstByte & 8) !== 0;
    this.retain = (firstByte & 1) !== 0;
    this.packetId = 0;
    this.propertiesStart = this.propertiesEnd = 0;
    this.topicAlias = 0;
    this.messageExpiryInterval = -1;
    this.payloadFormatIndicator = -1;
    this.subscriptionIdentifierCount = 0;
    this.userPropertyCount = 0;
    this.responseTopicStart = this.responseTopicEnd = 0;
    this.cachedTopic = undefined;
  }

  /** The Topic Name, decoded once per packet; empty when the sender used a Topic Alias alone. */
  get topic(): string {
    if (this.cachedTopic === undefined) this.cachedTopic = this.buffer.toString('utf8', this.topicStart, this.topicEnd);
    return this.cachedTopic;
  }

  get topicLength(): number {
    return this.topicEnd - this.topicStart;
  }

  /** The payload as a subarray of the received bytes (no copy). */
  get payload(): Buffer {
    return this.buffer.subarray(this.payloadStart, this.payloadEnd);
  }

  get payloadLength(): number {
    return this.payloadEnd - this.payloadStart;
  }

  get hasProperties(): boolean {
    return this.propertiesEnd > this.propertiesStart;
  }

  /** Compares the Topic Name bytes with `bytes` without decoding a string: the "same topic as last time" test. */
  topicEquals(bytes: Buffer): boolean {
    const len = this.topicEnd - this.topicStart;
    return bytes.length === len && this.buffer.compare(bytes, 0, len, this.topicStart, this.topicEnd) === 0;
  }

  /** Decodes every property into an object (allocates; for paths that need more than the fields above). */
  properties(): Properties | undefined {
    if (!this.hasProperties) return undefined;
    const r = new Reader();
    r.reset(this.buffer, this.propertiesStart, this.propertiesEnd);
    return readPropertyList(r, PacketType.Publish, this.propertiesEnd - this.propertiesStart);
  }

  /** A self-contained packet object with its own copy of the payload. */
  toPacket(): PublishPacket {
    const packet: PublishPacket = {
      type: PacketType.Publish,
      topic: this.topic,
      payload: Buffer.from(this.payload),
      qos: this.qos,
      retain: this.retain,
      dup: this.dup,
    };
    if (this.qos > 0) packet.packetId = this.packetId;
    const props = this.properties();
    if (props !== undefined) packet.properties = props;
    return packet;
  }
}
