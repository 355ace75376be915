import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import fc from 'fast-check';
import { encodePacket } from './encoder';
import { PACKET_TYPE_NAMES, PacketType, ProtocolVersion } from './packet-type';
import { ConnectPacket, Packet } from './packets';
import { MAX_PACKET_SIZE, PacketParser, ParseStatus, ParserOptions } from './parser';
import {
  PROPERTY_BY_KEY,
  PROPERTY_DEFINITIONS,
  Properties,
  PropertyContext,
  PropertyDataType,
  WILL_PROPERTIES,
} from './property';
import { MqttProtocolError } from './protocol-error';
import { ReasonCode, isReasonCodeAllowed } from './reason-code';
import {
  connectArbitrary,
  mqttString,
  packetAfterConnectArbitrary,
  packetArbitrary,
  packetOfType,
  packetTypesFor,
  publishArbitrary,
  reasonCodesFor,
  userProperties,
} from './testing/arbitraries';
import { parseOne, parseStream } from './testing/parse';
import { MAX_VARINT, varintSize, writeVarint } from './varint';

const VERSIONS: ProtocolVersion[] = [3, 4, 5];
/** fast-check settings: the assertion that failed is printed with the seed and the counterexample. */
const runs = (numRuns: number): fc.Parameters<unknown> => ({ numRuns, includeErrorInReport: true });
const name = (type: PacketType): string => PACKET_TYPE_NAMES[type];

/** A server reads CONNECT before it knows the level (0); every other packet at the connection's level. */
const parseLevel = (packet: Packet, version: ProtocolVersion): ProtocolVersion | 0 =>
  packet.type === PacketType.Connect ? 0 : version;

function encode(packet: Packet, version: ProtocolVersion): Buffer {
  const bytes = encodePacket(packet, version);
  assert.ok(bytes !== null, 'encodePacket returned null without a maximum packet size');
  return bytes;
}

function encodeAll(packets: Packet[], version: ProtocolVersion): Buffer {
  return Buffer.concat(packets.map((p) => encode(p, version)));
}

/** Fragment sizes, cycled: single bytes, small pieces, larger pieces, or the whole stream at once. */
const fragmentSizes: fc.Arbitrary<number[]> = fc.oneof(
  fc.constant<number[]>([1]),
  fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 8 }),
  fc.array(fc.integer({ min: 1, max: 600 }), { minLength: 1, maxLength: 8 }),
  fc.constant<number[]>([Number.MAX_SAFE_INTEGER]),
);

describe('encode then parse gives back the packet', () => {
  for (const version of VERSIONS) {
    for (const type of packetTypesFor(version)) {
      it(`${name(type)} at level ${version}`, () => {
        fc.assert(
          fc.property(packetOfType(type, version), (packet) => {
            assert.deepEqual(parseOne(encode(packet, version), parseLevel(packet, version)), packet);
          }),
          runs(500),
        );
      });
    }
  }
});

describe('Remaining Length on both sides of each Variable Byte Integer size (§1.5.5)', () => {
  // Each change from 1 to 4 bytes of Remaining Length; the random payloads never need the fourth byte.
  for (const remaining of [0x7f, 0x80, 0x3fff, 0x4000, 0x1f_ffff, 0x20_0000]) {
    it(`a PUBLISH with a Remaining Length of ${remaining}`, () => {
      const topic = 't';
      const packet: Packet = {
        type: PacketType.Publish, topic, qos: 0, retain: false, dup: false,
        payload: Buffer.alloc(remaining - (2 + topic.length), 0xa5),
      };
      const bytes = encode(packet, 4);
      assert.equal(bytes.length, 1 + varintSize(remaining) + remaining);
      for (const fragments of [[bytes.length], [1, 3, 4096], [65_536]]) {
        assert.deepEqual(parseStream(bytes, 4, fragments), { packets: [packet], pending: 0 });
      }
    });
  }
});

/** Several chunks may arrive before the parser is read (one read per socket turn, not per chunk). */
const pushesPerRead: fc.Arbitrary<number> = fc.integer({ min: 1, max: 4 });

