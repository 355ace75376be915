import { InflightWindow, OutboundTotals } from './inflight-window';
import { PacketIdAllocator } from './packet-id-allocator';
import { RedeliveryPolicy } from './redelivery-policy';

/** MAX_QUEUED_MESSAGES and MAX_QUEUED_BYTES: what one session's window holds at most, in flight and queued. */
export interface QueueLimits {
  messages: number;
  bytes: number;
}

/** Packet Identifiers are per session: each window gets an allocator of its own. */
export class PacketIdAllocators {
  create(): PacketIdAllocator {
    return new PacketIdAllocator();
  }
}

/** Each session's outbound window, built with the broker's limits, its own identifiers, the redelivery policy and the broker's totals. */
export class InflightWindows {
  constructor(
    readonly limits: QueueLimits,
    private readonly allocators: PacketIdAllocators,
    private readonly redelivery: RedeliveryPolicy,
    /** Where every window counts its messages in flight and queued. */
    private readonly totals: OutboundTotals = { inflightMessages: 0, queuedMessages: 0 },
  ) {}

  create(): InflightWindow {
    return new InflightWindow(this.limits.messages, this.limits.bytes, this.allocators.create(), this.redelivery, this.totals);
  }
}
