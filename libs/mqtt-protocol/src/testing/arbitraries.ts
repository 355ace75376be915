/**
 * fast-check arbitraries for valid MQTT packets, in the normal form the parser returns: `properties`
 * absent rather than empty, no `packetId` on a QoS 0 PUBLISH, reason code 0 where 3.1.1 has none, an
 * empty `reasonCodes` on a 3.1.1 UNSUBACK. Encoding one of them and parsing the bytes must give it back.
 *
 * "Valid" means what a conforming sender may put on the wire, so a receiver must accept it: values in the
 * ranges of §2.2.2.2 and §3.x, strings that are UTF-8 Encoded Strings (§1.5.4), topic names and filters
 * that obey §4.7, reason codes that the packet may carry (§2.4).
 */
import fc from 'fast-check';
import { PACKET_TYPE_NAMES, PacketType, ProtocolVersion, QoS } from '../packet-type';
import {
  AckPacket,
  AuthPacket,
  ConnackPacket,
  ConnectPacket,
  DisconnectPacket,
  Packet,
  PublishPacket,
  RetainHandling,
  SubackPacket,
  SubscribePacket,
  Subscription,
  UnsubackPacket,
  UnsubscribePacket,
  WillMessage,
} from '../packets';
import { PROPERTY_DEFINITIONS, Properties, PropertyContext, PropertyDefinition, WILL_PROPERTIES } from '../property';
import { isReasonCodeAllowed } from '../reason-code';
import { SHARE_PREFIX, isValidTopicFilter, isValidTopicName } from '../topic';
import { isEncodableString } from '../utf8';
import { MAX_VARINT } from '../varint';

/** Present about half the time; absent keys stay absent (never `key: undefined` in the result). */
function maybe<T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.option(arb, { nil: undefined, freq: 2 });
}

// Strings -----------------------------------------------------------------------------------------------

/** Edge cases a UTF-8 codec gets wrong: BOM (must not be stripped [MQTT-1.5.4-3]), 4-byte sequences, C0/C1 controls. */
const TRICKY_STRINGS = ['', ' ', '\uFEFF', '\uFEFFx', 'é', '\uFFFD', '\u{1F600}', '\u{10FFFF}', '\u0001', '\u007F', '\u0080', '\uFFFF'];

/**
 * A UTF-8 Encoded String (§1.5.4): any Unicode text without U+0000 [MQTT-1.5.4-2] and without lone
 * surrogates [MQTT-1.5.4-1], mostly ASCII, sometimes any code point or multi-code-point graphemes.
 */
export function mqttString(maxLength = 12): fc.Arbitrary<string> {
  return fc
    .oneof(
      { weight: 6, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength }) },
      { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength }) },
      // 'binary' draws any code point, U+0000 included, which a UTF-8 Encoded String may not contain.
      { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength }).map((s) => s.replaceAll('\u0000', '\uFFFD')) },
      { weight: 1, arbitrary: fc.constantFrom(...TRICKY_STRINGS) },
    )
    .filter(isEncodableString);
}

/** One level of a topic: no separator, no wildcard. May be empty ("a//b" has an empty level). */
const topicLevel: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: mqttString(6).map((s) => s.replace(/[/+#]/g, '_')) },
  { weight: 1, arbitrary: fc.constantFrom('', '$SYS', 'sport', 'tennis', 'player1', ' ') },
);

/** A Topic Name: at least one character [MQTT-4.7.3-1], no wildcard [MQTT-4.7.0-1]. */
export const topicName: fc.Arbitrary<string> = fc
  .array(topicLevel, { minLength: 1, maxLength: 4 })
  .map((levels) => levels.join('/'))
  .filter(isValidTopicName);

/**
 * A Topic Filter: levels that are literal or '+', optionally ending in '#' [MQTT-4.7.1-1, MQTT-4.7.1-2],
 * sometimes a shared subscription `$share/{ShareName}/{filter}` (§4.8.2).
 */
export const topicFilter: fc.Arbitrary<string> = fc
  .tuple(
    fc.array(fc.oneof({ weight: 3, arbitrary: topicLevel }, { weight: 1, arbitrary: fc.constant('+') }), { maxLength: 4 }),
    fc.boolean(),
    fc.option(topicLevel.filter((group) => group.length > 0), { nil: undefined, freq: 4 }),
  )
  .map(([levels, multiLevel, shareName]) => {
    const filter = multiLevel ? [...levels, '#'].join('/') : levels.join('/');
    return shareName === undefined ? filter : `${SHARE_PREFIX}${shareName}/${filter}`;
  })
  .filter(isValidTopicFilter);

const binary = (maxLength: number): fc.Arbitrary<Buffer> =>
  fc.uint8Array({ maxLength }).map((bytes) => Buffer.from(bytes));

/** Payloads mostly small, sometimes large enough for a 3-byte Remaining Length (16,384 and more). */
const payload: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 20, arbitrary: binary(200) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 16_300, max: 16_500 }), fc.nat(255)).map(([n, fill]) => Buffer.alloc(n, fill)) },
);

