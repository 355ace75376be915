import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { MqttProtocolError, PacketParser, PacketType, ProtocolVersion, encodePacket } from '@nestmq/mqtt-protocol';
import { FuzzLimits, Frame, PacketFuzzer, spliceProperties } from './packet-fuzzer';
import { Random, connectionSeed } from './random';

const limits: FuzzLimits = { maxPacketSize: 2 * 1024 * 1024, maxFloodBytes: 2 * 1024 * 1024 - 1024 };

function framesOf(seed: number, version: ProtocolVersion, count: number): Frame[] {
  const fuzzer = new PacketFuzzer(new Random(seed), version, limits);
  return [fuzzer.connect(), ...Array.from({ length: count }, () => fuzzer.next())];
}

/** What a server parser makes of one frame on its own: a packet, or the reason it refused. */
function parse(frame: Frame, version: ProtocolVersion, first: boolean): 'packet' | 'incomplete' | string {
  const parser = new PacketParser(first ? {} : { protocolVersion: version });
  parser.push(frame.bytes);
  const result = parser.next();
  if (result === 'need-more') return 'incomplete';
  if (result instanceof MqttProtocolError) return result.message;
  return parser.buffered === 0 ? 'packet' : `${parser.buffered} bytes left over`;
}

describe('the packet fuzzer', () => {
  it('draws the same bytes from the same seed, whatever else happens', () => {
    const a = framesOf(1234, 5, 40);
    const b = framesOf(1234, 5, 40);
    assert.deepEqual(
      a.map((f) => f.label),
      b.map((f) => f.label),
    );
    for (let i = 0; i < a.length; i++) assert.ok(a[i].bytes.equals(b[i].bytes), `frame ${i}: ${a[i].label}`);
    assert.notDeepEqual(
      framesOf(1235, 5, 40).map((f) => f.label),
      a.map((f) => f.label),
    );
  });

  it('derives distinct connection seeds from one run seed', () => {
    const seeds = new Set(Array.from({ length: 10_000 }, (_, i) => connectionSeed(7, i)));
    assert.equal(seeds.size, 10_000);
  });

  it('builds what it says: valid frames parse whole, invalid ones are refused by the parser', () => {
    const kinds = new Map<string, number>();
    for (let c = 0; c < 60; c++) {
      const version = ([3, 4, 5] as const)[c % 3];
      framesOf(connectionSeed(99, c), version, 20).forEach((frame, i) => {
        kinds.set(frame.kind, (kinds.get(frame.kind) ?? 0) + 1);
        if (frame.kind !== 'valid' && frame.kind !== 'invalid') return;
        const outcome = parse(frame, version, i === 0);
        if (frame.kind === 'valid') assert.equal(outcome, 'packet', `level ${version}: ${frame.label}`);
        else assert.notEqual(outcome, 'packet', `level ${version}, accepted: ${frame.label}`);
      });
    }
    // Most frames are packets a broker must accept; every other kind shows up too.
    for (const kind of ['valid', 'invalid', 'mutated', 'flood', 'garbage']) assert.ok((kinds.get(kind) ?? 0) > 0, `no ${kind} frame`);
    assert.ok(kinds.get('valid')! > 0.4 * [...kinds.values()].reduce((a, b) => a + b), JSON.stringify([...kinds]));
  });

  it('splices properties into an encoded packet, fixing both lengths', () => {
    const base = encodePacket({ type: PacketType.Publish, topic: 'a/b', payload: Buffer.from('hi'), qos: 1, packetId: 7, retain: false, dup: false, properties: { contentType: 'x' } }, 5)!;
    const flood = Buffer.alloc(5 * 30_000).fill(Buffer.from([0x26, 0, 0, 0, 0]));
    const parser = new PacketParser({ protocolVersion: 5 });
    parser.push(spliceProperties(base, 2 + 3 + 2, flood));
    const packet = parser.next();
    assert.ok(!(packet instanceof MqttProtocolError) && packet !== 'need-more' && packet.type === PacketType.Publish);
    assert.equal(packet.properties?.contentType, 'x');
    assert.equal(packet.properties?.userProperties?.length, 30_000);
    assert.equal(packet.payload.toString(), 'hi');
  });
});
