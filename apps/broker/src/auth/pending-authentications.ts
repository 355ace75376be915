/**
 * CONNECTs waiting for their authentication answer, bounded in total and per client address. Each one
 * holds its CONNECT packet (will, properties, password) until the answer comes, and password checks queue
 * behind each other: without a bound, a flood of CONNECTs with wrong passwords grows memory and delays
 * every honest login. Beyond a bound the CONNECT is refused at once with 0x89 Server busy.
 */
export class PendingAuthentications {
  private total = 0;
  private readonly byAddress = new Map<string, number>();

  constructor(
    private readonly maxTotal: number,
    private readonly maxPerAddress: number,
  ) {}

  get size(): number {
    return this.total;
  }

  /** Takes a place for a CONNECT from `address`; false when a bound is reached. */
  enter(address: string): boolean {
    const fromAddress = this.byAddress.get(address) ?? 0;
    if (this.total >= this.maxTotal || fromAddress >= this.maxPerAddress) return false;
    this.total++;
    this.byAddress.set(address, fromAddress + 1);
    return true;
  }

  leave(address: string): void {
    const fromAddress = this.byAddress.get(address);
    if (fromAddress === undefined) return;
    this.total--;
    if (fromAddress <= 1) this.byAddress.delete(address);
    else this.byAddress.set(address, fromAddress - 1);
  }
}
