import { ConnectPacket, ProtocolVersion, ReasonCode, WillMessage } from '@nestmq/mqtt-protocol';
import { BrokerStats } from '../metrics/broker-stats';
import type { Outbound } from '../qos/inflight-window';
import { InflightWindows } from '../qos/inflight-windows';
import { Router } from '../routing/router';
import type { SessionEventRecorder } from '../session-events/session-event-recorder';
import type { Connection } from '../transport/connection';
import { WillScheduler } from '../will/will-scheduler';
import { LongTimeout } from './long-timeout';
import { NEVER_EXPIRES, Session, SubscriptionRecord } from './session';
import { NO_PERSISTENCE, SessionPersistence } from './session-persistence';
import { SessionStore } from './session-store';

/**
 * Sessions by Client Identifier: creation and resumption on CONNECT, takeover of a live connection
 * [MQTT-3.1.4-3], and the end of a session when its expiry interval has passed after disconnect (§4.1).
 */
export class SessionRegistry {
  constructor(
    private readonly store: SessionStore,
    private readonly router: Router,
    private readonly wills: WillScheduler,
    private readonly stats: BrokerStats,
    private readonly windows: InflightWindows,
    private readonly maxSessionExpiry: number | undefined,
    private readonly persistence: SessionPersistence = NO_PERSISTENCE,
    private readonly events: SessionEventRecorder | null = null,
  ) {}

  get size(): number {
    return this.store.size;
  }

  get(clientId: string): Session | undefined {
    return this.store.get(clientId);
  }

  /** Every session held, online and offline: for the admin API's lists, never the hot path. */
  all(): IterableIterator<Session> {
    return this.store.values();
  }

  /** The topic rules changed: every session and connection decides its topics anew from the next packet. */
  forgetAccessDecisions(): void {
    for (const session of this.store.values()) {
      session.readDecisions = undefined;
      session.connection?.forgetPublishDecisions();
    }
  }

  /**
   * Attaches an accepted connection to its session; returns it and whether state was resumed (Session
   * Present). `fresh` starts a new session whatever Clean Start says (the old one belonged to another user).
   */
  attach(connection: Connection, connect: ConnectPacket, fresh = false): { session: Session; sessionPresent: boolean } {
    const clientId = connection.clientId;
    let session = this.store.get(clientId);
    if (session?.connection) {
      // The newest connection wins; the old one is told why [MQTT-3.1.4-3]. Its event is `kicked`, not
      // `disconnect`: the log says who took the session over.
      const old = session.connection;
      this.events?.kicked(clientId, old.username, old.remoteAddress, connection.remoteAddress);
      old.disconnect(ReasonCode.SessionTakenOver, 'Session taken over');
      this.detach(old, session);
      session = this.store.get(clientId);
    }
    let sessionPresent = false;
    if (session !== undefined && !connect.clean && !fresh) {
      sessionPresent = true;
      session.expiryTimer?.cancel();
      session.expiryTimer = undefined;
      this.wills.cancel(session);
    } else {
      if (session !== undefined) this.end(session, false);
      session = new Session(clientId, this.windows.create());
      this.store.put(session);
    }
    if (session.username !== connection.username || session.acl !== connection.identityAcl || !sameRoles(session.roles, connection.roles)) session.readDecisions = undefined;
    session.username = connection.username;
    session.acl = connection.identityAcl;
    session.roles = connection.roles;
    session.protocolVersion = connect.protocolVersion;
    session.expiryInterval = this.expiryFor(connect);
    session.will = connect.will;
    session.connection = connection;
    session.disconnectedAt = 0;
    connection.session = session;
    this.save(session);
    this.stats.clientsConnected++;
    if (this.stats.clientsConnected > this.stats.clientsMaximum) this.stats.clientsMaximum = this.stats.clientsConnected;
    return { session, sessionPresent };
  }

  /** 5.0: Session Expiry Interval (absent = 0), capped by MAX_SESSION_EXPIRY; 3.1.1: Clean Session decides. */
  expiryFor(connect: ConnectPacket): number {
    let expiry: number;
    if (connect.protocolVersion === 5) expiry = connect.properties?.sessionExpiryInterval ?? 0;
    else expiry = connect.clean ? 0 : NEVER_EXPIRES;
    if (this.maxSessionExpiry !== undefined && expiry > this.maxSessionExpiry) expiry = this.maxSessionExpiry;
    return expiry;
  }

  /** The socket closed: will handling, then either keep the session for its expiry interval or end it. */
  connectionClosed(connection: Connection): void {
    const session = connection.session;
    if (session === null || session.connection !== connection) return;
    this.detach(connection, session);
  }

