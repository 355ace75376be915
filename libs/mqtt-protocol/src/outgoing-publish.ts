import { PROPERTY_BY_ID, Properties, PropertyContext, PropertyId } from './property';
import { propertiesSize, readPropertyList, writeProperties } from './property-codec';
import { Reader } from './reader';
import { MAX_VARINT, varintSize, writeVarint } from './varint';

/**
 * A PUBLISH to write, from parts a broker already holds as bytes: the topic as UTF-8, the property block
 * it forwards (without its length), the payload. Encoding from bytes skips every string conversion.
 */
export interface PublishParts {
  topic: Buffer;
  qos: 0 | 1 | 2;
  retain: boolean;
  dup: boolean;
  /** Written when qos > 0; a placeholder 0 may be patched later (see publishPacketIdOffset). */
  packetId: number;
  /** MQTT 5.0 property bytes, Property Length excluded; ignored below level 5. */
  properties: Buffer | null;
  payload: Buffer;
}

/** Size of the whole packet encodePublishParts would write. */
export function publishPartsSize(parts: PublishParts, v5: boolean): number {
  const propsLength = v5 ? (parts.properties?.length ?? 0) : 0;
  const remaining =
    2 + parts.topic.length + (parts.qos > 0 ? 2 : 0) + (v5 ? varintSize(propsLength) + propsLength : 0) + parts.payload.length;
  return 1 + varintSize(remaining) + remaining;
}

/** Encodes a PUBLISH from parts in one allocation. */
export function encodePublishParts(parts: PublishParts, v5: boolean): Buffer {
  const props = v5 ? parts.properties : null;
  const propsLength = props?.length ?? 0;
  const remaining =
    2 + parts.topic.length + (parts.qos > 0 ? 2 : 0) + (v5 ? varintSize(propsLength) + propsLength : 0) + parts.payload.length;
  if (remaining > MAX_VARINT) throw new RangeError(`PUBLISH of ${remaining} bytes exceeds the Remaining Length limit`);
  const buf = Buffer.allocUnsafe(1 + varintSize(remaining) + remaining);
  buf[0] = 0x30 | (parts.dup ? 8 : 0) | (parts.qos << 1) | (parts.retain ? 1 : 0);
  let pos = writeVarint(buf, 1, remaining);
  buf[pos++] = parts.topic.length >> 8;
  buf[pos++] = parts.topic.length & 0xff;
  pos += parts.topic.copy(buf, pos);
  if (parts.qos > 0) {
    buf[pos++] = parts.packetId >> 8;
    buf[pos++] = parts.packetId & 0xff;
  }
  if (v5) {
    pos = writeVarint(buf, pos, propsLength);
    if (props) pos += props.copy(buf, pos);
  }
  parts.payload.copy(buf, pos);
  return buf;
}

/** Length of the value of property `id` at `pos` (the identifier already consumed). */
function valueLength(buf: Buffer, pos: number, id: number): number {
  switch (PROPERTY_BY_ID[id]?.type) {
    case 'byte':
    case 'flag':
      return 1;
    case 'uint16':
      return 2;
    case 'uint32':
      return 4;
    case 'varint': {
      let n = 1;
      while (buf[pos + n - 1] & 0x80) n++;
      return n;
    }
    case 'string':
    case 'binary':
      return 2 + ((buf[pos] << 8) | buf[pos + 1]);
    case 'pair': {
      const first = 2 + ((buf[pos] << 8) | buf[pos + 1]);
      return first + 2 + ((buf[pos + first] << 8) | buf[pos + first + 1]);
    }
    default:
      throw new TypeError(`property 0x${id.toString(16)} is not defined`);
  }
}

/**
 * Copies a validated property block, leaving out the properties whose identifier is in `drop`, in order:
 * how a broker forwards a PUBLISH without the sender's Topic Alias and with its own Message Expiry
 * Interval, keeping every other property, User Properties in their order [MQTT-3.3.2-17, MQTT-3.3.2-18].
 * Returns null when nothing is left.
 */
export function copyPropertiesWithout(buf: Buffer, start: number, end: number, drop: ReadonlySet<PropertyId>): Buffer | null {
  const kept: Array<[number, number]> = [];
  let size = 0;
  let pos = start;
  while (pos < end) {
    const id = buf[pos];
    const next = pos + 1 + valueLength(buf, pos + 1, id);
    if (!drop.has(id)) {
      kept.push([pos, next]);
      size += next - pos;
    }
    pos = next;
  }
  if (size === 0) return null;
  const out = Buffer.allocUnsafe(size);
  let o = 0;
  for (const [s, e] of kept) o += buf.copy(out, o, s, e);
  return out;
}

/** Property bytes for one Message Expiry Interval. */
export function messageExpiryProperty(seconds: number): Buffer {
  const out = Buffer.allocUnsafe(5);
  out[0] = PropertyId.MessageExpiryInterval;
  out.writeUInt32BE(seconds, 1);
  return out;
}

/** Property bytes for Subscription Identifiers and a Topic Alias, appended per subscriber. */
export function subscriberProperties(subscriptionIds: readonly number[], topicAlias: number): Buffer | null {
  let size = topicAlias > 0 ? 3 : 0;
  for (const id of subscriptionIds) size += 1 + varintSize(id);
  if (size === 0) return null;
  const out = Buffer.allocUnsafe(size);
  let pos = 0;
  for (const id of subscriptionIds) {
    out[pos++] = PropertyId.SubscriptionIdentifier;
    pos = writeVarint(out, pos, id);
  }
  if (topicAlias > 0) {
    out[pos++] = PropertyId.TopicAlias;
    out.writeUInt16BE(topicAlias, pos);
  }
  return out;
}

/** Encodes a property set as bytes without the Property Length: a will's properties, forwarded like a PUBLISH's. */
export function encodePropertyBlock(props: Properties | undefined, context: PropertyContext): Buffer | null {
  const size = propertiesSize(props, context);
  if (size === 0) return null;
  const out = Buffer.allocUnsafe(varintSize(size) + size);
  writeProperties(out, 0, props, size);
  return out.subarray(varintSize(size));
}

/** Decodes a property set stored as bytes without the Property Length (see encodePropertyBlock). */
export function decodePropertyBlock(bytes: Buffer, context: PropertyContext): Properties | undefined {
  if (bytes.length === 0) return undefined;
  const reader = new Reader();
  reader.reset(bytes, 0, bytes.length);
  return readPropertyList(reader, context, bytes.length);
}
