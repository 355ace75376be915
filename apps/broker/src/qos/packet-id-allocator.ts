/**
 * Packet Identifiers for one session's outgoing QoS 1/2 PUBLISH: non-zero [MQTT-2.2.1-3], and not reused
 * while the previous exchange with that identifier is unfinished [MQTT-2.2.1-4].
 */
export class PacketIdAllocator {
  private next = 1;

  /** The next free identifier; `inUse` answers for the session's in-flight set. Returns 0 when all 65,535 are taken. */
  allocate(inUse: (id: number) => boolean): number {
    for (let tries = 0; tries < 65535; tries++) {
      const id = this.next;
      this.next = id === 65535 ? 1 : id + 1;
      if (!inUse(id)) return id;
    }
    return 0;
  }
}
