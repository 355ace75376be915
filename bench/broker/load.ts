/**
 * Load roles over RawClient: publishers that write pre-encoded PUBLISH batches (sequence number and
 * packet identifier patched in place, one socket.write per batch) and run the QoS 1/2 flows themselves;
 * subscribers that acknowledge every delivery and check each publisher's sequence for gaps and duplicates.
 *
 * Every payload is 64 bytes: magic "NMQB", publisher index (u32 LE), sequence number (u32 LE), send time
 * (f64 LE, performance.now() in ms; latency runs only), zeros.
 */
import { PacketType, PublishView, QoS, encodePacket, publishPacketIdOffset } from '@nestmq/mqtt-protocol';
import { performance } from 'node:perf_hooks';
import { Anomalies, RawClient } from './client';

export const PAYLOAD_BYTES = 64;
const MAGIC = 0x42514d4e; // "NMQB" read as u32 LE
const OFF_PUBLISHER = 4;
const OFF_SEQ = 8;
const OFF_TIME = 12;
/** Messages per socket.write at most. */
const MAX_BATCH = 1024;

/** One publisher's sequence as one subscriber sees it. */
export class SeqTracker {
  /** One past the highest sequence number seen. */
  next = 0;
  /** Distinct messages received. */
  received = 0;
  /** Sequence numbers skipped so far (a later one arrived first); lowered again by late arrivals. */
  skipped = 0;
  /** Arrived after a later one (out of order). */
  late = 0;
  /** Seen before, DUP flag clear: never allowed. */
  duplicates = 0;
  /** Seen before, DUP flag set: a redelivery, allowed for QoS 1. */
  redelivered = 0;
  /** Skipped ranges as [start, end) pairs, so that a late arrival is not mistaken for a duplicate. */
  private gaps: number[] = [];

  on(seq: number, dup: boolean): void {
    if (seq === this.next) {
      this.next++;
      this.received++;
    } else if (seq > this.next) {
      this.skipped += seq - this.next;
      if (this.gaps.length < 20_000) this.gaps.push(this.next, seq);
      this.next = seq + 1;
      this.received++;
    } else if (this.fillGap(seq)) {
      this.skipped--;
      this.late++;
      this.received++;
    } else if (dup) {
      this.redelivered++;
    } else {
      this.duplicates++;
    }
  }

  private fillGap(seq: number): boolean {
    const g = this.gaps;
    for (let i = 0; i < g.length; i += 2) {
      if (seq >= g[i] && seq < g[i + 1]) {
        // Split [a, b) into [a, seq) and [seq + 1, b).
        const end = g[i + 1];
        g[i + 1] = seq;
        if (seq + 1 < end) g.push(seq + 1, end);
        return true;
      }
    }
    return false;
  }
}

export class Publisher {
  /** Messages sent: the next sequence number. */
  sent = 0;
  /** QoS 1/2 exchanges completed (PUBACK, or PUBCOMP). */
  completed = 0;
  running = false;
  /** Highest sequence number (exclusive) that end-to-end flow control allows now. */
  limit: () => number = () => Infinity;
  /** Fewer messages than this are not worth a write while more are coming (QoS 0 only). */
  minBatch = 1;

  private blocked = false;
  private readonly packetLength: number;
  private readonly payloadOffset: number;
  private readonly idOffset: number;
  private readonly batchTemplate: Buffer;
  /** By packet identifier: the sequence number in flight, or -1. */
  private readonly inflightSeq = new Int32Array(65536).fill(-1);
  /** By packet identifier: PUBREC received, PUBREL sent (QoS 2). */
  private readonly released = new Uint8Array(65536);
  private readonly freeIds: number[] = [];
  private pubrels: number[] = [];

  constructor(
    readonly client: RawClient,
    readonly index: number,
    topic: string,
    readonly qos: QoS,
    /** Unacknowledged QoS 1/2 messages at most (the publisher's in-flight window). */
    readonly inflight: number,
    private readonly anomalies: Anomalies,
  ) {
    const payload = Buffer.alloc(PAYLOAD_BYTES);
    payload.writeUInt32LE(MAGIC, 0);
    payload.writeUInt32LE(index, OFF_PUBLISHER);
    const template = encodePacket(
      { type: PacketType.Publish, topic, payload, qos, retain: false, dup: false, ...(qos > 0 ? { packetId: 1 } : {}) },
      client.options.protocolVersion,
    )!;
    this.packetLength = template.length;
    this.payloadOffset = template.length - PAYLOAD_BYTES;
    this.idOffset = qos > 0 ? publishPacketIdOffset(template) : -1;
    this.batchTemplate = Buffer.allocUnsafe(template.length * MAX_BATCH);
    for (let i = 0; i < MAX_BATCH; i++) template.copy(this.batchTemplate, i * template.length);
    for (let id = Math.min(inflight, 65535); id >= 1; id--) this.freeIds.push(id);
    client.onAck = this.onAck;
    client.onChunkEnd = this.onChunkEnd;
    client.onDrain = () => {
      this.blocked = false;
      this.pump();
    };
  }