describe('a stream of packets split into random fragments parses to the same packets in order', () => {
  for (const version of VERSIONS) {
    it(`client side: any packets at level ${version}`, () => {
      fc.assert(
        fc.property(
          fc.array(packetArbitrary(version), { minLength: 1, maxLength: 8 }),
          fragmentSizes,
          pushesPerRead,
          (packets, fragments, pushes) => {
            // A CONNECT inside a level-3 stream carries level 3; every other packet is read as for 3.1.1.
            const bytes = encodeAll(packets, version);
            const { packets: parsed, error, pending } = parseStream(bytes, version, fragments);
            assert.equal(error, undefined);
            assert.equal(pending, 0);
            assert.deepEqual(parsed, packets);
            assert.deepEqual(feed(bytes, fragments, { protocolVersion: version }, pushes), { packets });
          },
        ),
        runs(300),
      );
    });

    it(`server side: CONNECT at level ${version}, then packets read at the level it announced`, () => {
      fc.assert(
        fc.property(
          connectArbitrary(version),
          fc.array(packetAfterConnectArbitrary(version), { maxLength: 8 }),
          fragmentSizes,
          pushesPerRead,
          (connect, rest, fragments, pushes) => {
            const packets = [connect, ...rest];
            const bytes = encodeAll(packets, version);
            const { packets: parsed, error, pending } = parseStream(bytes, 0, fragments);
            assert.equal(error, undefined);
            assert.equal(pending, 0);
            assert.deepEqual(parsed, packets);
            assert.deepEqual(feed(bytes, fragments, {}, pushes), { packets });
          },
        ),
        runs(300),
      );
    });
  }
});

// Fuzzing the parser ---------------------------------------------------------------------------------------

type Mutation =
  | { kind: 'flip'; at: number; mask: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; count: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 0xff }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 6 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 6 }) }) },
);

function mutate(bytes: Buffer, mutations: Mutation[]): Buffer {
  let out = Buffer.from(bytes);
  for (const m of mutations) {
    if (out.length === 0) break;
    const at = m.at % out.length;
    switch (m.kind) {
      case 'flip':
        out[at] ^= m.mask;
        break;
      case 'truncate':
        out = out.subarray(0, at);
        break;
      case 'insert':
        out = Buffer.concat([out.subarray(0, at), m.bytes, out.subarray(at)]);
        break;
      case 'delete':
        out = Buffer.concat([out.subarray(0, at), out.subarray(at + m.count)]);
        break;
    }
  }
  return out;
}

/** The parser's error must be a deliberate check whose reason code a DISCONNECT or CONNACK can carry. */
function assertSendableError(error: unknown): void {
  assert.ok(error instanceof MqttProtocolError, `not an MqttProtocolError: ${String(error)}`);
  const code = error.reasonCode;
  assert.ok(Number.isInteger(code) && code >= 0x80, `reason code ${code} is not a failure`);
  assert.ok(
    isReasonCodeAllowed(PacketType.Disconnect, code) || isReasonCodeAllowed(PacketType.Connack, code),
    `reason code 0x${code.toString(16)} cannot be sent in DISCONNECT or CONNACK`,
  );
  // read() turns any unexpected exception into "unreadable packet"; reaching that net means a check is missing.
  assert.ok(!error.detail.startsWith('unreadable packet'), `an exception escaped a check: ${error.message}`);
}

/** Every property the parser lets through is allowed where it stands and within its range (§2.2.2.2, §3.x). */
function assertValidProperties(props: Properties | undefined, context: PropertyContext): void {
  if (props === undefined) return;
  assert.ok(Object.keys(props).length > 0, 'empty properties must be absent');
  for (const [key, value] of Object.entries(props)) {
    const def = PROPERTY_BY_KEY.get(key as keyof Properties);
    assert.ok(def !== undefined && (def.allowedIn & (1 << context)) !== 0, `${key} accepted where it is not allowed`);
    const numbers = def.type === 'varint' ? (value as number[]) : typeof value === 'number' ? [value] : [];
    for (const n of numbers) {
      assert.ok(n >= (def.min ?? 0) && n <= (def.max ?? Infinity), `${key} = ${n} accepted out of range`);
    }
  }
  if (props.authenticationData !== undefined) assert.ok(props.authenticationMethod !== undefined, 'Authentication Data alone');
}

function assertAcceptedPacketIsValid(packet: Packet): void {
  if ('properties' in packet) assertValidProperties(packet.properties, packet.type);
  if (packet.type === PacketType.Connect) assertValidProperties(packet.will?.properties, WILL_PROPERTIES);
}

