/** What the QoS machinery needs of a live connection: where packets go and the peer's limits. */
export interface PacketSink {
  /** MQTT 5.0 connection (properties on the wire). */
  readonly v5: boolean;
  /** The client's Maximum Packet Size; larger packets are never sent to it [MQTT-3.1.2-24]. */
  readonly peerMaxPacketSize: number;
  /** The client's Receive Maximum: QoS 1/2 PUBLISH unacknowledged at once [MQTT-3.3.4-9]. */
  readonly peerReceiveMaximum: number;
  /** Queues a whole packet for this turn's single write. */
  write(bytes: Buffer): void;
  /** Queues a PUBLISH shared with other subscribers, with this subscriber's Packet Identifier patched in. */
  writePublish(bytes: Buffer, packetId: number): void;
  /** Counts a message the broker had to drop for this client (too large, queue full, slow consumer). */
  dropped(reason: DropReason): void;
}

export type DropReason = 'too-large' | 'queue-full' | 'slow-consumer' | 'expired';