  /** Messages sent and not yet completed (QoS 1/2). */
  get unacknowledged(): number {
    return this.qos === 0 ? 0 : this.sent - this.completed;
  }

  /** Sends as much as flow control, the in-flight window and the socket allow, in batches. */
  pump(): void {
    while (this.running && !this.blocked) {
      let n = Math.min(this.limit() - this.sent, MAX_BATCH);
      if (this.qos > 0) n = Math.min(n, this.freeIds.length);
      if (n <= 0 || n < this.minBatch) return;
      this.writeBatch(n, 0);
    }
  }

  /** One message stamped with the current time (latency runs); false when the window is full. */
  sendStamped(): boolean {
    if (this.qos > 0 && this.freeIds.length === 0) return false;
    this.writeBatch(1, performance.now());
    return true;
  }

  private writeBatch(n: number, time: number): void {
    const len = this.packetLength;
    const buf = Buffer.allocUnsafe(n * len);
    this.batchTemplate.copy(buf, 0, 0, n * len);
    let seq = this.sent;
    const idOffset = this.idOffset;
    for (let i = 0, at = 0; i < n; i++, at += len) {
      const p = at + this.payloadOffset + OFF_SEQ;
      buf[p] = seq & 0xff;
      buf[p + 1] = (seq >>> 8) & 0xff;
      buf[p + 2] = (seq >>> 16) & 0xff;
      buf[p + 3] = seq >>> 24;
      if (time !== 0) buf.writeDoubleLE(time, at + this.payloadOffset + OFF_TIME);
      if (idOffset >= 0) {
        const id = this.freeIds.pop()!;
        buf[at + idOffset] = id >> 8;
        buf[at + idOffset + 1] = id & 0xff;
        this.inflightSeq[id] = seq;
      }
      seq++;
    }
    this.sent = seq;
    if (!this.client.write(buf)) this.blocked = true;
  }

  private readonly onAck = (type: PacketType, id: number, reasonCode: number): void => {
    if (reasonCode >= 0x80) this.anomalies.add(`${PacketType[type]} with reason code 0x${reasonCode.toString(16)} to a publisher`);
    if (this.qos === 0 || this.inflightSeq[id] < 0) {
      this.anomalies.add(`${PacketType[type]} for packet id not in flight (publisher, QoS ${this.qos})`);
      return;
    }
    if (this.qos === 1) {
      if (type !== PacketType.Puback) return this.anomalies.add(`${PacketType[type]} to a QoS 1 publisher`);
      this.finish(id);
    } else if (type === PacketType.Pubrec) {
      if (this.released[id] === 1) return this.anomalies.add('PUBREC repeated (publisher)');
      if (reasonCode >= 0x80) return this.finish(id);
      this.released[id] = 1;
      this.pubrels.push(id);
    } else if (type === PacketType.Pubcomp) {
      if (this.released[id] !== 1) return this.anomalies.add('PUBCOMP before PUBREC (publisher)');
      this.released[id] = 0;
      this.finish(id);
    } else {
      this.anomalies.add(`${PacketType[type]} to a QoS 2 publisher`);
    }
  };

  private finish(id: number): void {
    this.inflightSeq[id] = -1;
    this.freeIds.push(id);
    this.completed++;
  }

  private readonly onChunkEnd = (): void => {
    if (this.pubrels.length > 0) {
      this.client.write(ackBatch(0x62, this.pubrels));
      this.pubrels = [];
    }
    this.pump();
  };
}

/** PUBACK/PUBREC/PUBREL/PUBCOMP without reason code, one per identifier, in one buffer. */
function ackBatch(firstByte: number, ids: readonly number[]): Buffer {
  const buf = Buffer.allocUnsafe(ids.length * 4);
  for (let i = 0, at = 0; i < ids.length; i++, at += 4) {
    buf[at] = firstByte;
    buf[at + 1] = 2;
    buf[at + 2] = ids[i] >> 8;
    buf[at + 3] = ids[i] & 0xff;
  }
  return buf;
}