  private detach(connection: Connection, session: Session): void {
    session.connection = null;
    session.disconnectedAt = Date.now();
    this.stats.clientsConnected--;
    const expiry = session.expiryInterval;
    const endsInMs = expiry === NEVER_EXPIRES ? Infinity : expiry * 1000;
    if (connection.normalDisconnect) session.will = undefined;
    else this.wills.connectionLost(session, endsInMs);
    this.save(session);
    if (expiry === 0) {
      this.end(session, true);
    } else if (expiry !== NEVER_EXPIRES) {
      session.expiryTimer = new LongTimeout(() => this.expire(session), endsInMs);
    }
  }

  /**
   * The Session Expiry Interval has passed since the connection closed: the session state is discarded
   * [MQTT-4.1.0-2], its will published if still pending. Sessions with expiry 0 end with their connection
   * and are not `expired`: their connection's disconnect says it all.
   */
  private expire(session: Session): void {
    this.events?.expired(session.clientId, session.username, session.expiryInterval, session.disconnectedAt);
    this.end(session, true);
  }

  /** The session is over: its will goes out if still pending, its subscriptions and messages are discarded. */
  end(session: Session, publishWill: boolean): void {
    session.expiryTimer?.cancel();
    session.expiryTimer = undefined;
    if (publishWill) this.wills.publish(session);
    else this.wills.cancel(session);
    this.router.unsubscribeAll(session);
    session.outbound.clear();
    session.inboundQoS2.clear();
    if (this.store.get(session.clientId) === session) this.store.delete(session.clientId);
    if (session.persisted) {
      session.persisted = false;
      session.outbound.journal = null;
      this.persistence.sessionEnded(session.clientId);
    }
  }

  /**
   * Stores a persistent session's state (or, once it is no longer persistent, forgets it). A session
   * with Session Expiry 0 ends with its connection and is never written.
   */
  save(session: Session): void {
    if (session.expiryInterval > 0) {
      const wasPersisted = session.persisted;
      session.persisted = true;
      session.outbound.journal = this.persistence.journalFor(session.clientId);
      this.persistence.sessionSaved(session);
      if (!wasPersisted) for (const record of session.subscriptions.values()) this.persistence.subscriptionSaved(session.clientId, record);
    } else if (session.persisted) {
      session.persisted = false;
      session.outbound.journal = null;
      this.persistence.sessionEnded(session.clientId);
    }
  }

  /**
   * Sessions stored before a restart, offline now: subscriptions back in the router, the expiry clock
   * running from their disconnect (from now, for those the restart cut off), pending wills rescheduled.
   * Sessions that expired meanwhile end now, their wills published.
   */
  restore(stored: Iterable<RestoredSession>, now: number): void {
    for (const s of stored) {
      const session = new Session(s.clientId, this.windows.create());
      session.username = s.username;
      session.protocolVersion = s.protocolVersion;
      session.expiryInterval = s.expiryInterval;
      session.will = s.will;
      session.disconnectedAt = s.disconnectedAt ?? now;
      session.persisted = true;
      session.outbound.journal = this.persistence.journalFor(session.clientId);
      session.outbound.restore(s.messages);
      for (const id of s.inboundQoS2) session.inboundQoS2.add(id);
      this.store.put(session);
      for (const record of s.subscriptions) this.router.subscribe(session, record, false);
      const endsInMs =
        session.expiryInterval === NEVER_EXPIRES ? Infinity : session.disconnectedAt + session.expiryInterval * 1000 - now;
      if (endsInMs <= 0) {
        this.expire(session);
        continue;
      }
      if (session.will !== undefined) {
        const delayLeft = session.disconnectedAt + (session.will.properties?.willDelayInterval ?? 0) * 1000 - now;
        this.wills.publishIn(session, Math.min(endsInMs, delayLeft));
      }
      if (endsInMs !== Infinity) session.expiryTimer = new LongTimeout(() => this.expire(session), endsInMs);
    }
  }

  /** DISCONNECT may change the Session Expiry Interval, but not from 0 [MQTT-3.14.2-2]. */
  updateExpiry(session: Session, expiry: number): boolean {
    if (session.expiryInterval === 0 && expiry !== 0) return false;
    session.expiryInterval = this.maxSessionExpiry !== undefined ? Math.min(expiry, this.maxSessionExpiry) : expiry;
    return true;
  }
}

/** A stored session as the registry restores it. */
export interface RestoredSession {
  clientId: string;
  username: string | undefined;
  protocolVersion: ProtocolVersion;
  expiryInterval: number;
  will: WillMessage | undefined;
  /** Epoch ms; undefined when the broker stopped while the client was connected. */
  disconnectedAt: number | undefined;
  subscriptions: SubscriptionRecord[];
  /** Outgoing QoS 1/2 messages, in order, with their stored ids. */
  messages: Outbound[];
  inboundQoS2: number[];
}

function sameRoles(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  return a.every((role, i) => role === b[i]);
}
