import { Message } from '../routing/message';
import { PacketIdAllocator } from './packet-id-allocator';
import { PacketSink } from './packet-sink';
import { RESEND_ON_RECONNECT, RedeliveryPolicy } from './redelivery-policy';

/** A QoS 1/2 message on its way to one session. */
export interface Outbound {
  message: Message;
  qos: 1 | 2;
  retain: boolean;
  subscriptionIds: number[] | null;
  /** 0 while queued; set when first sent. */
  packetId: number;
  /** QoS 2: PUBREC received and PUBREL sent; only PUBCOMP is awaited. */
  released: boolean;
  /** Identifier of the stored copy (persistent sessions); 0 = not stored. */
  storeId: number;
}

/** Where a persistent session's outgoing messages are kept while they are on their way. */
export interface OutboundJournal {
  /** A message joined the session (queued or sent): store it, setting `storeId`. */
  added(outbound: Outbound): void;
  /** Sent with `packetId`, or released (PUBREL sent): record the state. */
  progressed(outbound: Outbound): void;
  /** Acknowledged, expired or dropped. */
  removed(outbound: Outbound): void;
}

/**
 * Where every window adds what it holds, so that the totals over all sessions are read, not summed: the
 * broker's stats (Prometheus' in-flight and queued gauges).
 */
export interface OutboundTotals {
  /** QoS 1/2 PUBLISH sent and not yet acknowledged (PUBACK, PUBCOMP). */
  inflightMessages: number;
  /** QoS 1/2 messages waiting for room in flight, for a client that reads or for one to connect. */
  queuedMessages: number;
}

/**
 * Outgoing QoS 1 and 2 for one session: at most Receive Maximum messages unacknowledged [MQTT-4.9.0-2],
 * the rest queued in order (bounded), acknowledgements freeing the window, and everything unacknowledged
 * resent on reconnect with DUP set, PUBRELs first in their original order [MQTT-4.4.0-1].
 */
export class InflightWindow {
  /** In send order: Map keeps insertion order, which is the order resends must follow [MQTT-4.6.0-1]. */
  readonly inflight = new Map<number, Outbound>();
  private queue: Outbound[] = [];
  private queueHead = 0;
  private readonly isInFlight = (id: number): boolean => this.inflight.has(id);

  /** Set while the session is persistent. */
  journal: OutboundJournal | null = null;
  /** Bytes of the messages this window holds, in flight and queued. */
  heldBytes = 0;

  constructor(
    private readonly maxQueued: number,
    /** Bytes of messages held at most, in flight and queued; one message is always let in. */
    private readonly maxHeldBytes = Infinity,
    private readonly ids = new PacketIdAllocator(),
    private readonly redelivery: RedeliveryPolicy = RESEND_ON_RECONNECT,
    /** Kept in step with `inflight.size` and `queued` at every change below. */
    private readonly totals: OutboundTotals = { inflightMessages: 0, queuedMessages: 0 },
  ) {}

  /** Messages stored before a restart: those already sent back in flight, the rest queued, in order. */
  restore(outbounds: Outbound[]): void {
    const inflightBefore = this.inflight.size;
    const queuedBefore = this.queued;
    for (const o of outbounds) {
      this.heldBytes += o.message.byteSize;
      if (o.packetId !== 0) this.inflight.set(o.packetId, o);
      else this.queue.push(o);
    }
    this.totals.inflightMessages += this.inflight.size - inflightBefore;
    this.totals.queuedMessages += this.queued - queuedBefore;
  }

  get queued(): number {
    return this.queue.length - this.queueHead;
  }

  /** What is still owed, in flight first, then queued in order, `limit` at most: for the admin API, never the hot path. */
  owed(limit: number): Outbound[] {
    const out: Outbound[] = [];
    for (const o of this.inflight.values()) {
      if (out.length >= limit) return out;
      out.push(o);
    }
    for (let i = this.queueHead; i < this.queue.length && out.length < limit; i++) out.push(this.queue[i]);
    return out;
  }

  /** Sends now if the window has room and nothing waits before it; else queues. False when dropped. */
  deliver(sink: PacketSink | null, message: Message, qos: 1 | 2, retain: boolean, subscriptionIds: number[] | null, now: number): boolean {
    const outbound: Outbound = { message, qos, retain, subscriptionIds, packetId: 0, released: false, storeId: 0 };
    const sendNow = sink !== null && this.queued === 0 && this.inflight.size < sink.peerReceiveMaximum && !sink.congested;
    const size = message.byteSize;
    if ((!sendNow && this.queued >= this.maxQueued) || (this.heldBytes > 0 && this.heldBytes + size > this.maxHeldBytes)) {
      sink?.dropped('queue-full');
      return false;
    }
    this.heldBytes += size;
    this.journal?.added(outbound);
    if (sendNow) {
      this.send(sink, outbound, now);
    } else {
      this.queue.push(outbound);
      this.totals.queuedMessages++;
    }
    return true;
  }

