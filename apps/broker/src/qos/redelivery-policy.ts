import { PacketType, encodePacket } from '@nestmq/mqtt-protocol';
import type { Outbound } from './inflight-window';
import { PacketSink } from './packet-sink';

/**
 * What a resumed session is sent again: every unacknowledged PUBLISH with DUP set, and for every QoS 2
 * exchange already past PUBREC only its PUBREL, all in their original order [MQTT-4.4.0-1, MQTT-4.3.3-5].
 * MQTT 5 resends only then, on a new connection, never on a timer: a client that is slow to acknowledge
 * on a live connection is waited for.
 */
export class RedeliveryPolicy {
  resend(inflight: Iterable<Outbound>, sink: PacketSink, now: number): void {
    for (const outbound of inflight) {
      if (outbound.released) {
        sink.write(encodePacket({ type: PacketType.Pubrel, packetId: outbound.packetId, reasonCode: 0 }, sink.v5 ? 5 : 4)!);
      } else {
        const bytes = sink.encodePublish(outbound.message, outbound.qos, outbound.retain, true, outbound.subscriptionIds, now);
        if (bytes !== null) sink.writePublish(bytes, outbound.packetId, outbound.qos);
      }
    }
  }
}

/** The one policy the broker runs; a window built without one uses it too. */
export const RESEND_ON_RECONNECT = new RedeliveryPolicy();
