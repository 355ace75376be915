/**
 * MAX_INFLIGHT_MESSAGES: the server's own cap on unacknowledged QoS 1/2 messages sent to one client,
 * applied below the client's Receive Maximum and announced nowhere (Mosquitto's max_inflight_messages).
 * A client announcing 65,535 would otherwise have the broker hold that many messages for it.
 */
export class InflightCap {
  constructor(readonly max: number) {}

  /** The window a client gets: its Receive Maximum (65,535 when absent, §3.1.2.11.3), at most the cap. */
  receiveMaximumFor(clientReceiveMaximum: number | undefined): number {
    return Math.min(clientReceiveMaximum ?? 65535, this.max);
  }
}
