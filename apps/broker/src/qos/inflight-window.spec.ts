import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { QoS } from '@nestmq/mqtt-protocol';
import fc from 'fast-check';
import { Message } from '../routing/message';
import { InflightWindow, OutboundTotals } from './inflight-window';
import { PacketIdAllocator } from './packet-id-allocator';
import { RESEND_ON_RECONNECT } from './redelivery-policy';
import { DropReason, PacketSink } from './packet-sink';

/** A sink that records what would be written. */
class RecordingSink implements PacketSink {
  v5 = true;
  peerMaxPacketSize = 1 << 20;
  congested = false;
  written: Array<{ payload: string; packetId: number; dup: boolean }> = [];
  packets: Buffer[] = [];
  drops: DropReason[] = [];

  constructor(public peerReceiveMaximum: number) {}

  encodePublish(message: Message, qos: QoS, retain: boolean, dup: boolean, ids: number[] | null, now: number): Buffer | null {
    const bytes = message.encode(true, qos, retain, dup, 0, ids, 0, now);
    if (bytes.length > this.peerMaxPacketSize) {
      this.dropped('too-large');
      return null;
    }
    return bytes;
  }
  write(bytes: Buffer): void {
    this.packets.push(bytes);
  }
  writePublish(bytes: Buffer, packetId: number): void {
    this.written.push({ payload: bytes.subarray(bytes.length - 1).toString(), packetId, dup: (bytes[0] & 8) !== 0 });
  }
  dropped(reason: DropReason): void {
    this.drops.push(reason);
  }
}

const message = (payload: string, expiresAt = 0): Message =>
  new Message('t', Buffer.from('t'), Buffer.from(payload), 1, false, null, expiresAt, 'p', 0);