  /** PUBACK (QoS 1) or PUBCOMP (QoS 2): the exchange is over. False when the identifier was not in flight. */
  complete(packetId: number, sink: PacketSink | null, now: number): boolean {
    const outbound = this.inflight.get(packetId);
    if (outbound === undefined) return false;
    this.inflight.delete(packetId);
    this.totals.inflightMessages--;
    this.heldBytes -= outbound.message.byteSize;
    if (outbound.storeId !== 0) this.journal?.removed(outbound);
    if (sink !== null) this.drain(sink, now);
    return true;
  }

  /** PUBREC: answered with PUBREL; the message is no longer resent, only the PUBREL [MQTT-4.3.3-5]. */
  received(packetId: number): boolean {
    const outbound = this.inflight.get(packetId);
    if (outbound === undefined || outbound.qos !== 2) return false;
    if (!outbound.released) {
      outbound.released = true;
      if (outbound.storeId !== 0) this.journal?.progressed(outbound);
    }
    return true;
  }

  /** A PUBREC with a failure reason code ends a QoS 2 exchange there [MQTT-4.3.3-4]. */
  abandon(packetId: number, sink: PacketSink | null, now: number): void {
    this.complete(packetId, sink, now);
  }

  /**
   * Fills the window from the queue, skipping messages that expired while waiting [MQTT-3.3.2-5]; stops
   * while the client is not reading (the connection calls again when its socket drains).
   */
  drain(sink: PacketSink, now: number): void {
    while (this.queued > 0 && this.inflight.size < sink.peerReceiveMaximum && !sink.congested) {
      const outbound = this.queue[this.queueHead];
      this.queue[this.queueHead++] = undefined as unknown as Outbound;
      this.totals.queuedMessages--;
      if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.queueHead);
        this.queueHead = 0;
      }
      if (outbound.message.isExpired(now)) {
        this.heldBytes -= outbound.message.byteSize;
        sink.dropped('expired');
        if (outbound.storeId !== 0) this.journal?.removed(outbound);
        continue;
      }
      this.send(sink, outbound, now);
    }
  }

  /** On session resume: resend what is unacknowledged (as the redelivery policy says), then what was queued. */
  resume(sink: PacketSink, now: number): void {
    this.redelivery.resend(this.inflight.values(), sink, now);
    this.drain(sink, now);
  }

  /**
   * Drops the messages `unwanted` picks, in flight (unless already released: the client has it, only the
   * PUBREL handshake remains) and queued; returns how many went.
   */
  discard(unwanted: (outbound: Outbound) => boolean): number {
    const inflightBefore = this.inflight.size;
    const queuedBefore = this.queued;
    let count = 0;
    const gone = (o: Outbound): void => {
      this.heldBytes -= o.message.byteSize;
      if (o.storeId !== 0) this.journal?.removed(o);
      count++;
    };
    for (const [packetId, o] of this.inflight) {
      if (o.released || !unwanted(o)) continue;
      this.inflight.delete(packetId);
      gone(o);
    }
    const kept: Outbound[] = [];
    for (let i = this.queueHead; i < this.queue.length; i++) {
      const o = this.queue[i];
      if (unwanted(o)) gone(o);
      else kept.push(o);
    }
    this.queue = kept;
    this.queueHead = 0;
    this.totals.inflightMessages -= inflightBefore - this.inflight.size;
    this.totals.queuedMessages -= queuedBefore - this.queued;
    return count;
  }

  /** Drops everything (Clean Start, session end). */
  clear(): void {
    this.totals.inflightMessages -= this.inflight.size;
    this.totals.queuedMessages -= this.queued;
    this.inflight.clear();
    this.queue = [];
    this.queueHead = 0;
    this.heldBytes = 0;
  }

  private send(sink: PacketSink, outbound: Outbound, now: number): void {
    const bytes = sink.encodePublish(outbound.message, outbound.qos, outbound.retain, false, outbound.subscriptionIds, now);
    if (bytes === null) {
      // Too large for the client: discarded as if sent and acknowledged [MQTT-3.1.2-25].
      this.heldBytes -= outbound.message.byteSize;
      if (outbound.storeId !== 0) this.journal?.removed(outbound);
      return;
    }
    const packetId = this.ids.allocate(this.isInFlight);
    outbound.packetId = packetId;
    this.inflight.set(packetId, outbound);
    this.totals.inflightMessages++;
    if (outbound.storeId !== 0) this.journal?.progressed(outbound);
    sink.writePublish(bytes, packetId, outbound.qos);
  }
}
