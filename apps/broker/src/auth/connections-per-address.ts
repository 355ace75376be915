import { addressKey } from './login-throttle';

/**
 * Open connections per client address (IPv6 per /64, IPv4-mapped as IPv4, as the login throttle counts
 * them), capped by MAX_CONNECTIONS_PER_IP; 0 = no cap, and then nothing is counted. A connection beyond
 * the cap is closed as it is accepted, before a byte of it is read: no parser, no CONNECT timer, no
 * CONNACK (its protocol level is not known yet, and a flood of idle sockets is what the cap is for).
 */
export class ConnectionsPerAddress {
  private readonly open = new Map<string, number>();

  constructor(readonly max: number) {}

  /** Takes a place for a new connection from `address`; false when the address has its cap already. */
  enter(address: string): boolean {
    if (this.max === 0) return true;
    const key = addressKey(address);
    const count = this.open.get(key) ?? 0;
    if (count >= this.max) return false;
    this.open.set(key, count + 1);
    return true;
  }

  /** A connection entered with `address` closed. */
  leave(address: string): void {
    if (this.max === 0) return;
    const key = addressKey(address);
    const count = this.open.get(key);
    if (count === undefined) return;
    if (count <= 1) this.open.delete(key);
    else this.open.set(key, count - 1);
  }

  /** Connections counted from this address's key, for tests and the admin API. */
  count(address: string): number {
    return this.open.get(addressKey(address)) ?? 0;
  }
}
