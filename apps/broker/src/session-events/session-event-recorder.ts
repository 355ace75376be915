import { SessionEvent, SessionEventAction, SessionEventRepository } from '@nestmq/persistence';
import type { AuthDecision } from '../auth/authenticator';
import type { DisconnectCause } from './disconnect-cause';

/** What a `connect` event keeps of an accepted CONNECT. */
export type ConnectFacts = {
  protocolVersion: number;
  cleanStart: boolean;
  sessionPresent: boolean;
  /** Seconds, as agreed in CONNACK (Server Keep Alive included). */
  keepAlive: number;
  sessionExpiryInterval: number;
  address: string;
  /** Which authenticator let the client in, and why. */
  authenticator?: string;
  authReason?: string;
  roles?: readonly string[];
  /** The identity's own topic lists, when its authenticator gave some. */
  acl?: { publish?: readonly string[]; subscribe?: readonly string[] };
  /** When the credentials (a token) stop being valid: the connection is closed then. */
  credentialsExpireAt?: string;
};

/** One topic filter of a SUBSCRIBE, with the QoS asked for and the SUBACK reason code (granted QoS or failure). */
export type SubscribeOutcome = { filter: string; qos: number; reasonCode: number };

/**
 * Records what happens to sessions (connects, refusals, disconnects, takeovers, subscriptions, expiries)
 * beside the hot path: a call appends a small object to the current batch, and a timer writes the batch
 * in one COPY. There is no event per PUBLISH: the message history covers publishes. Events come at the
 * rate clients connect and subscribe, not at the message rate, so the rows are encoded (and their details
 * turned into JSON) when the batch is written, off the packet handlers. The events waiting are bounded in
 * count and in bytes (a client identifier is up to 64 KiB, a SUBSCRIBE may list megabytes of filters):
 * when the database falls behind or is away and a bound is reached, events are dropped and counted.
 */
export class SessionEventRecorder {
  recorded = 0;
  dropped = 0;
  private batch: SessionEvent[] = [];
  private batchBytes = 0;
  /** A batch the database did not take: written again before anything newer. */
  private unwritten: SessionEvent[] | undefined;
  private unwrittenBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<boolean> | undefined;
  private closed = false;

  constructor(
    private readonly repository: SessionEventRepository,
    private readonly maxBuffered: number,
    private readonly flushMs = 100,
    private readonly maxBufferedBytes = Infinity,
  ) {}

  get buffered(): number {
    return this.batch.length + (this.unwritten?.length ?? 0);
  }

  /** When the oldest event waiting for the database happened (epoch ms); 0 when none waits. */
  get oldestBufferedAt(): number {
    const oldest = this.unwritten?.[0] ?? this.batch[0];
    return oldest === undefined ? 0 : oldest.at.getTime();
  }

  /** What the events waiting cost in memory, roughly: their strings counted at two bytes a character. */
  get bufferedBytes(): number {
    return this.batchBytes + this.unwrittenBytes;
  }

  connected(clientId: string, username: string | undefined, facts: ConnectFacts): void {
    this.record('connect', clientId, username, facts);
  }

  /**
   * A refused CONNECT, under the user name the client claimed: the login audit trail. Never the password.
   * `throttled`: refused unchecked because the address or the user name had too many failed logins.
   * `decision`: which authenticator refused it and why (absent when it was refused before or after them).
   */
  refused(
    clientId: string,
    claimedUsername: string | undefined,
    reasonCode: number,
    protocolVersion: number,
    address: string,
    throttled?: 'address' | 'username',
    decision?: AuthDecision,
  ): void {
    this.record('connect_refused', clientId, claimedUsername, {
      reasonCode,
      protocolVersion,
      address,
      ...(throttled !== undefined && { throttled }),
      ...(decision !== undefined && { authenticator: decision.by, authReason: decision.reason }),
    });
  }

  /**
   * A re-authentication of a live connection (MQTT 5 AUTH 0x19) ended: 0x00 Success, or the reason code of
   * the DISCONNECT that closed the connection; which authenticator decided and why, never a credential.
   */
  reauthenticated(clientId: string, username: string | undefined, reasonCode: number, address: string, decision?: AuthDecision, throttled?: 'address' | 'username'): void {
    this.record('reauthenticate', clientId, username, {
      reasonCode,
      address,
      ...(throttled !== undefined && { throttled }),
      ...(decision !== undefined && { authenticator: decision.by, authReason: decision.reason }),
    });
  }