const textPayload: fc.Arbitrary<Buffer> = mqttString(40).map((s) => Buffer.from(s, 'utf8'));

// Properties ---------------------------------------------------------------------------------------------

/** Names drawn often from a small set, so that a name repeats within one packet [MQTT-3.3.2-18]. */
const userPropertyName: fc.Arbitrary<string> = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom('a', 'b', 'region', '') },
  { weight: 1, arbitrary: mqttString(8) },
);

export const userProperties: fc.Arbitrary<Array<[string, string]>> = fc.array(
  fc.tuple(userPropertyName, mqttString(8)),
  { minLength: 1, maxLength: 5 },
);

function integerIn(def: PropertyDefinition, max: number): fc.Arbitrary<number> {
  return fc.integer({ min: def.min ?? 0, max: def.max ?? max });
}

function propertyValue(def: PropertyDefinition, context: PropertyContext): fc.Arbitrary<unknown> {
  switch (def.type) {
    case 'flag':
      return fc.boolean();
    case 'byte':
      // Maximum QoS, the only Byte property that is not a flag: 0 or 1 (§3.2.2.3.4).
      return integerIn(def, 0xff);
    case 'uint16':
      return integerIn(def, 0xffff);
    case 'uint32':
      return integerIn(def, 0xffff_ffff);
    case 'varint':
      // Subscription Identifier: once in SUBSCRIBE [MQTT-3.8.2.1.2]; one per matching subscription in a
      // PUBLISH from the server [MQTT-3.3.4-3].
      return fc.array(fc.integer({ min: def.min ?? 1, max: def.max ?? MAX_VARINT }), {
        minLength: 1,
        maxLength: (def.repeatableIn & (1 << context)) !== 0 ? 3 : 1,
      });
    case 'string':
      // A Response Topic is a Topic Name [MQTT-3.3.2-13, MQTT-3.3.2-14].
      return def.key === 'responseTopic' ? topicName : mqttString();
    case 'binary':
      return binary(24);
    case 'pair':
      return userProperties;
  }
}

/** The properties defined for `context`, each with its value arbitrary, in table order. */
function definitionsFor(context: PropertyContext): PropertyDefinition[] {
  return PROPERTY_DEFINITIONS.filter((def) => (def.allowedIn & (1 << context)) !== 0);
}

/**
 * A random set of the properties `context` may carry, each present about half the time, in a random
 * order (our encoder writes them in key order, so the wire order varies too). Undefined when none is
 * present: the parser's normal form has no empty `properties`.
 */
export function propertiesArbitrary(context: PropertyContext): fc.Arbitrary<Properties | undefined> {
  const defs = definitionsFor(context);
  const entries = defs.map((def) => fc.tuple(maybe(propertyValue(def, context)), fc.nat()));
  return fc.tuple(...entries).map((drawn) => {
    const present = drawn
      .map(([value, order], i) => ({ key: defs[i].key, value, order }))
      .filter((entry) => entry.value !== undefined)
      .sort((x, y) => x.order - y.order);
    const props: Record<string, unknown> = {};
    for (const { key, value } of present) props[key] = value;
    // Authentication Data without an Authentication Method is a Protocol Error [MQTT-3.1.2.11.10].
    if (props.authenticationData !== undefined && props.authenticationMethod === undefined) delete props.authenticationData;
    return Object.keys(props).length === 0 ? undefined : (props as Properties);
  });
}

