import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { ProtocolVersion } from './packet-type';
import { PacketParser, ParseStatus } from './parser';
import { ReasonCode } from './reason-code';
import { parseStream } from './testing/parse';

/** A packet from its first byte and body: the Remaining Length is computed (bodies here stay < 128 bytes). */
function frame(first: number, body: string): Buffer {
  const bytes = Buffer.from(body.replace(/\s+/g, ''), 'hex');
  assert.ok(bytes.length < 128);
  return Buffer.concat([Buffer.from([first, bytes.length]), bytes]);
}
const raw = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// CONNECT bodies: protocol name "MQTT", level, flags, keep alive 60, [properties], client id "c".
const connect5 = (flags: string, props = '00', rest = '0001 63'): Buffer =>
  frame(0x10, `0004 4d515454 05 ${flags} 003c ${props} ${rest}`);
const connect4 = (flags: string, rest = '0001 63'): Buffer => frame(0x10, `0004 4d515454 04 ${flags} 003c ${rest}`);

interface Case {
  name: string;
  /** The connection's level; 0 = a server that has not read CONNECT yet. */
  version: ProtocolVersion | 0;
  bytes: Buffer;
  reasonCode: ReasonCode;
  /** The normative statement the error cites, when the specification numbers one. */
  rule?: string;
  maxPacketSize?: number;
}

