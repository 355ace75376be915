import { ReasonCode } from '@nestmq/mqtt-protocol';
import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { AuthResult, Authenticator, Credentials, ThrottledBy } from './authenticator';

export interface LoginThrottleOptions {
  /** Failed logins an address may have in a burst; 0 = no limit per address. */
  failuresPerAddress: number;
  /** Failed logins a user name may have in a burst, from anywhere; 0 = no limit per user name. */
  failuresPerUser: number;
  /** Milliseconds in which the failures of a full burst are forgiven; 0 = no limit at all. */
  windowMs: number;
  /** Bytes each table (addresses, user names) may hold; the least recently failed are forgotten first. */
  maxBytes: number;
  /** A monotonic clock in milliseconds; tests pass their own. */
  now?: () => number;
}

/**
 * Failed logins per client address and per claimed user name. Past the limit, a CONNECT from that address
 * or for that user name is refused before its password is checked, so a password guesser, or a flood of
 * CONNECTs with made-up names, costs no bcrypt work and gets no answer about its guesses.
 *
 * Each count is a leaky bucket: a failure adds one, and the count drains continuously at `limit` per
 * window. Once `limit` failures have come faster than that, the next CONNECT is refused until one has
 * drained (window / limit later), so a guesser gets at most `limit` guesses a window in the long run,
 * while a person who mistyped a few times waits seconds, not the whole window. Refused CONNECTs do not
 * count: the count drains while a client keeps knocking. Checks already running when the limit is
 * reached still count when they fail (at most MAX_PENDING_CONNECTS_PER_ADDRESS of them).
 *
 * A success forgets the failures of its user name, not of its address: a guesser behind the same NAT as
 * honest devices must not be forgiven by their logins. Every name is counted, known or not, so whether a
 * name is throttled says nothing about whether it exists.
 *
 * Both tables are bounded in bytes: distinct user names cost an attacker nothing, and IPv6 gives it
 * many addresses. IPv6 addresses are counted per /64, the block one host or one site usually holds, so
 * rotating through the addresses of its own block does not help an attacker; IPv4-mapped addresses are
 * counted as IPv4. When a table is full, the entry whose last failure is oldest is forgotten.
 */
export class LoginThrottle {
  private readonly addresses: FailureCounts;
  private readonly usernames: FailureCounts;
  private readonly now: () => number;

  constructor(options: LoginThrottleOptions) {
    const on = options.windowMs > 0;
    this.addresses = new FailureCounts(on ? options.failuresPerAddress : 0, options.windowMs, options.maxBytes);
    this.usernames = new FailureCounts(on ? options.failuresPerUser : 0, options.windowMs, options.maxBytes);
    this.now = options.now ?? (() => performance.now());
  }

  /** Whether any limit is set: with none, nothing needs counting. */
  get enabled(): boolean {
    return this.addresses.limit > 0 || this.usernames.limit > 0;
  }

  /** Which count refuses a CONNECT from this address for this user name, if any; the address is asked first. */
  refusal(address: string, username: string | undefined): ThrottledBy | undefined {
    const now = this.now();
    if (this.addresses.over(addressKey(address), now)) return 'address';
    if (username !== undefined && this.usernames.over(usernameKey(username), now)) return 'username';
    return undefined;
  }

  /** A password check failed. */
  failed(address: string, username: string | undefined): void {
    const now = this.now();
    this.addresses.add(addressKey(address), now);
    if (username !== undefined) this.usernames.add(usernameKey(username), now);
  }

  /**
   * The client went away before its answer. Counted against its address: a check already running
   * finishes on its thread anyway, and a client that closes at once would otherwise make the broker
   * compare passwords without end and never be counted. Not against the name: an answer nobody read
   * guessed nothing.
   */
  abandoned(address: string): void {
    this.addresses.add(addressKey(address), this.now());
  }

  /** The user logged in: its name's failures are forgiven. */
  succeeded(username: string): void {
    this.usernames.delete(usernameKey(username));
  }

  /** Entries held, in both tables. */
  get size(): number {
    return this.addresses.size + this.usernames.size;
  }

  /** What both tables cost in memory, roughly: the larger is at most maxBytes. */
  get bytes(): number {
    return this.addresses.bytes + this.usernames.bytes;
  }
}