/** Properties for MQTT 5.0 only; 3.1 and 3.1.1 packets have none. */
function propertiesFor(context: PropertyContext, version: ProtocolVersion): fc.Arbitrary<Properties | undefined> {
  return version === 5 ? fc.oneof(fc.constant(undefined), propertiesArbitrary(context)) : fc.constant(undefined);
}

// Reason codes -------------------------------------------------------------------------------------------

/** Every reason code `type` may carry in MQTT 5.0 (Table 2-6). */
export function reasonCodesFor(type: PacketType): number[] {
  const codes: number[] = [];
  for (let code = 0; code <= 0xff; code++) if (isReasonCodeAllowed(type, code)) codes.push(code);
  return codes;
}

const reasonCode = (type: PacketType): fc.Arbitrary<number> => fc.constantFrom(...reasonCodesFor(type));

/** 3.1.1 SUBACK return codes: granted QoS 0, 1, 2 or Failure [MQTT-3.9.3-2]. */
const V4_SUBACK_CODES = [0x00, 0x01, 0x02, 0x80];

// Packets ------------------------------------------------------------------------------------------------

export const packetId: fc.Arbitrary<number> = fc.integer({ min: 1, max: 0xffff });
const qos: fc.Arbitrary<QoS> = fc.constantFrom(0, 1, 2);

function withProperties<P extends { properties?: Properties }>(packet: P, properties: Properties | undefined): P {
  if (properties !== undefined) packet.properties = properties;
  return packet;
}

const will = (version: ProtocolVersion): fc.Arbitrary<WillMessage> =>
  fc
    .record({
      topic: topicName,
      binaryPayload: payload,
      textPayload,
      qos,
      retain: fc.boolean(),
      properties: propertiesFor(WILL_PROPERTIES, version),
    })
    .map(({ topic, binaryPayload, textPayload, qos, retain, properties }) =>
      withProperties<WillMessage>(
        // A Payload Format Indicator of 1 promises UTF-8 (§3.1.3.2.3); keep the promise.
        { topic, payload: properties?.payloadFormatIndicator ? textPayload : binaryPayload, qos, retain },
        properties,
      ),
    );

export function connectArbitrary(version: ProtocolVersion): fc.Arbitrary<ConnectPacket> {
  // MQTT 3.1 requires a Client Identifier of 1 to 23 characters.
  const clientId = version === 3 ? mqttString(23).filter((id) => id.length > 0 && [...id].length <= 23) : mqttString(23);
  return fc
    .record({
      clean: fc.boolean(),
      keepAlive: fc.integer({ min: 0, max: 0xffff }),
      clientId,
      username: maybe(mqttString()),
      password: maybe(binary(16)),
      will: maybe(will(version)),
      properties: propertiesFor(PacketType.Connect, version),
    })
    .map(({ clean, keepAlive, clientId, username, password, will, properties }) => {
      const packet: ConnectPacket = {
        type: PacketType.Connect,
        protocolName: version === 3 ? 'MQIsdp' : 'MQTT',
        protocolVersion: version,
        // A zero-byte ClientId requires CleanSession 1 in 3.1.1 [MQTT-3.1.3-7]; 5.0 drops that rule.
        clean: version === 4 && clientId === '' ? true : clean,
        keepAlive,
        clientId,
      };
      if (will !== undefined) packet.will = will;
      if (username !== undefined) packet.username = username;
      // Before 5.0 a Password needs a User Name [MQTT-3.1.2-22]; 5.0 allows one alone (§3.1.2.9).
      if (password !== undefined && (version === 5 || username !== undefined)) packet.password = password;
      return withProperties(packet, properties);
    });
}

export function connackArbitrary(version: ProtocolVersion): fc.Arbitrary<ConnackPacket> {
  const code = version === 5 ? reasonCode(PacketType.Connack) : fc.integer({ min: 0, max: 5 });
  return fc
    .record({ sessionPresent: fc.boolean(), reasonCode: code, properties: propertiesFor(PacketType.Connack, version) })
    .map(({ sessionPresent, reasonCode, properties }) =>
      withProperties<ConnackPacket>(
        // Session Present must be 0 with a refusal [MQTT-3.2.2-6] (3.1.1: [MQTT-3.2.2-4]).
        { type: PacketType.Connack, sessionPresent: sessionPresent && reasonCode === 0, reasonCode },
        properties,
      ),
    );
}

