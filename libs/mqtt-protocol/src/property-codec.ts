import { Buffer } from 'node:buffer';
import { PACKET_TYPE_NAMES } from './packet-type';
import {
  PROPERTY_BY_ID,
  PROPERTY_BY_KEY,
  Properties,
  PropertyContext,
  PropertyDefinition,
  PropertyId,
  WILL_PROPERTIES,
} from './property';
import { MqttProtocolError, malformed, protocolError } from './protocol-error';
import { Reader } from './reader';
import { ReasonCode } from './reason-code';
import { MAX_VARINT, varintSize, writeVarint } from './varint';

export function contextName(context: PropertyContext): string {
  return context === WILL_PROPERTIES ? 'Will Properties' : PACKET_TYPE_NAMES[context];
}

/** Decodes one property's value at the reader's position and checks its range. */
function readValue(r: Reader, def: PropertyDefinition, context: PropertyContext): unknown {
  const name = PropertyId[def.id];
  let value: number;
  switch (def.type) {
    case 'string':
      return r.string(name);
    case 'binary':
      return r.binary(name);
    case 'pair':
      return [r.string(`${name} name`), r.string(`${name} value`)];
    case 'flag':
      value = r.u8(name);
      if (value > 1) throw protocolError(`${name} must be 0 or 1, got ${value}`);
      return value === 1;
    case 'byte':
      value = r.u8(name);
      break;
    case 'uint16':
      value = r.u16(name);
      break;
    case 'uint32':
      value = r.u32(name);
      break;
    case 'varint':
      value = r.varint(name);
      break;
  }
  if (def.min !== undefined && value < def.min) {
    if (def.id === PropertyId.TopicAlias) {
      throw new MqttProtocolError(ReasonCode.TopicAliasInvalid, 'Topic Alias 0 is not permitted', 'MQTT-3.3.2-8');
    }
    throw protocolError(`${name} of ${value} in ${contextName(context)} is below ${def.min}`);
  }
  if (def.max !== undefined && value > def.max) {
    throw protocolError(`${name} of ${value} in ${contextName(context)} is above ${def.max}`);
  }
  return value;
}

/**
 * Reads a Property Length and the properties it covers (§2.2.2). An identifier the specification does not
 * define for this packet is a Malformed Packet (§2.2.2.2); a property given twice where it may appear once
 * is a Protocol Error. Returns undefined for an empty property set.
 */
export function readProperties(r: Reader, context: PropertyContext): Properties | undefined {
  const length = r.varint('Property Length');
  if (length === 0) return undefined;
  if (length > r.remaining) throw malformed(`Property Length ${length} runs past the end of the packet`);
  if (length > r.maxPropertyBytes) throw tooManyPropertyBytes(length, r.maxPropertyBytes, context);
  return readPropertyList(r, context, length);
}

/** Reads `length` bytes of properties (the Property Length already consumed). */
export function readPropertyList(r: Reader, context: PropertyContext, length: number): Properties {
  const end = r.pos + length;
  const outerEnd = r.end;
  r.end = end;
  const props: Properties = {};
  const bag = props as Record<string, unknown>;
  const contextBit = 1 << context;
  let userProperties = 0;
  try {
    while (r.pos < end) {
      const id = r.varint('Property Identifier');
      const def = id < PROPERTY_BY_ID.length ? PROPERTY_BY_ID[id] : undefined;
      if (def === undefined || (def.allowedIn & contextBit) === 0) {
        throw malformed(
          `property 0x${id.toString(16).padStart(2, '0')}${def ? ` (${PropertyId[id]})` : ''} is not valid in ${contextName(context)}`,
          'MQTT-2.2.2',
        );
      }
      if (id === PropertyId.UserProperty && ++userProperties > r.maxUserProperties) {
        throw tooManyUserProperties(r.maxUserProperties, context);
      }
      const value = readValue(r, def, context);
      const existing = bag[def.key];
      if (def.key === 'userProperties' || def.key === 'subscriptionIdentifiers') {
        if (existing === undefined) bag[def.key] = [value];
        else if ((def.repeatableIn & contextBit) !== 0) (existing as unknown[]).push(value);
        else throw protocolError(`${PropertyId[id]} appears more than once in ${contextName(context)}`);
      } else if (existing !== undefined) {
        throw protocolError(`${PropertyId[id]} appears more than once in ${contextName(context)}`);
      } else {
        bag[def.key] = value;
      }
    }
  } finally {
    r.end = outerEnd;
  }
  return props;
}

/**
 * Limits on what one property set may hold. Each User Property costs an array and two strings once decoded:
 * 15 MB of empty pairs would become hundreds of MB of heap. Answered with 0x97 Quota exceeded, the code
 * for a limit the server imposes.
 */