describe('InflightWindow', () => {
  it('sends up to the Receive Maximum, queues the rest in order, and moves on with each acknowledgement', () => {
    const window = new InflightWindow(100);
    const sink = new RecordingSink(2);
    for (const p of ['a', 'b', 'c', 'd']) window.deliver(sink, message(p), 1, false, null, 0);
    assert.deepEqual(sink.written.map((w) => w.payload), ['a', 'b']);
    assert.equal(window.queued, 2);
    assert.equal(window.complete(sink.written[0].packetId, sink, 0), true);
    assert.deepEqual(sink.written.map((w) => w.payload), ['a', 'b', 'c']);
    assert.equal(window.complete(9999, sink, 0), false, 'an unknown identifier changes nothing');
    window.complete(sink.written[1].packetId, sink, 0);
    assert.deepEqual(sink.written.map((w) => w.payload), ['a', 'b', 'c', 'd']);
    assert.equal(window.queued, 0);
  });

  it('discards the messages picked, in flight and queued, but keeps a released QoS 2 message and the byte count right', () => {
    const window = new InflightWindow(100);
    const sink = new RecordingSink(3);
    for (const p of ['a', 'x', 'b', 'y', 'c', 'z']) window.deliver(sink, message(p), p === 'a' || p === 'x' ? 2 : 1, false, null, 0);
    // 'a' and 'x' (QoS 2) and 'b' in flight; 'x' is released: the client has it.
    window.received(sink.written[1].packetId);
    const held = window.heldBytes;
    const picked = (o: { message: Message }): boolean => 'xyz'.includes(o.message.payload.toString());
    assert.equal(window.discard(picked), 2, "'y' and 'z'; 'x' was released");
    assert.equal(window.heldBytes, held - 2 * message('y').byteSize);
    assert.deepEqual([...window.inflight.values()].map((o) => o.message.payload.toString()), ['a', 'x', 'b']);
    assert.equal(window.queued, 1);
    window.complete(sink.written[0].packetId, sink, 0);
    assert.deepEqual(sink.written.map((w) => w.payload), ['a', 'x', 'b', 'c'], 'the queue drains what is left, in order');
  });

  it('never reuses a Packet Identifier that is still in flight [MQTT-2.2.1-4]', () => {
    const window = new InflightWindow(10);
    const sink = new RecordingSink(65535);
    for (let i = 0; i < 100; i++) window.deliver(sink, message('x'), 1, false, null, 0);
    assert.equal(new Set(sink.written.map((w) => w.packetId)).size, 100);
    assert.ok(sink.written.every((w) => w.packetId > 0));
  });

  it('queues while offline, bounded: beyond the limit messages are dropped', () => {
    const window = new InflightWindow(2);
    assert.equal(window.deliver(null, message('a'), 1, false, null, 0), true);
    assert.equal(window.deliver(null, message('b'), 1, false, null, 0), true);
    assert.equal(window.deliver(null, message('c'), 1, false, null, 0), false);
    const sink = new RecordingSink(10);
    window.resume(sink, 0);
    assert.deepEqual(sink.written.map((w) => w.payload), ['a', 'b']);
  });

  it('resends unacknowledged messages with DUP on resume, PUBRELs for the released ones, in order [MQTT-4.4.0-1]', () => {
    const window = new InflightWindow(10);
    const first = new RecordingSink(10);
    window.deliver(first, message('a'), 2, false, null, 0);
    window.deliver(first, message('b'), 1, false, null, 0);
    window.received(first.written[0].packetId);
    const second = new RecordingSink(10);
    window.resume(second, 0);
    assert.equal(second.packets.length, 1, 'a PUBREL for the QoS 2 message past PUBREC');
    assert.equal(second.packets[0][0], 0x62);
    assert.deepEqual(second.written, [{ payload: 'b', packetId: first.written[1].packetId, dup: true }]);
  });

  it('skips queued messages that expired while waiting [MQTT-3.3.2-5]', () => {
    const window = new InflightWindow(10);
    window.deliver(null, message('o', 1000), 1, false, null, 0);
    window.deliver(null, message('n', 5000), 1, false, null, 0);
    const sink = new RecordingSink(10);
    window.resume(sink, 2000);
    assert.deepEqual(sink.written.map((w) => w.payload), ['n']);
    assert.deepEqual(sink.drops, ['expired']);
  });

  it('holds messages back while the client is congested and sends them when it drains', () => {
    const window = new InflightWindow(10);
    const sink = new RecordingSink(10);
    sink.congested = true;
    window.deliver(sink, message('a'), 1, false, null, 0);
    assert.equal(sink.written.length, 0);
    sink.congested = false;
    window.drain(sink, 0);
    assert.deepEqual(sink.written.map((w) => w.payload), ['a']);
  });

  it('does not keep a message too large for the client in flight [MQTT-3.1.2-25]', () => {
    const window = new InflightWindow(10);
    const sink = new RecordingSink(10);
    sink.peerMaxPacketSize = 5;
    window.deliver(sink, message('a'), 1, false, null, 0);
    assert.equal(window.inflight.size, 0);
    assert.deepEqual(sink.drops, ['too-large']);
  });

  it('holds at most MAX_QUEUED_BYTES of messages in flight and queued, one message always, and frees them as they complete (R2)', () => {
    const big = (tag: string): Message => new Message('t', Buffer.from('t'), Buffer.alloc(1000, tag), 1, false, null, 0, 'p', 0);
    const window = new InflightWindow(1000, 2500);
    const sink = new RecordingSink(1);
    assert.equal(window.deliver(sink, big('a'), 1, false, null, 0), true, 'in flight');
    assert.equal(window.deliver(sink, big('b'), 1, false, null, 0), true, 'queued');
    assert.equal(window.deliver(sink, big('c'), 1, false, null, 0), false, 'a third would exceed 2,500 bytes');
    assert.deepEqual(sink.drops, ['queue-full']);
    window.complete(sink.written[0].packetId, sink, 0);
    assert.equal(window.deliver(sink, big('d'), 1, false, null, 0), true, 'room again once one completed');
    window.clear();
    assert.equal(window.heldBytes, 0);
    const lone = new InflightWindow(1000, 10);
    assert.equal(lone.deliver(null, big('e'), 1, false, null, 0), true, 'a message larger than the bound still fits alone');
  });

  it('keeps the totals it shares with other windows equal to what they hold, whatever happens to them', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('deliver' as const), w: fc.nat(1), online: fc.boolean(), congested: fc.boolean(), qos: fc.constantFrom<1 | 2>(1, 2), tiny: fc.boolean() }),
      fc.record({ kind: fc.constantFrom('complete' as const, 'received' as const, 'abandon' as const), w: fc.nat(1), pick: fc.nat() }),
      fc.record({ kind: fc.constantFrom('drain' as const, 'resume' as const, 'clear' as const, 'restore' as const), w: fc.nat(1) }),
      fc.record({ kind: fc.constant('discard' as const), w: fc.nat(1), odd: fc.boolean() }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const totals: OutboundTotals = { inflightMessages: 0, queuedMessages: 0 };
        const windows = [0, 1].map(() => new InflightWindow(5, Infinity, new PacketIdAllocator(), RESEND_ON_RECONNECT, totals));
        const sink = new RecordingSink(2);
        let n = 0;
        for (const o of ops) {
          const window = windows[o.w];
          sink.congested = false;
          sink.peerMaxPacketSize = 1 << 20;
          switch (o.kind) {
            case 'deliver':
              sink.congested = o.congested;
              // Too large for the client: dropped when sent, never kept in flight.
              if (o.tiny) sink.peerMaxPacketSize = 5;
              window.deliver(o.online ? sink : null, message(String(n++ % 10)), o.qos, false, null, 0);
              break;
            case 'complete':
            case 'received':
            case 'abandon': {
              const ids = [...window.inflight.keys()];
              const id = ids.length > 0 ? ids[o.pick % ids.length] : 1;
              if (o.kind === 'complete') window.complete(id, sink, 0);
              else if (o.kind === 'received') window.received(id);
              else window.abandon(id, sink, 0);
              break;
            }
            case 'drain':
              window.drain(sink, 0);
              break;
            case 'resume':
              window.resume(sink, 0);
              break;
            case 'clear':
              window.clear();
              break;
            case 'restore':
              window.restore([
                { message: message('r'), qos: 1, retain: false, subscriptionIds: null, packetId: 0, released: false, storeId: 0 },
                { message: message('s'), qos: 2, retain: false, subscriptionIds: null, packetId: 60000 + n++, released: false, storeId: 0 },
              ]);
              break;
            case 'discard': {
              let i = 0;
              window.discard(() => i++ % 2 === (o.odd ? 1 : 0));
              break;
            }
          }
          assert.equal(totals.inflightMessages, windows[0].inflight.size + windows[1].inflight.size, `in flight after ${o.kind}`);
          assert.equal(totals.queuedMessages, windows[0].queued + windows[1].queued, `queued after ${o.kind}`);
        }
      }),
      { numRuns: 300 },
    );
  });
});