/** Whatever the parser accepts, the encoder writes back to bytes that parse to the same packet. */
function assertReencodes(packet: Packet, parserLevel: ProtocolVersion | 0): void {
  const level: ProtocolVersion =
    packet.type === PacketType.Connect ? packet.protocolVersion : parserLevel === 0 ? 5 : parserLevel;
  const again = parseOne(encode(packet, level), packet.type === PacketType.Connect ? 0 : parserLevel);
  assert.deepEqual(again, packet);
}

/**
 * Feeds `bytes` in the given fragment sizes (cycled), reading after every `pushesPerRead` pushes, and checks
 * every step: each read ends in a packet, NeedMore or an error; the reads after a push reach NeedMore within
 * a bound; each packet consumed at most maxPacketSize bytes; an error is final.
 */
function feed(
  bytes: Buffer,
  fragments: number[],
  options: ParserOptions,
  pushesPerRead = 1,
): { packets: Packet[]; error?: MqttProtocolError } {
  const parser = new PacketParser(options);
  const max = options.maxPacketSize ?? MAX_PACKET_SIZE;
  const packets: Packet[] = [];
  let offset = 0;
  let f = 0;
  while (offset < bytes.length) {
    for (let i = 0; i < pushesPerRead && offset < bytes.length; i++) {
      const size = Math.max(1, fragments[f++ % fragments.length]);
      parser.push(bytes.subarray(offset, offset + size));
      offset += size;
    }
    // A packet is at least 2 bytes, so NeedMore (or an error) must come within buffered / 2 + 1 reads.
    const bound = Math.floor(parser.buffered / 2) + 1;
    for (let reads = 1; ; reads++) {
      assert.ok(reads <= bound, `no NeedMore after ${bound} reads`);
      const before = parser.buffered;
      const status = parser.read();
      if (status === ParseStatus.NeedMore) break;
      if (status === ParseStatus.Error) {
        assertSendableError(parser.error);
        assert.equal(parser.read(), ParseStatus.Error, 'a failed parser must stay failed');
        return { packets, error: parser.error };
      }
      const consumed = before - parser.buffered;
      assert.ok(consumed >= 2 && consumed <= max, `a packet of ${consumed} bytes with maxPacketSize ${max}`);
      const packet = status === ParseStatus.Publish ? parser.publish.toPacket() : parser.packet!;
      assertAcceptedPacketIsValid(packet);
      assertReencodes(packet, parser.protocolVersion);
      packets.push(packet);
    }
  }
  return { packets };
}

/** Valid encodings to mutate: a whole connection (CONNECT first) for a server, any packets for a client. */
function validStream(options: ParserOptions): fc.Arbitrary<Buffer> {
  if (options.protocolVersion !== undefined) {
    const version = options.protocolVersion;
    return fc.array(packetArbitrary(version), { minLength: 1, maxLength: 4 }).map((packets) => encodeAll(packets, version));
  }
  return fc
    .constantFrom<ProtocolVersion>(3, 4, 5)
    .chain((version) =>
      fc
        .tuple(connectArbitrary(version), fc.array(packetAfterConnectArbitrary(version), { maxLength: 3 }))
        .map(([connect, rest]) => encodeAll([connect, ...rest], version)),
    );
}

interface ParserSetup {
  name: string;
  protocolVersion?: ProtocolVersion;
  /** Draw a small Maximum Packet Size, so that many packets are too large. */
  smallMaximum: boolean;
}

const PARSER_SETUPS: ParserSetup[] = [
  { name: 'a server before CONNECT (level unset)', smallMaximum: false },
  { name: 'a level 4 connection', protocolVersion: 4, smallMaximum: false },
  { name: 'a level 5 connection', protocolVersion: 5, smallMaximum: false },
  { name: 'a server before CONNECT with a Maximum Packet Size of 1..64', smallMaximum: true },
  { name: 'a level 5 connection with a Maximum Packet Size of 1..64', protocolVersion: 5, smallMaximum: true },
];

const maxPacketSize = (setup: ParserSetup): fc.Arbitrary<number | undefined> =>
  setup.smallMaximum ? fc.integer({ min: 1, max: 64 }) : fc.constant(undefined);

