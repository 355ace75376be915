import { QoS } from '@nestmq/mqtt-protocol';
import type { Message } from '../routing/message';

/** What the QoS machinery needs of a live connection: where packets go and the peer's limits. */
export interface PacketSink {
  /** MQTT 5.0 connection (properties on the wire). */
  readonly v5: boolean;
  /** The client's Maximum Packet Size; larger packets are never sent to it [MQTT-3.1.2-24]. */
  readonly peerMaxPacketSize: number;
  /** The client's Receive Maximum: QoS 1/2 PUBLISH unacknowledged at once [MQTT-3.3.4-9]. */
  readonly peerReceiveMaximum: number;
  /** The client reads too slowly: more output pending than allowed. QoS 1/2 wait in the queue meanwhile. */
  readonly congested: boolean;
  /** Queues a whole packet for this turn's single write. */
  write(bytes: Buffer): void;
  /**
   * The PUBLISH bytes of a delivery to this connection, Packet Identifier left 0 for writePublish to patch:
   * the encoding shared by every subscriber where possible, this connection's Topic Alias where it has
   * them. Null when the packet exceeds the client's Maximum Packet Size (the drop is counted).
   */
  encodePublish(message: Message, qos: QoS, retain: boolean, dup: boolean, subscriptionIds: number[] | null, now: number): Buffer | null;
  /** Queues a PUBLISH shared with other subscribers, with this subscriber's Packet Identifier patched in; `qos` is what it was encoded with. */
  writePublish(bytes: Buffer, packetId: number, qos: QoS): void;
  /** Counts a message the broker had to drop for this client (too large, queue full, slow consumer). */
  dropped(reason: DropReason): void;
}

export type DropReason = 'too-large' | 'queue-full' | 'slow-consumer' | 'expired';
