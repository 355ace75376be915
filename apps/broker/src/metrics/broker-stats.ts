/** Counters the hot path bumps with plain increments; $SYS and /metrics read them. */
export class BrokerStats {
  readonly startedAt = Date.now();
  clientsConnected = 0;
  clientsMaximum = 0;
  connectionsTotal = 0;
  messagesReceived = 0;
  /** Packets sent other than PUBLISH (CONNACK, acknowledgements, PINGRESP, DISCONNECT, ...). */
  messagesSent = 0;
  publishReceived = 0;
  publishSent = 0;
  bytesReceived = 0;
  bytesSent = 0;
  droppedTooLarge = 0;
  droppedQueueFull = 0;
  droppedSlowConsumer = 0;
  droppedExpired = 0;
  protocolErrors = 0;
  /** Unexpected errors caught at a connection's boundary (the connection was closed). */
  internalErrors = 0;
  /** Retained PUBLISH refused because the retained store is full (0x97). */
  retainedRefused = 0;
  /** CONNECTs refused with 0x89 because too many were awaiting authentication. */
  connectsRefusedBusy = 0;
  /** CONNECTs refused with 0x9F, unchecked, because their address or user name had too many failed logins. */
  connectsRefusedThrottled = 0;
  /** Connections closed before their CONNECT was whole because MAX_CONNECTING_BYTES was reached. */
  connectsRefusedConnectingBytes = 0;

  /** Every packet sent, PUBLISH included. */
  get packetsSent(): number {
    return this.messagesSent + this.publishSent;
  }

  /** PUBLISH not delivered, for whatever reason. */
  get publishDropped(): number {
    return this.droppedQueueFull + this.droppedSlowConsumer + this.droppedTooLarge + this.droppedExpired;
  }
}
