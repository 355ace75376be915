import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { encodePacket } from './encoder';
import { PacketType, ProtocolVersion } from './packet-type';
import { Packet } from './packets';
import { parseOne } from './testing/parse';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const b = (s: string): Buffer => Buffer.from(s);

interface Fixture {
  name: string;
  version: ProtocolVersion;
  /** The canonical encoding: what we parse and what our encoder writes back. */
  bytes: string;
  packet: Packet;
  /** Other valid encodings of the same packet (longer optional forms), which must parse to it. */
  alternatives?: string[];
}

// Bytes cross-checked against mqtt-packet's generator; keys of `properties` are in wire order.
const FIXTURES: Fixture[] = [
  {
    name: 'CONNECT MQTT 3.1 (MQIsdp)',
    version: 3,
    bytes: '10 10 0006 4d5149736470 03 02 003c 0002 6331',
    packet: { type: PacketType.Connect, protocolName: 'MQIsdp', protocolVersion: 3, clean: true, keepAlive: 60, clientId: 'c1' },
  },
  {
    name: 'CONNECT 3.1.1 with will, username and password',
    version: 4,
    bytes:
      '10 37 0004 4d515454 04 ec 000a 0005 6465762d31 000c 7374617475732f6465762d31 0007 6f66666c696e65 0005 616c696365 0006 736563726574',
    packet: {
      type: PacketType.Connect, protocolName: 'MQTT', protocolVersion: 4, clean: false, keepAlive: 10, clientId: 'dev-1',
      will: { topic: 'status/dev-1', payload: b('offline'), qos: 1, retain: true },
      username: 'alice', password: b('secret'),
    },
  },
  {
    name: 'CONNECT 5.0 with every CONNECT and will property',
    version: 5,
    bytes:
      '10 69 0004 4d515454 05 d6 001e 2b 11 00000e10 21 0014 27 00010000 22 000a 19 01 17 00 26 0004 73697465 0001 61 ' +
      '15 0005 534352414d 16 0002 0102 0000 21 18 0000000a 01 01 02 0000003c 03 000a 746578742f706c61696e 08 0001 72 09 0001 09 ' +
      '0001 77 0001 78 0003 626f62 0002 7077',
    packet: {
      type: PacketType.Connect, protocolName: 'MQTT', protocolVersion: 5, clean: true, keepAlive: 30, clientId: '',
      will: {
        topic: 'w', payload: b('x'), qos: 2, retain: false,
        properties: {
          willDelayInterval: 10, payloadFormatIndicator: true, messageExpiryInterval: 60, contentType: 'text/plain',
          responseTopic: 'r', correlationData: Buffer.from([9]),
        },
      },
      username: 'bob', password: b('pw'),
      properties: {
        sessionExpiryInterval: 3600, receiveMaximum: 20, maximumPacketSize: 65536, topicAliasMaximum: 10,
        requestResponseInformation: true, requestProblemInformation: false, userProperties: [['site', 'a']],
        authenticationMethod: 'SCRAM', authenticationData: Buffer.from([1, 2]),
      },
    },
  },
  {
    name: 'CONNACK 3.1.1 session present',
    version: 4,
    bytes: '20 02 01 00',
    packet: { type: PacketType.Connack, sessionPresent: true, reasonCode: 0 },
  },
  {
    name: 'CONNACK 3.1.1 bad user name or password',
    version: 4,
    bytes: '20 02 00 04',
    packet: { type: PacketType.Connack, sessionPresent: false, reasonCode: 4 },
  },
  {
    name: 'CONNACK 5.0 with every CONNACK property',
    version: 5,
    bytes:
      '20 3e 00 00 3b 11 00000000 21 0064 24 01 25 01 27 00000400 12 0006 6175746f2d31 22 0005 1f 0002 6f6b 28 01 29 00 2a 01 ' +
      '13 003c 1a 0005 726573702f 1c 0005 6f74686572',
    packet: {
      type: PacketType.Connack, sessionPresent: false, reasonCode: 0,
      properties: {
        sessionExpiryInterval: 0, receiveMaximum: 100, maximumQoS: 1, retainAvailable: true, maximumPacketSize: 1024,
        assignedClientIdentifier: 'auto-1', topicAliasMaximum: 5, reasonString: 'ok', wildcardSubscriptionAvailable: true,
        subscriptionIdentifierAvailable: false, sharedSubscriptionAvailable: true, serverKeepAlive: 60,
        responseInformation: 'resp/', serverReference: 'other',
      },
    },
  },
  {
    name: 'CONNACK 5.0 refused: Not authorized',
    version: 5,
    bytes: '20 03 00 87 00',
    packet: { type: PacketType.Connack, sessionPresent: false, reasonCode: 0x87 },
  },
  {
    name: 'PUBLISH 3.1.1 QoS 0 retained',
    version: 4,
    bytes: '31 07 0003 612f62 6869',
    packet: { type: PacketType.Publish, topic: 'a/b', payload: b('hi'), qos: 0, retain: true, dup: false },
  },
  {
    name: 'PUBLISH 3.1.1 QoS 2 DUP',
    version: 4,
    bytes: '3c 09 0003 612f62 0102 6869',
    packet: { type: PacketType.Publish, topic: 'a/b', payload: b('hi'), qos: 2, retain: false, dup: true, packetId: 258 },
  },
  {
    name: 'PUBLISH 3.1.1 empty payload',
    version: 4,
    bytes: '30 05 0003 612f62',
    packet: { type: PacketType.Publish, topic: 'a/b', payload: Buffer.alloc(0), qos: 0, retain: false, dup: false },
  },
  {
    name: 'PUBLISH 5.0 QoS 1 with every PUBLISH property',
    version: 5,
    bytes:
      '32 32 0001 74 0001 2b 01 01 02 0000001e 23 0002 08 0006 72652f706c79 09 0002 6964 26 0001 6b 0001 76 0b 03 0b c801 ' +
      '03 0004 6a736f6e 70',
    packet: {
      type: PacketType.Publish, topic: 't', payload: b('p'), qos: 1, retain: false, dup: false, packetId: 1,
      properties: {
        payloadFormatIndicator: true, messageExpiryInterval: 30, topicAlias: 2, responseTopic: 're/ply',
        correlationData: b('id'), userProperties: [['k', 'v']], subscriptionIdentifiers: [3, 200], contentType: 'json',
      },
    },
  },
  {
    name: 'PUBLISH 5.0 with a Topic Alias and no Topic Name',
    version: 5,
    bytes: '30 07 0000 03 23 0001 7a',
    packet: { type: PacketType.Publish, topic: '', payload: b('z'), qos: 0, retain: false, dup: false, properties: { topicAlias: 1 } },
  },
  {
    name: 'PUBACK 3.1.1',
    version: 4,
    bytes: '40 02 0001',
    packet: { type: PacketType.Puback, packetId: 1, reasonCode: 0 },
  },
  {
    name: 'PUBACK 5.0 success, short form',
    version: 5,
    bytes: '40 02 0005',
    packet: { type: PacketType.Puback, packetId: 5, reasonCode: 0 },
    alternatives: ['40 03 0005 00', '40 04 0005 00 00'],
  },
  {
    name: 'PUBREC 3.1.1',
    version: 4,
    bytes: '50 02 0002',
    packet: { type: PacketType.Pubrec, packetId: 2, reasonCode: 0 },
  },
  {
    name: 'PUBREC 5.0 No matching subscribers',
    version: 5,
    bytes: '50 03 0002 10',
    packet: { type: PacketType.Pubrec, packetId: 2, reasonCode: 0x10 },
    alternatives: ['50 04 0002 10 00'],
  },
  {
    name: 'PUBREL 3.1.1',
    version: 4,
    bytes: '62 02 0003',
    packet: { type: PacketType.Pubrel, packetId: 3, reasonCode: 0 },
  },
  {
    name: 'PUBREL 5.0 Packet Identifier not found with a Reason String',
    version: 5,
    bytes: '62 0b 0003 92 07 1f 0004 676f6e65',
    packet: { type: PacketType.Pubrel, packetId: 3, reasonCode: 0x92, properties: { reasonString: 'gone' } },
  },
  {
    name: 'PUBCOMP 3.1.1',
    version: 4,
    bytes: '70 02 ffff',
    packet: { type: PacketType.Pubcomp, packetId: 65535, reasonCode: 0 },
  },
  {
    name: 'PUBCOMP 5.0 with a User Property',
    version: 5,
    bytes: '70 0b 0004 00 07 26 0001 61 0001 62',
    packet: { type: PacketType.Pubcomp, packetId: 4, reasonCode: 0, properties: { userProperties: [['a', 'b']] } },
  },
  {
    name: 'SUBSCRIBE 3.1.1 two filters',
    version: 4,
    bytes: '82 0c 000a 0003 612f2b 01 0001 23 02',
    packet: {
      type: PacketType.Subscribe, packetId: 10,
      subscriptions: [
        { topicFilter: 'a/+', qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0 },
        { topicFilter: '#', qos: 2, noLocal: false, retainAsPublished: false, retainHandling: 0 },
      ],
    },
  },
  {
    name: 'SUBSCRIBE 5.0 with options and a Subscription Identifier',
    version: 5,
    bytes: '82 18 000b 09 0b 07 26 0001 75 0001 31 0003 732f23 25 0003 782f79 29',
    packet: {
      type: PacketType.Subscribe, packetId: 11,
      properties: { subscriptionIdentifiers: [7], userProperties: [['u', '1']] },
      subscriptions: [
        { topicFilter: 's/#', qos: 1, noLocal: true, retainAsPublished: false, retainHandling: 2 },
        { topicFilter: 'x/y', qos: 1, noLocal: false, retainAsPublished: true, retainHandling: 2 },
      ],
    },
  },
  {
    name: 'SUBACK 3.1.1 with a failure',
    version: 4,
    bytes: '90 04 000a 01 80',
    packet: { type: PacketType.Suback, packetId: 10, reasonCodes: [1, 0x80] },
  },
  {
    name: 'SUBACK 5.0 with reason codes and a Reason String',
    version: 5,
    bytes: '90 0b 000b 05 1f 0002 6e6f 02 87 a2',
    packet: { type: PacketType.Suback, packetId: 11, properties: { reasonString: 'no' }, reasonCodes: [2, 0x87, 0xa2] },
  },
  {
    name: 'UNSUBSCRIBE 3.1.1',
    version: 4,
    bytes: 'a2 0a 000c 0003 612f2b 0001 62',
    packet: { type: PacketType.Unsubscribe, packetId: 12, topicFilters: ['a/+', 'b'] },
  },
  {
    name: 'UNSUBSCRIBE 5.0 with a User Property',
    version: 5,
    bytes: 'a2 0d 000d 07 26 0001 61 0001 62 0001 78',
    packet: { type: PacketType.Unsubscribe, packetId: 13, properties: { userProperties: [['a', 'b']] }, topicFilters: ['x'] },
  },
  {
    name: 'UNSUBACK 3.1.1',
    version: 4,
    bytes: 'b0 02 000c',
    packet: { type: PacketType.Unsuback, packetId: 12, reasonCodes: [] },
  },
  {
    name: 'UNSUBACK 5.0',
    version: 5,
    bytes: 'b0 05 000d 00 00 11',
    packet: { type: PacketType.Unsuback, packetId: 13, reasonCodes: [0, 0x11] },
  },
  { name: 'PINGREQ 3.1.1', version: 4, bytes: 'c0 00', packet: { type: PacketType.Pingreq } },
  { name: 'PINGREQ 5.0', version: 5, bytes: 'c0 00', packet: { type: PacketType.Pingreq } },
  { name: 'PINGRESP 3.1.1', version: 4, bytes: 'd0 00', packet: { type: PacketType.Pingresp } },
  { name: 'PINGRESP 5.0', version: 5, bytes: 'd0 00', packet: { type: PacketType.Pingresp } },
  { name: 'DISCONNECT 3.1.1', version: 4, bytes: 'e0 00', packet: { type: PacketType.Disconnect, reasonCode: 0 } },
  {
    name: 'DISCONNECT 5.0 normal, short form',
    version: 5,
    bytes: 'e0 00',
    packet: { type: PacketType.Disconnect, reasonCode: 0 },
    alternatives: ['e0 01 00', 'e0 02 00 00'],
  },
  {
    name: 'DISCONNECT 5.0 with Will Message, Session Expiry and Reason String',
    version: 5,
    bytes: 'e0 0d 04 0b 11 00000000 1f 0003 627965',
    packet: { type: PacketType.Disconnect, reasonCode: 0x04, properties: { sessionExpiryInterval: 0, reasonString: 'bye' } },
  },
  {
    name: 'AUTH 5.0 continue authentication',
    version: 5,
    bytes: 'f0 0e 18 0c 15 0005 534352414d 16 0001 07',
    packet: {
      type: PacketType.Auth, reasonCode: 0x18,
      properties: { authenticationMethod: 'SCRAM', authenticationData: Buffer.from([7]) },
    },
  },
  { name: 'AUTH 5.0 success, short form', version: 5, bytes: 'f0 00', packet: { type: PacketType.Auth, reasonCode: 0 } },
];

