/**
 * Bytes held by connections that have not yet sent a whole CONNECT, in total. Before CONNECT nobody is
 * authenticated, and a socket may announce a packet of MAX_PACKET_SIZE and send it a byte at a time until
 * CONNECT_TIMEOUT: without a shared bound, a thousand such sockets hold gigabytes.
 */
export class ConnectingBytes {
  private total = 0;

  constructor(readonly max: number) {}

  get held(): number {
    return this.total;
  }

  /** One connection now holds `now` bytes instead of `before`; false (nothing changed) when the total would pass the bound. */
  update(before: number, now: number): boolean {
    const total = this.total - before + now;
    if (now > before && total > this.max) return false;
    this.total = total;
    return true;
  }
}
