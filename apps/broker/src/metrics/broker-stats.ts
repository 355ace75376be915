import type { OutboundTotals } from '../qos/inflight-window';

/** Counters the hot path bumps with plain increments; $SYS and /metrics read them. */
export class BrokerStats implements OutboundTotals {
  readonly startedAt = Date.now();
  clientsConnected = 0;
  clientsMaximum = 0;
  connectionsTotal = 0;
  messagesReceived = 0;
  /** Packets sent other than PUBLISH (CONNACK, acknowledgements, PINGRESP, DISCONNECT, ...). */
  messagesSent = 0;
  /** PUBLISH received, by QoS (0, 1, 2): one increment at a fixed index, no lookup, no allocation. */
  readonly publishReceivedByQoS = new Float64Array(3);
  /** PUBLISH sent, by QoS, resends included. */
  readonly publishSentByQoS = new Float64Array(3);
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
  /** CONNECTs refused with 0x88 because an authentication backend could not answer (timeout, unreachable, bad answer). */
  connectsRefusedAuthBackend = 0;
  /** Connections closed at once because their address had MAX_CONNECTIONS_PER_IP connections already. */
  connectsRefusedPerAddress = 0;
  /** Connections closed because the credentials they connected with expired (a token's `exp`). */
  credentialsExpired = 0;
  /** Connections closed before their CONNECT was whole because MAX_CONNECTING_BYTES was reached. */
  connectsRefusedConnectingBytes = 0;
  /** Requests made to the HTTP ACL hook (AUTH_HTTP_ACL_URL), and those that got no usable answer (refused with 0x80, or 0x88 for a will). */
  aclHookRequests = 0;
  aclHookFailures = 0;
  /** QoS 1/2 PUBLISH sent and not yet acknowledged, all sessions: kept by their inflight windows. */
  inflightMessages = 0;
  /** QoS 1/2 messages waiting in sessions' queues, online and offline: kept by their inflight windows. */
  queuedMessages = 0;

  get publishReceived(): number {
    const q = this.publishReceivedByQoS;
    return q[0] + q[1] + q[2];
  }

  get publishSent(): number {
    const q = this.publishSentByQoS;
    return q[0] + q[1] + q[2];
  }

  /** Every packet sent, PUBLISH included. */
  get packetsSent(): number {
    return this.messagesSent + this.publishSent;
  }

  /** PUBLISH not delivered, for whatever reason. */
  get publishDropped(): number {
    return this.droppedQueueFull + this.droppedSlowConsumer + this.droppedTooLarge + this.droppedExpired;
  }
}