export class Subscriber {
  readonly trackers: SeqTracker[];
  /** Distinct messages received, all publishers. */
  received = 0;
  /** Payloads that are not ours, or from an unknown publisher. */
  corrupt = 0;
  /** Deliveries at a QoS other than expected. */
  wrongQoS = 0;
  /** QoS 2 deliveries answered with PUBREC whose PUBREL has not come yet. */
  openQoS2 = 0;
  /** Latency samples (ms) of sequence numbers >= recordFrom, when not null. */
  latencies: number[] | null = null;
  recordFrom = 0;
  /** Called once per received chunk that held deliveries. */
  onProgress: () => void = () => {};

  /** By publisher: QoS 2 deliveries answered with PUBREC, PUBREL not yet received. */
  private readonly openByPublisher: Int32Array;
  /** By packet identifier: 1 + the publisher of the QoS 2 delivery awaiting PUBREL, or 0. */
  private readonly openQoS2Publisher = new Int32Array(65536);
  private pubacks: number[] = [];
  private pubrecs: number[] = [];
  private pubcomps: number[] = [];

  constructor(
    readonly client: RawClient,
    publishers: number,
    /** The QoS deliveries must arrive at. */
    readonly qos: QoS,
    private readonly anomalies: Anomalies,
  ) {
    this.trackers = Array.from({ length: publishers }, () => new SeqTracker());
    this.openByPublisher = new Int32Array(publishers);
    client.onPublish = this.onPublish;
    client.onAck = this.onAck;
    client.onChunkEnd = this.onChunkEnd;
  }

  /**
   * How far publisher `index` may count as done here, for end-to-end flow control: one past the highest
   * sequence number received, less the QoS 2 exchanges still waiting for PUBREL (a broker may put new
   * deliveries ahead of PUBRELs; without this the open exchanges would grow without bound).
   */
  progress(index: number): number {
    return this.trackers[index].next - this.openByPublisher[index];
  }

  private readonly onPublish = (view: PublishView): void => {
    const qos = view.qos;
    if (qos !== this.qos) this.wrongQoS++;
    const b = view.buffer;
    const p = view.payloadStart;
    const publisher = view.payloadEnd - p === PAYLOAD_BYTES && b.readUInt32LE(p) === MAGIC ? b.readUInt32LE(p + OFF_PUBLISHER) : -1;
    if (qos === 1) this.pubacks.push(view.packetId);
    else if (qos === 2) {
      this.pubrecs.push(view.packetId);
      if (this.openQoS2Publisher[view.packetId] !== 0) this.anomalies.add('QoS 2 delivery reusing a packet id awaiting PUBREL');
      else {
        this.openQoS2++;
        this.openQoS2Publisher[view.packetId] = publisher + 1;
        if (publisher >= 0 && publisher < this.openByPublisher.length) this.openByPublisher[publisher]++;
      }
    }
    const tracker = publisher >= 0 ? this.trackers[publisher] : undefined;
    if (tracker === undefined) {
      this.corrupt++;
      return;
    }
    const seq = b.readUInt32LE(p + OFF_SEQ);
    const before = tracker.received;
    tracker.on(seq, view.dup);
    if (tracker.received !== before) {
      this.received++;
      if (this.latencies !== null && seq >= this.recordFrom) this.latencies.push(performance.now() - b.readDoubleLE(p + OFF_TIME));
    }
  };

  private readonly onAck = (type: PacketType, id: number): void => {
    if (type === PacketType.Pubrel && this.qos === 2) {
      this.pubcomps.push(id);
      const publisher = this.openQoS2Publisher[id] - 1;
      if (publisher === -1) {
        this.anomalies.add('PUBREL for a packet id without an open QoS 2 delivery');
        return;
      }
      this.openQoS2Publisher[id] = 0;
      this.openQoS2--;
      if (publisher >= 0 && publisher < this.openByPublisher.length) this.openByPublisher[publisher]--;
    } else {
      this.anomalies.add(`${PacketType[type]} to a subscriber`);
    }
  };

  private readonly onChunkEnd = (): void => {
    const { pubacks, pubrecs, pubcomps } = this;
    const n = pubacks.length + pubrecs.length + pubcomps.length;
    if (n > 0) {
      // One write for all acknowledgements of the chunk, in the order the flows need no more than that.
      const acks = [pubacks.length ? ackBatch(0x40, pubacks) : null, pubrecs.length ? ackBatch(0x50, pubrecs) : null, pubcomps.length ? ackBatch(0x70, pubcomps) : null];
      const parts = acks.filter((a): a is Buffer => a !== null);
      this.client.write(parts.length === 1 ? parts[0] : Buffer.concat(parts));
      this.pubacks = [];
      this.pubrecs = [];
      this.pubcomps = [];
    }
    this.onProgress();
  };
}
