import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { encodePacket, publishPacketIdOffset } from './encoder';
import { PacketType } from './packet-type';
import { ConnectPacket, PublishPacket } from './packets';
import { PacketParser, ParseStatus } from './parser';
import { parseStream } from './testing/parse';

const publish5: PublishPacket = {
  type: PacketType.Publish,
  topic: 'sensors/room-1/temp',
  payload: Buffer.from('21.5'),
  qos: 1,
  retain: true,
  dup: false,
  packetId: 42,
  properties: {
    messageExpiryInterval: 120,
    payloadFormatIndicator: true,
    responseTopic: 'replies/room-1',
    userProperties: [['unit', 'C'], ['unit', 'K']],
    topicAlias: 7,
  },
};

/** publish5 as 3.1.1 carries it: no properties at all. */
const { properties: _dropped, ...publish4 } = publish5;

describe('PUBLISH fast path', () => {
  it('reads a PUBLISH in place: the view points into the received chunk, nothing is copied', () => {
    const chunk = encodePacket(publish5, 5)!;
    const parser = new PacketParser({ protocolVersion: 5 });
    parser.push(chunk);
    assert.equal(parser.read(), ParseStatus.Publish);
    const view = parser.publish;
    assert.equal(view.buffer, chunk);
    assert.equal(view.payload.buffer, chunk.buffer, 'payload shares the chunk memory');
    assert.equal(view.payload.byteOffset, chunk.byteOffset + view.payloadStart);
    assert.equal(view.topic, 'sensors/room-1/temp');
    assert.equal(view.qos, 1);
    assert.equal(view.retain, true);
    assert.equal(view.dup, false);
    assert.equal(view.packetId, 42);
    assert.equal(view.messageExpiryInterval, 120);
    assert.equal(view.payloadFormatIndicator, 1);
    assert.equal(view.topicAlias, 7);
    assert.equal(view.userPropertyCount, 2);
    assert.equal(view.subscriptionIdentifierCount, 0);
    assert.equal(chunk.toString('utf8', view.responseTopicStart, view.responseTopicEnd), 'replies/room-1');
    assert.equal(view.payload.toString(), '21.5');
    assert.equal(view.packetStart, 0);
    assert.equal(view.packetEnd, chunk.length);
    assert.deepEqual(view.properties(), publish5.properties);
    assert.deepEqual(view.toPacket(), publish5);
    assert.equal(parser.read(), ParseStatus.NeedMore);
  });

  it('marks absent properties with their sentinels', () => {
    const parser = new PacketParser({ protocolVersion: 5 });
    parser.push(encodePacket({ ...publish5, qos: 0, packetId: undefined, properties: undefined }, 5)!);
    assert.equal(parser.read(), ParseStatus.Publish);
    assert.equal(parser.publish.packetId, 0);
    assert.equal(parser.publish.messageExpiryInterval, -1);
    assert.equal(parser.publish.payloadFormatIndicator, -1);
    assert.equal(parser.publish.topicAlias, 0);
    assert.equal(parser.publish.hasProperties, false);
    assert.equal(parser.publish.properties(), undefined);
  });

  it('compares the topic bytes without decoding them', () => {
    const parser = new PacketParser({ protocolVersion: 4 });
    parser.push(encodePacket(publish4, 4)!);
    parser.read();
    assert.equal(parser.publish.topicEquals(Buffer.from('sensors/room-1/temp')), true);
    assert.equal(parser.publish.topicEquals(Buffer.from('sensors/room-1/temq')), false);
    assert.equal(parser.publish.topicEquals(Buffer.from('sensors/room-1')), false);
  });

  it('reads many packets from one chunk, each in place', () => {
    const one = encodePacket(publish4, 4)!;
    const chunk = Buffer.concat([one, one, one, Buffer.from([0xc0, 0x00])]);
    const parser = new PacketParser({ protocolVersion: 4 });
    parser.push(chunk);
    for (let i = 0; i < 3; i++) {
      assert.equal(parser.read(), ParseStatus.Publish);
      assert.equal(parser.publish.buffer, chunk);
      assert.equal(parser.publish.packetStart, i * one.length);
    }
    assert.equal(parser.read(), ParseStatus.Packet);
    assert.equal(parser.packet?.type, PacketType.Pingreq);
    assert.equal(parser.read(), ParseStatus.NeedMore);
    assert.equal(parser.buffered, 0);
  });

  it('copies a packet split across chunks once, into a buffer of its exact size', () => {
    const big: PublishPacket = { ...publish4, payload: Buffer.alloc(100_000, 7) };
    const bytes = encodePacket(big, 4)!;
    const parser = new PacketParser({ protocolVersion: 4 });
    for (let offset = 0; offset < bytes.length; offset += 4096) {
      parser.push(bytes.subarray(offset, offset + 4096));
      if (offset + 4096 < bytes.length) assert.equal(parser.read(), ParseStatus.NeedMore);
    }
    assert.equal(parser.read(), ParseStatus.Publish);
    assert.equal(parser.publish.buffer.length, bytes.length);
    assert.deepEqual(parser.publish.toPacket(), big);
    assert.equal(parser.buffered, 0);
  });

  it('handles a Remaining Length split between chunks', () => {
    const bytes = encodePacket({ ...publish4, payload: Buffer.alloc(300, 1) }, 4)!;
    assert.ok(bytes[1] & 0x80, 'two-byte Remaining Length');
    const { packets, error } = parseStream(Buffer.concat([bytes, bytes]), 4, [2, 1, 500, 3]);
    assert.equal(error, undefined);
    assert.equal(packets.length, 2);
  });
});