const CASES: Case[] = [
  // Fixed header
  { name: 'packet type 0 is reserved', version: 5, bytes: raw('00 00'), reasonCode: ReasonCode.MalformedPacket, rule: 'MQTT-2.1.2' },
  { name: 'AUTH before MQTT 5.0', version: 4, bytes: raw('f0 00'), reasonCode: ReasonCode.MalformedPacket, rule: 'MQTT-2.1.2' },
  { name: 'PUBLISH with QoS 3', version: 5, bytes: frame(0x36, '0001 61 0001 00'), reasonCode: ReasonCode.MalformedPacket, rule: 'MQTT-3.3.1-4' },
  { name: 'PUBLISH QoS 0 with DUP', version: 4, bytes: frame(0x38, '0001 61'), reasonCode: ReasonCode.MalformedPacket, rule: 'MQTT-3.3.1-2' },
  { name: 'SUBSCRIBE without its 0b0010 flags', version: 4, bytes: frame(0x80, '0001 0001 61 00'), reasonCode: ReasonCode.MalformedPacket, rule: 'MQTT-2.1.3-1' },
  { name: 'PUBREL without its 0b0010 flags', version: 4, bytes: frame(0x60, '0001'), reasonCode: ReasonCode.MalformedPacket, rule: 'MQTT-2.1.3-1' },
  { name: 'UNSUBSCRIBE without its 0b0010 flags', version: 5, bytes: frame(0xa0, '0001 00 0001 61'), reasonCode: ReasonCode.MalformedPacket, rule: 'MQTT-2.1.3-1' },
  { name: 'PINGREQ with flags', version: 4, bytes: raw('c1 00'), reasonCode: ReasonCode.MalformedPacket, rule: 'MQTT-2.1.3-1' },
  { name: 'Remaining Length of five bytes', version: 5, bytes: raw('30 ff ff ff ff 01'), reasonCode: ReasonCode.MalformedPacket, rule: 'MQTT-1.5.5-1' },
  { name: 'packet above the Maximum Packet Size', version: 5, bytes: raw('30 e8 07'), reasonCode: ReasonCode.PacketTooLarge, maxPacketSize: 100 },
  { name: 'CONNECT above the Maximum Packet Size before the level is known', version: 0, bytes: raw('10 80 01'), reasonCode: ReasonCode.PacketTooLarge, maxPacketSize: 64 },
  { name: 'Remaining Length shorter than the fields (PUBACK 3.1.1 with an extra byte)', version: 4, bytes: frame(0x40, '0001 00'), reasonCode: ReasonCode.MalformedPacket },
  { name: 'PINGREQ with a body', version: 5, bytes: frame(0xc0, '00'), reasonCode: ReasonCode.MalformedPacket },
  { name: 'DISCONNECT 3.1.1 with a body', version: 4, bytes: frame(0xe0, '00'), reasonCode: ReasonCode.MalformedPacket },
  { name: 'string length past the end of the packet', version: 0, bytes: frame(0x10, '00ff 4d515454'), reasonCode: ReasonCode.MalformedPacket },

  // Packet identifiers [MQTT-2.2.1-3]
  { name: 'PUBLISH QoS 1 with Packet Identifier 0', version: 4, bytes: frame(0x32, '0001 61 0000 7a'), reasonCode: ReasonCode.ProtocolError, rule: 'MQTT-2.2.1-3' },
  { name: 'SUBSCRIBE with Packet Identifier 0', version: 5, bytes: frame(0x82, '0000 00 0001 61 00'), reasonCode: ReasonCode.ProtocolError, rule: 'MQTT-2.2.1-3' },
  { name: 'UNSUBSCRIBE with Packet Identifier 0', version: 4, bytes: frame(0xa2, '0000 0001 61'), reasonCode: ReasonCode.ProtocolError, rule: 'MQTT-2.2.1-3' },
  { name: 'PUBACK with Packet Identifier 0', version: 5, bytes: frame(0x40, '0000'), reasonCode: ReasonCode.ProtocolError, rule: 'MQTT-2.2.1-3' },

  // Topic Names and strings
  { name: 'Topic Name with +', version: 4, bytes: frame(0x30, '0003 612f2b'), reasonCode: ReasonCode.TopicNameInvalid, rule: 'MQTT-4.7.0-1' },
  { name: 'Topic Name with #', version: 5, bytes: frame(0x30, '0003 612f23 00'), reasonCode: ReasonCode.TopicNameInvalid, rule: 'MQTT-4.7.0-1' },
  { name: 'Topic Name that is not UTF-8', version: 4, bytes: frame(0x30, '0002 61ff'), reasonCode: ReasonCode.MalformedPacket, rule: 'MQTT-1.5.4-1' },
  { name: 'Topic Name with an encoded surrogate', version: 5, bytes: frame(0x30, '0003 eda080 00'), reasonCode: ReasonCode.MalformedPacket, rule: 'MQTT-1.5.4-1' },
  { name: 'Topic Name with an overlong encoding', version: 4, bytes: frame(0x30, '0002 c0af'), reasonCode: ReasonCode.MalformedPacket, rule: 'MQTT-1.5.4-1' },
  { name: 'Topic Name with U+0000', version: 4, bytes: frame(0x30, '0003 610062'), reasonCode: ReasonCode.MalformedPacket, rule: 'MQTT-1.5.4-2' },
  { name: 'empty Topic Name without a Topic Alias (5.0)', version: 5, bytes: frame(0x30, '0000 00 7a'), reasonCode: ReasonCode.ProtocolError, rule: 'MQTT-3.3.2-1' },
  { name: 'empty Topic Name (3.1.1)', version: 4, bytes: frame(0x30, '0000 7a'), reasonCode: ReasonCode.ProtocolError, rule: 'MQTT-3.3.2-1' },
  { name: 'Client Identifier with U+0000', version: 0, bytes: connect4('02', '0002 6300'), reasonCode: ReasonCode.MalformedPacket, rule: 'MQTT-1.5.4-2' },
  { name: 'User Property value that is not UTF-8', version: 5, bytes: frame(0x30, '0001 61 08 26 0001 6b 0002 c328'), reasonCode: ReasonCode.MalformedPacket, rule: 'MQTT-1.5.4-1' },
  { name: 'Topic Filter that is not UTF-8', version: 4, bytes: frame(0x82, '0001 0001 fe 00'), reasonCode: ReasonCode.MalformedPacket, rule: 'MQTT-1.5.4-1' },
  { name: 'Will Topic with a wildcard', version: 0, bytes: connect4('06', '0001 63 0001 23 0000'), reasonCode: ReasonCode.TopicNameInvalid, rule: 'MQTT-4.7.0-1' },

  // Subscription lists
  { name: 'SUBSCRIBE 5.0 without a subscription', version: 5, bytes: frame(0x82, '0001 00'), reasonCode: ReasonCode.ProtocolError, rule: 'MQTT-3.8.3-2' },
  { name: 'SUBSCRIBE 3.1.1 without a subscription', version: 4, bytes: frame(0x82, '0001'), reasonCode: ReasonCode.ProtocolError, rule: 'MQTT-3.8.3-3' },
  { name: 'UNSUBSCRIBE 5.0 without a topic filter', version: 5, bytes: frame(0xa2, '0001 00'), reasonCode: ReasonCode.ProtocolError, rule: 'MQTT-3.10.3-2' },
  { name: 'UNSUBSCRIBE 3.1.1 without a topic filter', version: 4, bytes: frame(0xa2, '0001'), reasonCode: ReasonCode.ProtocolError, rule: 'MQTT-3.10.3-2' },
  { name: 'Subscription Options with reserved bits', version: 5, bytes: frame(0x82, '0001 00 0001 61 40'), reasonCode: ReasonCode.MalformedPacket, rule: 'MQTT-3.8.3-5' },
  { name: 'Subscription Options with Retain Handling 3', version: 5, bytes: frame(0x82, '0001 00 0001 61 30'), reasonCode: ReasonCode.ProtocolError, rule: 'MQTT-3.8.3-5' },
  { name: 'Subscription Options with QoS 3', version: 5, bytes: frame(0x82, '0001 00 0001 61 03'), reasonCode: ReasonCode.ProtocolError, rule: 'MQTT-3.8.3-5' },
  { name: 'requested QoS byte with reserved bits (3.1.1)', version: 4, bytes: frame(0x82, '0001 0001 61 04'), reasonCode: ReasonCode.MalformedPacket, rule: 'MQTT-3.8.3-4' },
  { name: 'No Local on a Shared Subscription', version: 5, bytes: frame(0x82, '0001 00 000a 2473686172652f672f61 04'), reasonCode: ReasonCode.ProtocolError, rule: 'MQTT-3.8.3-4' },

  // Properties (§2.2.2)
  { name: 'property not valid in PUBLISH (Session Expiry Interval)', version: 5, bytes: frame(0x30, '0001 61 05 11 0000000a'), reasonCode: ReasonCode.MalformedPacket, rule: 'MQTT-2.2.2' },
  { name: 'property identifier the specification does not define', version: 0, bytes: connect5('02', '02 7f 00'), reasonCode: ReasonCode.MalformedPacket, rule: 'MQTT-2.2.2' },
  { name: 'Will Delay Interval outside the Will Properties', version: 0, bytes: connect5('02', '05 18 0000000a'), reasonCode: ReasonCode.MalformedPacket, rule: 'MQTT-2.2.2' },
  { name: 'Session Expiry Interval twice in CONNECT', version: 0, bytes: connect5('02', '0a 11 0000000a 11 0000000b'), reasonCode: ReasonCode.ProtocolError },
  { name: 'Message Expiry Interval twice in PUBLISH', version: 5, bytes: frame(0x30, '0001 61 0a 02 00000001 02 00000002'), reasonCode: ReasonCode.ProtocolError },
  { name: 'Subscription Identifier twice in SUBSCRIBE', version: 5, bytes: frame(0x82, '0001 04 0b 01 0b 02 0001 61 00'), reasonCode: ReasonCode.ProtocolError },
  { name: 'Reason String twice in PUBACK', version: 5, bytes: frame(0x40, '0001 00 08 1f 0001 61 1f 0001 62'), reasonCode: ReasonCode.ProtocolError },
  { name: 'Will Response Topic with a wildcard', version: 0, bytes: connect5('06', '00', '0001 63 04 08000123 0001 74 0000'), reasonCode: ReasonCode.ProtocolError, rule: 'MQTT-3.3.2-14' },
  { name: 'Receive Maximum 0', version: 0, bytes: connect5('02', '03 21 0000'), reasonCode: ReasonCode.ProtocolError },
  { name: 'Maximum Packet Size 0', version: 0, bytes: connect5('02', '05 27 00000000'), reasonCode: ReasonCode.ProtocolError },
  { name: 'Request Problem Information of 2', version: 0, bytes: connect5('02', '02 17 02'), reasonCode: ReasonCode.ProtocolError },
  { name: 'Payload Format Indicator of 2', version: 5, bytes: frame(0x30, '0001 61 02 01 02'), reasonCode: ReasonCode.ProtocolError },
  { name: 'Maximum QoS of 2 in CONNACK', version: 5, bytes: frame(0x20, '00 00 02 24 02'), reasonCode: ReasonCode.ProtocolError },
  { name: 'Subscription Identifier 0 in SUBSCRIBE', version: 5, bytes: frame(0x82, '0001 02 0b 00 0001 61 00'), reasonCode: ReasonCode.ProtocolError },
  { name: 'Subscription Identifier 0 in PUBLISH', version: 5, bytes: frame(0x30, '0001 61 02 0b 00'), reasonCode: ReasonCode.ProtocolError },
  { name: 'Topic Alias 0', version: 5, bytes: frame(0x30, '0001 61 03 23 0000'), reasonCode: ReasonCode.TopicAliasInvalid, rule: 'MQTT-3.3.2-8' },
  { name: 'Response Topic with a wildcard', version: 5, bytes: frame(0x30, '0001 61 04 08 0001 23'), reasonCode: ReasonCode.ProtocolError, rule: 'MQTT-3.3.2-14' },
  { name: 'Authentication Data without Authentication Method', version: 0, bytes: connect5('02', '04 16 0001 ff'), reasonCode: ReasonCode.ProtocolError },
  { name: 'Property Length past the end of the packet', version: 5, bytes: frame(0x40, '0001 00 09 1f 0001 61'), reasonCode: ReasonCode.MalformedPacket },
  { name: 'property value past the Property Length', version: 5, bytes: frame(0x30, '0001 61 02 02 0000 0001'), reasonCode: ReasonCode.MalformedPacket },
  { name: 'AUTH with a Reason Code and no Property Length', version: 5, bytes: frame(0xf0, '18'), reasonCode: ReasonCode.MalformedPacket },
  // §3.15.2.2.2: an AUTH with a Reason Code names its Authentication Method; only the short Success form goes without.
  { name: 'AUTH Continue without an Authentication Method', version: 5, bytes: frame(0xf0, '18 00'), reasonCode: ReasonCode.ProtocolError },
  { name: 'AUTH Re-authenticate with data and no Authentication Method', version: 5, bytes: frame(0xf0, '19 04 16 0001 ff'), reasonCode: ReasonCode.ProtocolError },
  { name: 'AUTH Success with a Reason String and no Authentication Method', version: 5, bytes: frame(0xf0, '00 04 1f 0001 78'), reasonCode: ReasonCode.ProtocolError },

  // CONNECT (§3.1.2)
  { name: 'reserved Connect Flags bit', version: 0, bytes: connect4('03'), reasonCode: ReasonCode.MalformedPacket, rule: 'MQTT-3.1.2-3' },
  { name: 'Will QoS 3', version: 0, bytes: connect4('1e', '0001 63 0001 77 0000'), reasonCode: ReasonCode.MalformedPacket, rule: 'MQTT-3.1.2-12' },
  { name: 'Will QoS without a Will Flag', version: 0, bytes: connect5('0a'), reasonCode: ReasonCode.MalformedPacket, rule: 'MQTT-3.1.2-11' },
  { name: 'Will Retain without a Will Flag', version: 0, bytes: connect4('22'), reasonCode: ReasonCode.MalformedPacket, rule: 'MQTT-3.1.2-13' },
  { name: 'Password without User Name (3.1.1)', version: 0, bytes: connect4('42', '0001 63 0001 70'), reasonCode: ReasonCode.MalformedPacket, rule: 'MQTT-3.1.2-22' },
  { name: 'Protocol Level 6', version: 0, bytes: frame(0x10, '0004 4d515454 06 02 003c 00 0001 63'), reasonCode: ReasonCode.UnsupportedProtocolVersion, rule: 'MQTT-3.1.2-2' },
  { name: 'Protocol Name MQTT with level 3', version: 0, bytes: frame(0x10, '0004 4d515454 03 02 003c 0001 63'), reasonCode: ReasonCode.UnsupportedProtocolVersion, rule: 'MQTT-3.1.2-2' },
  { name: 'unknown Protocol Name', version: 0, bytes: frame(0x10, '0004 4d515458 04 02 003c 0001 63'), reasonCode: ReasonCode.ProtocolError, rule: 'MQTT-3.1.2-1' },
  { name: 'trailing bytes after the CONNECT payload', version: 0, bytes: connect4('02', '0001 63 00'), reasonCode: ReasonCode.MalformedPacket },

  // CONNACK and reason codes (§2.4)
  { name: 'reserved Connect Acknowledge Flags', version: 5, bytes: frame(0x20, '02 00 00'), reasonCode: ReasonCode.MalformedPacket, rule: 'MQTT-3.2.2-1' },
  { name: 'Session Present with a failing CONNACK', version: 5, bytes: frame(0x20, '01 87 00'), reasonCode: ReasonCode.ProtocolError, rule: 'MQTT-3.2.2-6' },
  { name: 'reserved CONNACK return code (3.1.1)', version: 4, bytes: frame(0x20, '00 06'), reasonCode: ReasonCode.ProtocolError },
  { name: 'reason code not valid in PUBACK (0x04)', version: 5, bytes: frame(0x40, '0001 04'), reasonCode: ReasonCode.ProtocolError, rule: 'MQTT-2.4' },
  { name: 'reason code not valid in DISCONNECT (0x01)', version: 5, bytes: frame(0xe0, '01'), reasonCode: ReasonCode.ProtocolError, rule: 'MQTT-2.4' },
  { name: 'reason code not valid in SUBACK (0x11)', version: 5, bytes: frame(0x90, '0001 00 11'), reasonCode: ReasonCode.ProtocolError, rule: 'MQTT-2.4' },
  { name: 'reserved SUBACK return code (3.1.1)', version: 4, bytes: frame(0x90, '0001 03'), reasonCode: ReasonCode.ProtocolError },
];