describe('the parser survives any bytes: packets or one MqttProtocolError, never a throw or a hang', () => {
  for (const setup of PARSER_SETUPS) {
    it(`random bytes, ${setup.name}`, () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ maxLength: 300 }),
          fragmentSizes,
          pushesPerRead,
          maxPacketSize(setup),
          (bytes, fragments, pushes, max) => {
            feed(Buffer.from(bytes), fragments, { protocolVersion: setup.protocolVersion, maxPacketSize: max }, pushes);
          },
        ),
        runs(1000),
      );
    });

    it(`mutated valid encodings, ${setup.name}`, () => {
      const options: ParserOptions = { protocolVersion: setup.protocolVersion };
      fc.assert(
        fc.property(
          validStream(options),
          fc.array(mutation, { minLength: 1, maxLength: 4 }),
          fragmentSizes,
          pushesPerRead,
          maxPacketSize(setup),
          (valid, mutations, fragments, pushes, max) => {
            feed(mutate(valid, mutations), fragments, { ...options, maxPacketSize: max }, pushes);
          },
        ),
        runs(1000),
      );
    });
  }

  it('refuses a packet over maxPacketSize with 0x95 once its Remaining Length is read, before its body', () => {
    fc.assert(
      fc.property(packetArbitrary(5), fc.nat(), (packet, pick) => {
        const bytes = encode(packet, 5);
        let headerLength = 2;
        while (bytes[headerLength - 1] & 0x80) headerLength++;
        const max = 1 + (pick % (bytes.length - 1));
        const parser = new PacketParser({ protocolVersion: 5, maxPacketSize: max });
        parser.push(bytes.subarray(0, headerLength));
        assert.equal(parser.read(), ParseStatus.Error);
        assert.equal(parser.error!.reasonCode, ReasonCode.PacketTooLarge);
        // The same packet passes when it fits exactly.
        assert.deepEqual(parseStream(bytes, 5, undefined, bytes.length).packets, [packet]);
      }),
      runs(300),
    );
  });
});

// Fuzzing the property decoders ---------------------------------------------------------------------

function lengthPrefixed(bytes: Uint8Array): Buffer {
  const out = Buffer.alloc(2 + bytes.length);
  out.writeUInt16BE(bytes.length, 0);
  out.set(bytes, 2);
  return out;
}

function varint(n: number): Buffer {
  const out = Buffer.alloc(varintSize(n));
  writeVarint(out, 0, n);
  return out;
}

/** A UTF-8 Encoded String on the wire, mostly well-formed, sometimes ill-formed UTF-8 or holding U+0000. */
const rawString: fc.Arbitrary<Buffer> = fc
  .oneof(
    { weight: 4, arbitrary: mqttString(8).map((s) => Buffer.from(s, 'utf8')) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 8 }) },
  )
  .map(lengthPrefixed);

/** The bytes of one property value of `type`: in range, at its edges and beyond them. */
function rawPropertyValue(type: PropertyDataType): fc.Arbitrary<Buffer> {
  const fixed = (bytes: number, max: number) =>
    fc.oneof(fc.constantFrom(0, 1, 2), fc.nat(max)).map((n) => {
      const out = Buffer.alloc(bytes);
      out.writeUIntBE(n, 0, bytes);
      return out;
    });
  switch (type) {
    case 'flag':
    case 'byte':
      return fixed(1, 0xff);
    case 'uint16':
      return fixed(2, 0xffff);
    case 'uint32':
      return fixed(4, 0xffff_ffff);
    case 'varint':
      return fc.oneof(
        fc.oneof(fc.constantFrom(0, 1), fc.integer({ min: 0, max: MAX_VARINT })).map(varint),
        // Continuation bits in the wrong places, up to the fifth byte [MQTT-1.5.5-1].
        fc.uint8Array({ minLength: 1, maxLength: 5 }).map((b) => Buffer.from(b)),
      );
    case 'string':
      return rawString;
    case 'binary':
      return fc.uint8Array({ maxLength: 8 }).map(lengthPrefixed);
    case 'pair':
      return fc.tuple(rawString, rawString).map((pair) => Buffer.concat(pair));
  }
}

/**
 * A property block for `context`: mostly properties it allows, with duplicates likely (few of them to draw
 * from), sometimes a property it does not allow or an identifier the specification does not define.
 */
function rawPropertyBlock(context: PropertyContext): fc.Arbitrary<Buffer> {
  const entry = (defs: typeof PROPERTY_DEFINITIONS) =>
    fc.constantFrom(...defs).chain((def) => rawPropertyValue(def.type).map((value) => Buffer.concat([Buffer.from([def.id]), value])));
  const allowed = PROPERTY_DEFINITIONS.filter((def) => (def.allowedIn & (1 << context)) !== 0);
  return fc
    .array(
      fc.oneof(
        { weight: 8, arbitrary: entry(allowed) },
        { weight: 1, arbitrary: entry(PROPERTY_DEFINITIONS) },
        { weight: 1, arbitrary: fc.tuple(fc.nat(0xff), fc.uint8Array({ maxLength: 4 })).map(([id, rest]) => Buffer.from([id, ...rest])) },
      ),
      { maxLength: 6 },
    )
    .map((entries) => Buffer.concat(entries));
}