export function publishArbitrary(version: ProtocolVersion): fc.Arbitrary<PublishPacket> {
  return fc
    .record({
      topic: topicName,
      useAliasOnly: fc.boolean(),
      binaryPayload: payload,
      textPayload,
      qos,
      retain: fc.boolean(),
      dup: fc.boolean(),
      packetId,
      properties: propertiesFor(PacketType.Publish, version),
    })
    .map(({ topic, useAliasOnly, binaryPayload, textPayload, qos, retain, dup, packetId, properties }) => {
      const packet: PublishPacket = {
        type: PacketType.Publish,
        // An empty Topic Name is allowed only with a Topic Alias [MQTT-3.3.2-1, §3.3.2.3.4].
        topic: useAliasOnly && properties?.topicAlias !== undefined ? '' : topic,
        payload: properties?.payloadFormatIndicator ? textPayload : binaryPayload,
        qos,
        retain,
        // DUP must be 0 on QoS 0 [MQTT-3.3.1-2].
        dup: qos > 0 && dup,
      };
      if (qos > 0) packet.packetId = packetId;
      return withProperties(packet, properties);
    });
}

export function ackArbitrary(type: AckPacket['type'], version: ProtocolVersion): fc.Arbitrary<AckPacket> {
  return fc
    .record({
      packetId,
      reasonCode: version === 5 ? reasonCode(type) : fc.constant(0),
      properties: propertiesFor(type, version),
    })
    .map(({ packetId, reasonCode, properties }) => withProperties({ type, packetId, reasonCode } as AckPacket, properties));
}

const subscription = (version: ProtocolVersion): fc.Arbitrary<Subscription> =>
  fc
    .record({
      topicFilter,
      qos,
      noLocal: fc.boolean(),
      retainAsPublished: fc.boolean(),
      retainHandling: fc.constantFrom<RetainHandling>(0, 1, 2),
    })
    .map((s) =>
      version === 5
        ? // No Local on a Shared Subscription is a Protocol Error [MQTT-3.8.3-4].
          { ...s, noLocal: s.noLocal && !s.topicFilter.startsWith(SHARE_PREFIX) }
        : { topicFilter: s.topicFilter, qos: s.qos, noLocal: false, retainAsPublished: false, retainHandling: 0 },
    );

export function subscribeArbitrary(version: ProtocolVersion): fc.Arbitrary<SubscribePacket> {
  return fc
    .record({
      packetId,
      // At least one subscription [MQTT-3.8.3-2].
      subscriptions: fc.array(subscription(version), { minLength: 1, maxLength: 5 }),
      properties: propertiesFor(PacketType.Subscribe, version),
    })
    .map(({ packetId, subscriptions, properties }) =>
      withProperties<SubscribePacket>({ type: PacketType.Subscribe, packetId, subscriptions }, properties),
    );
}

export function subackArbitrary(version: ProtocolVersion): fc.Arbitrary<SubackPacket> {
  const code = version === 5 ? reasonCode(PacketType.Suback) : fc.constantFrom(...V4_SUBACK_CODES);
  return fc
    .record({
      packetId,
      reasonCodes: fc.array(code, { minLength: 1, maxLength: 6 }),
      properties: propertiesFor(PacketType.Suback, version),
    })
    .map(({ packetId, reasonCodes, properties }) =>
      withProperties<SubackPacket>({ type: PacketType.Suback, packetId, reasonCodes }, properties),
    );
}

export function unsubscribeArbitrary(version: ProtocolVersion): fc.Arbitrary<UnsubscribePacket> {
  return fc
    .record({
      packetId,
      // At least one Topic Filter [MQTT-3.10.3-2].
      topicFilters: fc.array(topicFilter, { minLength: 1, maxLength: 5 }),
      properties: propertiesFor(PacketType.Unsubscribe, version),
    })
    .map(({ packetId, topicFilters, properties }) =>
      withProperties<UnsubscribePacket>({ type: PacketType.Unsubscribe, packetId, topicFilters }, properties),
    );
}