/**
 * An authenticator whose failed logins are counted by a LoginThrottle, and which refuses, without asking
 * the authenticator it wraps, the CONNECTs the throttle refuses.
 *
 * The refusal is 0x9F Connection rate exceeded: it is what happened, and it tells a well-behaved client
 * to wait rather than to doubt its credentials. Not 0x86, which would send an honest device's operator
 * after a password that is right; not 0x8A Banned, which reads as an administrator's lasting decision
 * and makes some clients stop retrying for good; not 0x89 Server busy, which the bounded queue of
 * pending checks already answers, and which says nothing about this client. A 3.1/3.1.1 client gets 3
 * Server unavailable (toConnectReturnCode), a refusal to retry later.
 */
export class ThrottledAuthenticator implements Authenticator {
  constructor(
    private readonly inner: Authenticator,
    readonly throttle: LoginThrottle,
  ) {}

  async authenticate(credentials: Credentials): Promise<AuthResult> {
    const { remoteAddress, username } = credentials;
    const throttled = this.throttle.refusal(remoteAddress, username);
    if (throttled !== undefined) return { reasonCode: ReasonCode.ConnectionRateExceeded, throttled };
    let result: AuthResult;
    try {
      result = await this.inner.authenticate(credentials);
    } catch (e) {
      if (credentials.signal?.aborted) this.throttle.abandoned(remoteAddress);
      throw e;
    }
    if (result.reasonCode === ReasonCode.Success) {
      if (result.username !== undefined) this.throttle.succeeded(result.username);
    } else if (result.reasonCode === ReasonCode.BadUserNameOrPassword) {
      // Only wrong credentials count: 0x87 (no name where one is needed) costs no password check, and
      // 0x88 (the users table is unreachable) is no fault of the client.
      this.throttle.failed(remoteAddress, username);
    }
    return result;
  }
}

/** One failure count, as of `at`. */
interface Failures {
  level: number;
  at: number;
}

/** A Map entry with its object and numbers, besides the key's characters. */
const ENTRY_COST = 96;

/** Failure counts by key, least recently failed first (a Map keeps insertion order), bounded in bytes. */
class FailureCounts {
  private readonly entries = new Map<string, Failures>();
  private readonly drainPerMs: number;
  bytes = 0;

  constructor(
    readonly limit: number,
    windowMs: number,
    private readonly maxBytes: number,
  ) {
    this.drainPerMs = windowMs > 0 ? limit / windowMs : Infinity;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Whether one more failure would pass the limit. A refused key moves to the back: it is still in use. */
  over(key: string, now: number): boolean {
    if (this.limit === 0) return false;
    const entry = this.entries.get(key);
    if (entry === undefined || this.level(entry, now) <= this.limit - 1) return false;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return true;
  }

  add(key: string, now: number): void {
    if (this.limit === 0) return;
    const entry = this.entries.get(key);
    if (entry === undefined) {
      this.bytes += cost(key);
    } else {
      this.entries.delete(key);
    }
    this.entries.set(key, { level: (entry === undefined ? 0 : this.level(entry, now)) + 1, at: now });
    this.trim(now);
  }

  delete(key: string): void {
    if (this.entries.delete(key)) this.bytes -= cost(key);
  }

  private level(entry: Failures, now: number): number {
    return Math.max(0, entry.level - (now - entry.at) * this.drainPerMs);
  }

  /** Forgets the oldest entries while over budget, and those at the front that have drained anyway. */
  private trim(now: number): void {
    for (const [key, entry] of this.entries) {
      if (this.bytes <= this.maxBytes && this.level(entry, now) > 0) return;
      this.entries.delete(key);
      this.bytes -= cost(key);
    }
  }
}

function cost(key: string): number {
  return ENTRY_COST + 2 * key.length;
}

/** A user name may be 65,535 bytes: a long one is counted under its digest, so every entry is small. */
function usernameKey(username: string): string {
  return username.length <= 64 ? username : `\0${createHash('sha256').update(username).digest('base64')}`;
}

/** The key an address is counted under: IPv4 as is (IPv4-mapped IPv6 too), IPv6 by its /64. */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return mapped[1];
  const plain = address.split('%')[0];
  if (!isIPv6(plain)) return address;
  const [head, tail] = plain.toLowerCase().split('::');
  const front = head === '' ? [] : head.split(':');
  const back = tail === undefined || tail === '' ? [] : tail.split(':');
  // A dotted IPv4 tail stands for two groups.
  const backGroups = back.length + (back.length > 0 && back[back.length - 1].includes('.') ? 1 : 0);
  const groups = tail === undefined ? front : [...front, ...Array<string>(8 - front.length - backGroups).fill('0'), ...back];
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}