function withoutProperties(packet: Packet): Packet {
  const p = { ...packet } as WithProperties;
  delete p.properties;
  if (p.type === PacketType.Connect && p.will !== undefined) {
    p.will = { ...p.will };
    delete p.will.properties;
  }
  return p;
}

/**
 * Encodes a level-5 `packet` (without properties) with `block` as the property bytes of `context`: the
 * packet's own properties, or the will properties of a CONNECT. Lengths are right; the content is the test.
 */
function framed(packet: Packet, context: PropertyContext, block: Buffer): Buffer {
  const encoded = encode(withoutProperties(packet), 5);
  let headerLength = 2;
  while (encoded[headerLength - 1] & 0x80) headerLength++;
  const body = encoded.subarray(headerLength);
  const properties = [varint(block.length), block];
  let parts: Buffer[];
  switch (packet.type) {
    case PacketType.Puback:
    case PacketType.Pubrec:
    case PacketType.Pubrel:
    case PacketType.Pubcomp:
      // Written in the short form without properties: Packet Identifier, then Reason Code and properties.
      parts = [body.subarray(0, 2), Buffer.from([packet.reasonCode]), ...properties];
      break;
    case PacketType.Disconnect:
    case PacketType.Auth:
      parts = [Buffer.from([packet.reasonCode]), ...properties];
      break;
    default: {
      // Where our encoder wrote an empty Property Length (one zero byte).
      let at: number;
      if (packet.type === PacketType.Connect) {
        at = context === WILL_PROPERTIES ? 10 + 1 + 2 + Buffer.byteLength(packet.clientId) : 10;
      } else if (packet.type === PacketType.Publish) {
        at = 2 + Buffer.byteLength(packet.topic) + (packet.qos > 0 ? 2 : 0);
      } else {
        at = 2;
      }
      assert.equal(body[at], 0, 'the empty Property Length to replace');
      parts = [body.subarray(0, at), ...properties, body.subarray(at + 1)];
    }
  }
  const newBody = Buffer.concat(parts);
  return Buffer.concat([encoded.subarray(0, 1), varint(newBody.length), newBody]);
}

const PROPERTY_TARGETS: Array<{ type: PacketType; context: PropertyContext; label: string }> = [
  ...packetTypesFor(5)
    .filter((type) => type !== PacketType.Pingreq && type !== PacketType.Pingresp)
    .map((type) => ({ type, context: type as PropertyContext, label: name(type) })),
  { type: PacketType.Connect, context: WILL_PROPERTIES, label: 'CONNECT Will Properties' },
];

describe('random property blocks in well-framed packets: accepted only when valid, never a crash', () => {
  for (const target of PROPERTY_TARGETS) {
    const base =
      target.context === WILL_PROPERTIES
        ? connectArbitrary(5).filter((connect) => connect.will !== undefined)
        : packetOfType(target.type, 5);
    it(target.label, () => {
      fc.assert(
        fc.property(base, rawPropertyBlock(target.context), fragmentSizes, (packet, block, fragments) => {
          const bytes = framed(packet, target.context, block);
          // A server reads CONNECT before the level is known; every other packet on a level-5 connection.
          const options: ParserOptions = packet.type === PacketType.Connect ? {} : { protocolVersion: 5 };
          const { packets, error } = feed(bytes, fragments, options);
          assert.equal(packets.length + (error ? 1 : 0), 1, 'one packet or one error');
        }),
        runs(500),
      );
    });
  }
});

// Encoding for a peer's Maximum Packet Size ---------------------------------------------------------------

/** The packets a server or client may shorten by dropping the Reason String and User Properties. */
const DIAGNOSTIC_CARRIERS: PacketType[] = [
  PacketType.Connack,
  PacketType.Puback,
  PacketType.Pubrec,
  PacketType.Pubrel,
  PacketType.Pubcomp,
  PacketType.Suback,
  PacketType.Unsuback,
  PacketType.Disconnect,
  PacketType.Auth,
];

type WithProperties = Packet & { properties?: Properties };