export function unsubackArbitrary(version: ProtocolVersion): fc.Arbitrary<UnsubackPacket> {
  return fc
    .record({
      packetId,
      // 3.1.1 UNSUBACK has no payload; 5.0 has one reason code per Topic Filter.
      reasonCodes:
        version === 5 ? fc.array(reasonCode(PacketType.Unsuback), { minLength: 1, maxLength: 6 }) : fc.constant<number[]>([]),
      properties: propertiesFor(PacketType.Unsuback, version),
    })
    .map(({ packetId, reasonCodes, properties }) =>
      withProperties<UnsubackPacket>({ type: PacketType.Unsuback, packetId, reasonCodes }, properties),
    );
}

export function disconnectArbitrary(version: ProtocolVersion): fc.Arbitrary<DisconnectPacket> {
  return fc
    .record({
      reasonCode: version === 5 ? reasonCode(PacketType.Disconnect) : fc.constant(0),
      properties: propertiesFor(PacketType.Disconnect, version),
    })
    .map(({ reasonCode, properties }) => withProperties<DisconnectPacket>({ type: PacketType.Disconnect, reasonCode }, properties));
}

/**
 * AUTH (5.0 only). An AUTH with properties names its Authentication Method (§3.15.2.2.2); only Success
 * may go without any (the Remaining Length 0 form, §3.15.2.1).
 */
export function authArbitrary(): fc.Arbitrary<AuthPacket> {
  return fc
    .record({
      reasonCode: reasonCode(PacketType.Auth),
      method: mqttString(),
      properties: propertiesArbitrary(PacketType.Auth),
    })
    .map(({ reasonCode, method, properties }) => {
      const packet: AuthPacket = { type: PacketType.Auth, reasonCode };
      if (reasonCode === 0 && properties === undefined) return packet;
      return withProperties(packet, { authenticationMethod: method, ...properties });
    });
}

/** The packet types a connection at `version` may carry: AUTH only in 5.0. */
export function packetTypesFor(version: ProtocolVersion): PacketType[] {
  const types: PacketType[] = [];
  for (let type = PacketType.Connect; type <= PacketType.Auth; type++) {
    if (type !== PacketType.Auth || version === 5) types.push(type);
  }
  return types;
}

/**
 * Valid packets of one type for a connection at `version`. Level 3 (MQTT 3.1) differs from 3.1.1 only in
 * its CONNECT here; every other packet is generated as for level 4.
 */
export function packetOfType(type: PacketType, version: ProtocolVersion): fc.Arbitrary<Packet> {
  const level: ProtocolVersion = version === 3 && type !== PacketType.Connect ? 4 : version;
  switch (type) {
    case PacketType.Connect:
      return connectArbitrary(level);
    case PacketType.Connack:
      return connackArbitrary(level);
    case PacketType.Publish:
      return publishArbitrary(level);
    case PacketType.Puback:
    case PacketType.Pubrec:
    case PacketType.Pubrel:
    case PacketType.Pubcomp:
      return ackArbitrary(type, level);
    case PacketType.Subscribe:
      return subscribeArbitrary(level);
    case PacketType.Suback:
      return subackArbitrary(level);
    case PacketType.Unsubscribe:
      return unsubscribeArbitrary(level);
    case PacketType.Unsuback:
      return unsubackArbitrary(level);
    case PacketType.Pingreq:
      return fc.constant({ type: PacketType.Pingreq });
    case PacketType.Pingresp:
      return fc.constant({ type: PacketType.Pingresp });
    case PacketType.Disconnect:
      return disconnectArbitrary(level);
    case PacketType.Auth:
      if (version !== 5) throw new RangeError(`AUTH does not exist at protocol level ${version}`);
      return authArbitrary();
    default:
      throw new RangeError(`no packet type ${PACKET_TYPE_NAMES[type] ?? type}`);
  }
}

/** Valid packets of any type for a connection at `version`. */
export function packetArbitrary(version: ProtocolVersion): fc.Arbitrary<Packet> {
  return fc.oneof(...packetTypesFor(version).map((type) => packetOfType(type, version)));
}

/** Any packet but CONNECT: what follows the CONNECT on a connection. */
export function packetAfterConnectArbitrary(version: ProtocolVersion): fc.Arbitrary<Packet> {
  return fc.oneof(
    ...packetTypesFor(version)
      .filter((type) => type !== PacketType.Connect)
      .map((type) => packetOfType(type, version)),
  );
}