describe('fixture triples: bytes -> packet -> bytes', () => {
  for (const fixture of FIXTURES) {
    it(fixture.name, () => {
      const bytes = hex(fixture.bytes);
      // A server parses CONNECT before it knows the level; every other packet at the connection's level.
      const parsed = parseOne(bytes, fixture.packet.type === PacketType.Connect ? 0 : fixture.version);
      assert.deepEqual(parsed, fixture.packet);
      assert.equal(encodePacket(fixture.packet, fixture.version)!.toString('hex'), bytes.toString('hex'));
      for (const alternative of fixture.alternatives ?? []) {
        assert.deepEqual(parseOne(hex(alternative), fixture.version), fixture.packet, `alternative ${alternative}`);
      }
    });
  }

  it('covers every packet type at levels 4 and 5 (AUTH at 5 only) and CONNECT at level 3', () => {
    const covered = new Set(FIXTURES.map((f) => `${f.version}:${f.packet.type}`));
    for (let type = PacketType.Connect; type <= PacketType.Auth; type++) {
      if (type !== PacketType.Auth) assert.ok(covered.has(`4:${type}`), `level 4 type ${type}`);
      assert.ok(covered.has(`5:${type}`), `level 5 type ${type}`);
    }
    assert.ok(covered.has(`3:${PacketType.Connect}`));
  });
});