describe('malformed input: the exact error and reason code', () => {
  for (const c of CASES) {
    it(`${c.name} -> 0x${c.reasonCode.toString(16)}`, () => {
      const { packets, error } = parseStream(c.bytes, c.version, undefined, c.maxPacketSize);
      assert.deepEqual(packets, [], 'no packet before the error');
      assert.ok(error, 'an MqttProtocolError');
      assert.equal(error.reasonCode, c.reasonCode, error.message);
      if (c.rule) assert.equal(error.rule, c.rule, error.message);
    });

    it(`${c.name}: the same error when the bytes arrive one at a time`, () => {
      const { error } = parseStream(c.bytes, c.version, [1], c.maxPacketSize);
      assert.equal(error?.reasonCode, c.reasonCode);
    });
  }

  it('rejects an oversize packet as soon as its Remaining Length is read, before its body arrives', () => {
    const parser = new PacketParser({ maxPacketSize: 1024, protocolVersion: 5 });
    parser.push(raw('30 80 80 01')); // Remaining Length 16,384, no body yet
    assert.equal(parser.read(), ParseStatus.Error);
    assert.equal(parser.error?.reasonCode, ReasonCode.PacketTooLarge);
  });

  it('stays failed after an error, whatever arrives next', () => {
    const parser = new PacketParser({ protocolVersion: 4 });
    parser.push(raw('00 00'));
    assert.equal(parser.read(), ParseStatus.Error);
    parser.push(raw('c0 00'));
    assert.equal(parser.read(), ParseStatus.Error);
    assert.equal(parser.buffered, 0, 'a failed parser holds no bytes');
  });

  it('delivers the packets before a malformed one, then the error', () => {
    const { packets, error } = parseStream(Buffer.concat([raw('c0 00'), raw('d0 00'), raw('36 00')]), 4);
    assert.equal(packets.length, 2);
    assert.equal(error?.reasonCode, ReasonCode.MalformedPacket);
  });
});