export function tooManyUserProperties(max: number, context: PropertyContext): MqttProtocolError {
  return new MqttProtocolError(ReasonCode.QuotaExceeded, `more than ${max} User Properties in ${contextName(context)}`);
}

export function tooManyPropertyBytes(length: number, max: number, context: PropertyContext): MqttProtocolError {
  return new MqttProtocolError(ReasonCode.QuotaExceeded, `${contextName(context)} of ${length} bytes exceed the limit of ${max}`);
}

export function stringSize(value: string): number {
  const n = Buffer.byteLength(value, 'utf8');
  if (n > 0xffff) throw new TypeError(`a UTF-8 Encoded String is limited to 65,535 bytes, got ${n}`);
  return 2 + n;
}

/**
 * The size of the properties (without the Property Length field). Throws a TypeError for a property the
 * packet may not carry or a value out of range: that is a bug in the caller, not bad input from a peer.
 */
export function propertiesSize(props: Properties | undefined, context: PropertyContext, omitDiagnostics = false): number {
  if (props === undefined) return 0;
  let size = 0;
  for (const key in props) {
    const value = (props as Record<string, unknown>)[key];
    if (value === undefined) continue;
    const def = PROPERTY_BY_KEY.get(key as keyof Properties);
    if (def === undefined) throw new TypeError(`unknown property ${key}`);
    if ((def.allowedIn & (1 << context)) === 0) throw new TypeError(`property ${key} is not allowed in ${contextName(context)}`);
    if (omitDiagnostics && (def.id === PropertyId.ReasonString || def.id === PropertyId.UserProperty)) continue;
    switch (def.type) {
      case 'byte':
      case 'flag':
        size += 2;
        break;
      case 'uint16':
        size += 3;
        break;
      case 'uint32':
        size += 5;
        break;
      case 'varint': {
        const ids = value as number[];
        if (ids.length > 1 && (def.repeatableIn & (1 << context)) === 0) {
          throw new TypeError(`${key} may appear once in ${contextName(context)}`);
        }
        for (const id of ids) {
          if (!(id >= 1 && id <= MAX_VARINT)) throw new TypeError(`subscription identifier ${id} out of range`);
          size += 1 + varintSize(id);
        }
        break;
      }
      case 'string':
        size += 1 + stringSize(value as string);
        break;
      case 'binary':
        if ((value as Buffer).length > 0xffff) throw new TypeError(`${key} is limited to 65,535 bytes`);
        size += 3 + (value as Buffer).length;
        break;
      case 'pair':
        for (const [k, v] of value as Array<[string, string]>) size += 1 + stringSize(k) + stringSize(v);
        break;
    }
  }
  return size;
}

export function writeString(buf: Buffer, pos: number, value: string): number {
  const n = buf.write(value, pos + 2, 'utf8');
  buf[pos] = n >> 8;
  buf[pos + 1] = n & 0xff;
  return pos + 2 + n;
}

/** Writes Property Length then the properties; `size` is what propertiesSize returned. */
export function writeProperties(
  buf: Buffer,
  pos: number,
  props: Properties | undefined,
  size: number,
  omitDiagnostics = false,
): number {
  pos = writeVarint(buf, pos, size);
  if (props === undefined || size === 0) return pos;
  for (const key in props) {
    const value = (props as Record<string, unknown>)[key];
    if (value === undefined) continue;
    const def = PROPERTY_BY_KEY.get(key as keyof Properties)!;
    const id = def.id;
    if (omitDiagnostics && (id === PropertyId.ReasonString || id === PropertyId.UserProperty)) continue;
    switch (def.type) {
      case 'flag':
        buf[pos++] = id;
        buf[pos++] = value ? 1 : 0;
        break;
      case 'byte':
        buf[pos++] = id;
        buf[pos++] = value as number;
        break;
      case 'uint16':
        buf[pos++] = id;
        buf.writeUInt16BE(value as number, pos);
        pos += 2;
        break;
      case 'uint32':
        buf[pos++] = id;
        buf.writeUInt32BE(value as number, pos);
        pos += 4;
        break;
      case 'varint':
        for (const n of value as number[]) {
          buf[pos++] = id;
          pos = writeVarint(buf, pos, n);
        }
        break;
      case 'string':
        buf[pos++] = id;
        pos = writeString(buf, pos, value as string);
        break;
      case 'binary': {
        const data = value as Buffer;
        buf[pos++] = id;
        buf[pos++] = data.length >> 8;
        buf[pos++] = data.length & 0xff;
        buf.set(data, pos);
        pos += data.length;
        break;
      }
      case 'pair':
        for (const [k, v] of value as Array<[string, string]>) {
          buf[pos++] = id;
          pos = writeString(buf, pos, k);
          pos = writeString(buf, pos, v);
        }
        break;
    }
  }
  return pos;
}