describe('protocol level', () => {
  it('adopts the level of the CONNECT it reads and parses what follows at that level', () => {
    const connect: ConnectPacket = {
      type: PacketType.Connect, protocolName: 'MQTT', protocolVersion: 4, clean: true, keepAlive: 0, clientId: 'x',
    };
    const v4Publish = encodePacket(publish4, 4)!;
    const parser = new PacketParser();
    assert.equal(parser.protocolVersion, 0);
    parser.push(Buffer.concat([encodePacket(connect, 4)!, v4Publish]));
    assert.equal(parser.read(), ParseStatus.Packet);
    assert.equal(parser.protocolVersion, 4);
    // Read as 5.0, these bytes would be a property block; read as 3.1.1 they are payload.
    assert.equal(parser.read(), ParseStatus.Publish);
    assert.equal(parser.publish.payload.toString(), '21.5');
  });

  it('answers next() with need-more, a packet, or the error', () => {
    const parser = new PacketParser({ protocolVersion: 5 });
    assert.equal(parser.next(), 'need-more');
    parser.push(Buffer.from([0xd0]));
    assert.equal(parser.next(), 'need-more');
    parser.push(Buffer.from([0x00, 0x00]));
    assert.deepEqual(parser.next(), { type: PacketType.Pingresp });
    assert.equal(parser.next(), 'need-more');
    parser.push(Buffer.from([0x00]));
    const result = parser.next();
    assert.ok(result instanceof Error && 'reasonCode' in result && result.reasonCode === 0x81);
  });
});

describe('encoder', () => {
  it('locates the Packet Identifier of an encoded PUBLISH so one encoding can serve many subscribers', () => {
    const bytes = encodePacket({ ...publish5, payload: Buffer.alloc(200) }, 5)!;
    const offset = publishPacketIdOffset(bytes);
    assert.equal(bytes.readUInt16BE(offset), 42);
    bytes.writeUInt16BE(4242, offset);
    const { packets } = parseStream(bytes, 5);
    assert.equal((packets[0] as PublishPacket).packetId, 4242);
  });

  it('drops Reason String and User Properties to fit the peer Maximum Packet Size, and nothing else', () => {
    const ack = {
      type: PacketType.Puback as const, packetId: 9, reasonCode: 0x87,
      properties: { reasonString: 'x'.repeat(100), userProperties: [['k', 'v']] as Array<[string, string]> },
    };
    assert.equal(encodePacket(ack, 5)!.length, 2 + 3 + 1 + 103 + 7);
    const trimmed = encodePacket(ack, 5, 50)!;
    // Trimmed to nothing, the properties go altogether: the short form with just the reason code.
    assert.equal(trimmed.toString('hex'), '4003000987');
  });

  it('refuses a PUBLISH above the peer Maximum Packet Size instead of trimming the message', () => {
    assert.equal(encodePacket({ ...publish5, payload: Buffer.alloc(1000) }, 5, 500), null);
    assert.ok(encodePacket({ ...publish5, payload: Buffer.alloc(1000) }, 5, 2000));
  });

  it('writes the fixed header flags of PUBREL, SUBSCRIBE and UNSUBSCRIBE [MQTT-2.1.3-1]', () => {
    assert.equal(encodePacket({ type: PacketType.Pubrel, packetId: 1, reasonCode: 0 }, 4)![0], 0x62);
    const sub = { topicFilter: 'a', qos: 0 as const, noLocal: false, retainAsPublished: false, retainHandling: 0 as const };
    assert.equal(encodePacket({ type: PacketType.Subscribe, packetId: 1, subscriptions: [sub] }, 4)![0], 0x82);
    assert.equal(encodePacket({ type: PacketType.Unsubscribe, packetId: 1, topicFilters: ['a'] }, 4)![0], 0xa2);
  });

  it('rejects packets no peer could accept', () => {
    assert.throws(() => encodePacket({ ...publish5, packetId: 0 }, 5), RangeError);
    assert.throws(() => encodePacket({ ...publish5, topic: 'x'.repeat(70000) }, 5), TypeError);
    assert.throws(() => encodePacket({ type: PacketType.Auth, reasonCode: 0 }, 4), TypeError);
    assert.throws(
      () => encodePacket({ ...publish5, properties: { sessionExpiryInterval: 1 } }, 5),
      /not allowed in PUBLISH/,
    );
  });
});
