import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { PacketParser, PublishPacket } from '@nestmq/mqtt-protocol';
import { Message } from './message';

function parse(bytes: Buffer): PublishPacket {
  const parser = new PacketParser({ protocolVersion: 5 });
  parser.push(bytes);
  return parser.next() as PublishPacket;
}

describe('Message', () => {
  it('encodes each wire variant once and reuses it', () => {
    const m = new Message('a/b', Buffer.from('a/b'), Buffer.from('x'), 1, true, null, 0, 'p', 0);
    assert.equal(m.shared(true, 1, false, 0), m.shared(true, 1, false, 0));
    assert.notEqual(m.shared(true, 1, false, 0), m.shared(false, 1, false, 0));
    assert.notEqual(m.shared(true, 1, false, 0), m.shared(true, 1, true, 0));
  });

  it('writes the remaining Message Expiry Interval, freshly for every delivery [MQTT-3.3.2-6]', () => {
    const m = new Message('t', Buffer.from('t'), Buffer.from('x'), 0, false, null, 100_000, 'p', 0);
    assert.equal(parse(m.shared(true, 0, false, 0)).properties?.messageExpiryInterval, 100);
    assert.equal(parse(m.shared(true, 0, false, 40_000)).properties?.messageExpiryInterval, 60);
    assert.equal(m.isExpired(99_999), false);
    assert.equal(m.isExpired(100_000), true);
  });

  it('adds subscription identifiers and a topic alias per delivery, keeping forwarded properties first', () => {
    const forwarded = Buffer.from([0x03, 0x00, 0x01, 0x78]); // Content Type "x"
    const m = new Message('t', Buffer.from('t'), Buffer.from('p'), 1, false, forwarded, 0, 'p', 0);
    const packet = parse(m.encode(true, 1, false, true, 9, [4, 300], 2, 0, true));
    assert.equal(packet.topic, '');
    assert.equal(packet.dup, true);
    assert.equal(packet.packetId, 9);
    assert.deepEqual(packet.properties, { contentType: 'x', subscriptionIdentifiers: [4, 300], topicAlias: 2 });
  });
});
