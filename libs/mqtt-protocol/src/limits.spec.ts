import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { PacketParser, ParseStatus } from './parser';
import { ReasonCode } from './reason-code';
import { hasMoreLevelsThan } from './topic';
import { truncateUtf8 } from './utf8';
import { encodePacket } from './encoder';
import { PacketType } from './packet-type';
import { varintSize, writeVarint } from './varint';

/** `count` empty User Properties as raw property bytes: 0x26, a zero-length name, a zero-length value. */
function emptyUserProperties(count: number): Buffer {
  const bytes = Buffer.alloc(count * 5);
  for (let i = 0; i < count; i++) bytes[i * 5] = 0x26;
  return bytes;
}

function varint(n: number): number[] {
  const bytes = Buffer.alloc(varintSize(n));
  writeVarint(bytes, 0, n);
  return [...bytes];
}

/** A 5.0 CONNECT, client id "c", carrying `props` as its property block. */
function connectWith(props: Buffer): Buffer {
  const body = Buffer.concat([
    Buffer.from([0, 4, 0x4d, 0x51, 0x54, 0x54, 5, 0x02, 0, 10]),
    Buffer.from(varint(props.length)),
    props,
    Buffer.from([0, 1, 0x63]),
  ]);
  return Buffer.concat([Buffer.from([0x10, ...varint(body.length)]), body]);
}

/** A 5.0 QoS 0 PUBLISH to "t" carrying `props`. */
function publishWith(props: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from([0, 1, 0x74]), Buffer.from(varint(props.length)), props, Buffer.from('x')]);
  return Buffer.concat([Buffer.from([0x30, ...varint(body.length)]), body]);
}

function parseAfterConnect(limits: { maxUserProperties?: number; maxPropertyBytes?: number }, packet: Buffer): PacketParser {
  const parser = new PacketParser({ protocolVersion: 5, ...limits });
  parser.push(packet);
  return parser;
}

describe('property limits', () => {
  it('refuses a CONNECT with more User Properties than allowed with 0x97, before decoding them', () => {
    const parser = parseAfterConnect({ maxUserProperties: 100 }, connectWith(emptyUserProperties(101)));
    assert.equal(parser.read(), ParseStatus.Error);
    assert.equal(parser.error!.reasonCode, ReasonCode.QuotaExceeded);
    const ok = parseAfterConnect({ maxUserProperties: 100 }, connectWith(emptyUserProperties(100)));
    assert.equal(ok.read(), ParseStatus.Packet);
    assert.equal(ok.packet!.type, PacketType.Connect);
  });

  it('refuses a property block larger than allowed with 0x97 (CONNECT and PUBLISH)', () => {
    const connect = parseAfterConnect({ maxPropertyBytes: 1000 }, connectWith(emptyUserProperties(201)));
    assert.equal(connect.read(), ParseStatus.Error);
    assert.equal(connect.error!.reasonCode, ReasonCode.QuotaExceeded);
    const publish = parseAfterConnect({ maxPropertyBytes: 1000 }, publishWith(emptyUserProperties(201)));
    assert.equal(publish.read(), ParseStatus.Error);
    assert.equal(publish.error!.reasonCode, ReasonCode.QuotaExceeded);
    const fits = parseAfterConnect({ maxPropertyBytes: 1000 }, publishWith(emptyUserProperties(200)));
    assert.equal(fits.read(), ParseStatus.Publish);
  });

  it('counts User Properties on the in-place PUBLISH path', () => {
    const parser = parseAfterConnect({ maxUserProperties: 10 }, publishWith(emptyUserProperties(11)));
    assert.equal(parser.read(), ParseStatus.Error);
    assert.equal(parser.error!.reasonCode, ReasonCode.QuotaExceeded);
  });

  it('quotes at most 64 characters of a Protocol Name in its error', () => {
    const parser = new PacketParser();
    const name = 'X'.repeat(65_000);
    const body = Buffer.concat([Buffer.from([name.length >> 8, name.length & 0xff]), Buffer.from(name), Buffer.from([5, 2, 0, 10, 0, 0, 1, 0x63])]);
    parser.push(Buffer.concat([Buffer.from([0x10, ...varint(body.length)]), body]));
    assert.equal(parser.read(), ParseStatus.Error);
    assert.ok(parser.error!.detail.length < 200, parser.error!.detail);
  });
});

describe('truncateUtf8', () => {
  it('keeps text that fits and cuts the rest at a character boundary', () => {
    assert.equal(truncateUtf8('hello', 5), 'hello');
    assert.equal(truncateUtf8('hello', 3), 'hel');
    assert.equal(truncateUtf8('héllo', 2), 'h');
    assert.equal(truncateUtf8('😀😀', 6), '😀');
    const long = 'é'.repeat(40_000);
    const cut = truncateUtf8(long, 65_535);
    assert.ok(Buffer.byteLength(cut) <= 65_535);
    assert.equal(Buffer.byteLength(cut), 65_534);
  });

  it('makes a Reason String the encoder can always write', () => {
    const reasonString = truncateUtf8('x'.repeat(70_000), 65_535);
    assert.ok(encodePacket({ type: PacketType.Disconnect, reasonCode: 0x82, properties: { reasonString } }, 5) !== null);
  });
});

describe('hasMoreLevelsThan', () => {
  it('counts levels, empty ones included', () => {
    assert.equal(hasMoreLevelsThan('a', 1), false);
    assert.equal(hasMoreLevelsThan('a/b', 1), true);
    assert.equal(hasMoreLevelsThan('/', 2), false);
    assert.equal(hasMoreLevelsThan('/'.repeat(128), 128), true);
    assert.equal(hasMoreLevelsThan('/'.repeat(127), 128), false);
  });
});