  /** `reasonCode` null: the socket ended without a DISCONNECT either way. */
  disconnected(clientId: string, username: string | undefined, by: DisconnectCause, reasonCode: number | null, connectedMs: number, error?: string): void {
    this.record('disconnect', clientId, username, error === undefined ? { by, reasonCode, connectedMs } : { by, reasonCode, connectedMs, error });
  }

  /** A new connection with the same Client Identifier took the session over (0x8E) [MQTT-3.1.4-3]. */
  kicked(clientId: string, username: string | undefined, address: string, byAddress: string): void {
    this.record('kicked', clientId, username, { reasonCode: 0x8e, address, byAddress });
  }

  subscribed(clientId: string, username: string | undefined, subscriptions: ReadonlyArray<{ topicFilter: string; qos: number }>, reasonCodes: readonly number[]): void {
    const topics: SubscribeOutcome[] = subscriptions.map((s, i) => ({ filter: s.topicFilter, qos: s.qos, reasonCode: reasonCodes[i] }));
    this.record('subscribe', clientId, username, { topics }, filtersCost(subscriptions.map((s) => s.topicFilter)));
  }

  unsubscribed(clientId: string, username: string | undefined, filters: readonly string[], reasonCodes: readonly number[]): void {
    this.record('unsubscribe', clientId, username, { topics: filters.map((filter, i) => ({ filter, reasonCode: reasonCodes[i] })) }, filtersCost(filters));
  }

  /** A persistent session's Session Expiry Interval passed after its disconnect: its state is discarded. */
  expired(clientId: string, username: string | undefined, expiryInterval: number, disconnectedAt: number): void {
    this.record('expired', clientId, username, { expiryInterval, disconnectedAt: new Date(disconnectedAt).toISOString() });
  }

  /**
   * Writes everything buffered (in tests, and at shutdown through close); resolves when it is stored, or
   * when the database refused a batch (what remains is kept for the next attempt).
   */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.writing) await this.writing;
    while (this.buffered > 0) if (!(await this.write())) return;
  }

  /**
   * The last flush, at shutdown. Afterwards events are dropped and counted: the database is about to
   * close, and a retry timer must not keep a stopping process alive.
   */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Told of every event as it happens, recorded or dropped: the admin API's live client events. */
  observer: ((event: SessionEvent) => void) | null = null;

  private record(action: SessionEventAction, clientId: string, username: string | undefined, details: Record<string, unknown>, detailsCost = 0): void {
    const event: SessionEvent = { clientId, username: username ?? null, action, at: new Date(), details };
    this.observer?.(event);
    const cost = EVENT_COST + 2 * (clientId.length + (username?.length ?? 0)) + detailsCost;
    if (this.closed || this.buffered >= this.maxBuffered || this.bufferedBytes + cost > this.maxBufferedBytes) {
      this.dropped++;
      return;
    }
    this.batchBytes += cost;
    this.batch.push(event);
    this.schedule(this.flushMs);
  }

  private schedule(ms: number): void {
    if (this.timer !== undefined || this.closed) return;
    this.timer = setTimeout(this.flushNow, ms);
    // Listeners keep a running broker alive; the recorder alone must not.
    this.timer.unref();
  }

  private readonly flushNow = (): void => {
    this.timer = undefined;
    if (this.writing === undefined) void this.write();
  };

  /** True when the batch was stored. */
  private write(): Promise<boolean> {
    let batch = this.unwritten;
    if (batch === undefined) {
      batch = this.batch;
      this.batch = [];
      this.unwrittenBytes = this.batchBytes;
      this.batchBytes = 0;
    }
    this.unwritten = batch;
    this.writing = this.repository
      .insertBatch(batch)
      .then(
        () => {
          this.recorded += batch.length;
          this.unwritten = undefined;
          this.unwrittenBytes = 0;
          return true;
        },
        // The database is away: the batch stays for the next attempt, new events are bounded by maxBuffered.
        () => false,
      )
      .finally(() => {
        this.writing = undefined;
        if (this.buffered > 0) this.schedule(this.unwritten ? this.flushMs * 10 : this.flushMs);
      });
    return this.writing;
  }
}

/** An event's fixed cost: the object, its date and details. */
const EVENT_COST = 256;

function filtersCost(filters: readonly string[]): number {
  let cost = 0;
  for (const f of filters) cost += 64 + 2 * f.length;
  return cost;
}