function withDiagnostics(packet: Packet, reasonString: string, pairs: Array<[string, string]>): Packet {
  const p = { ...packet } as WithProperties;
  p.properties = { ...p.properties, reasonString, userProperties: pairs };
  // An AUTH with properties names its Authentication Method (§3.15.2.2.2).
  if (p.type === PacketType.Auth && p.properties.authenticationMethod === undefined) p.properties.authenticationMethod = 'SCRAM';
  return p;
}

/** The packet as the receiver sees it when the sender dropped the diagnostics (normal form: no empty properties). */
function withoutDiagnostics(packet: Packet): Packet {
  const p = { ...packet } as WithProperties;
  if (p.properties === undefined) return p;
  const { reasonString: _reason, userProperties: _user, ...rest } = p.properties;
  if (Object.keys(rest).length === 0) delete p.properties;
  else p.properties = rest;
  return p;
}

describe("encoding for the peer's Maximum Packet Size", () => {
  for (const type of DIAGNOSTIC_CARRIERS) {
    it(`${name(type)}: whole if it fits, else without Reason String and User Properties, else null`, () => {
      fc.assert(
        fc.property(
          packetOfType(type, 5),
          mqttString(40),
          userProperties,
          fc.nat(),
          (base, reasonString, pairs, pick) => {
            const packet = withDiagnostics(base, reasonString, pairs);
            const full = encode(packet, 5);
            const stripped = withoutDiagnostics(packet);
            const smallest = encode(stripped, 5);
            const max = 1 + (pick % (full.length + 8));
            const out = encodePacket(packet, 5, max);
            if (full.length <= max) {
              assert.deepEqual(out, full);
            } else if (out === null) {
              // The Reason String and User Properties are all a sender may drop to fit ([MQTT-3.2.2-19],
              // [MQTT-3.4.2-2] and the matching rule of each packet); the rest must go whole or not at all.
              assert.ok(smallest.length > max, `null, yet the packet without diagnostics takes ${smallest.length} <= ${max} bytes`);
            } else {
              assert.ok(out.length <= max, `${out.length} bytes exceed the maximum of ${max}`);
              assert.deepEqual(parseOne(out, 5), stripped);
            }
          },
        ),
        runs(500),
      );
    });
  }

  it('PUBLISH: whole if it fits, else null (its properties belong to the message [MQTT-3.3.2-17])', () => {
    fc.assert(
      fc.property(publishArbitrary(5), fc.nat(), (packet, pick) => {
        const full = encode(packet, 5);
        const max = 1 + (pick % (full.length + 8));
        const out = encodePacket(packet, 5, max);
        if (full.length <= max) assert.deepEqual(out, full);
        else assert.equal(out, null);
      }),
      runs(500),
    );
  });
});

// The generators themselves ----------------------------------------------------------------------------

describe('the packet arbitraries reach every property and reason code', () => {
  // A fixed seed: this checks the generators' reach, not the codec, and must not depend on luck.
  const sample = <T>(arb: fc.Arbitrary<T>): T[] => fc.sample(arb, { numRuns: 1500, seed: 20240601 });
  const keysOf = (props: Properties | undefined): string[] => Object.keys(props ?? {});
  const allowedKeys = (context: PropertyContext): string[] =>
    PROPERTY_DEFINITIONS.filter((def) => (def.allowedIn & (1 << context)) !== 0).map((def) => def.key);

  for (const type of packetTypesFor(5)) {
    if (type === PacketType.Pingreq || type === PacketType.Pingresp) continue;
    it(`${name(type)} at level 5`, () => {
      const packets = sample(packetOfType(type, 5)) as WithProperties[];
      const seenKeys = new Set(packets.flatMap((p) => keysOf(p.properties)));
      assert.deepEqual([...seenKeys].sort(), allowedKeys(type).sort());
      assert.ok(packets.some((p) => p.properties === undefined), 'some packets carry no properties');
      if (type === PacketType.Connect) {
        const willKeys = new Set(packets.flatMap((p) => keysOf((p as ConnectPacket).will?.properties)));
        assert.deepEqual([...willKeys].sort(), allowedKeys(WILL_PROPERTIES).sort());
      }
      const codes = new Set(
        packets.flatMap((p) => ('reasonCodes' in p ? p.reasonCodes : 'reasonCode' in p ? [p.reasonCode] : [])),
      );
      const expected = reasonCodesFor(type);
      if (expected.length > 0) assert.deepEqual([...codes].sort((x, y) => x - y), expected);
    });
  }
});
