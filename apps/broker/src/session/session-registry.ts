import { ConnectPacket, ReasonCode } from '@nestmq/mqtt-protocol';
import { BrokerStats } from '../metrics/broker-stats';
import { Router } from '../routing/router';
import type { Connection } from '../transport/connection';
import { WillScheduler } from '../will/will-scheduler';
import { LongTimeout } from './long-timeout';
import { NEVER_EXPIRES, Session } from './session';
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
    private readonly maxQueued: number,
    private readonly maxSessionExpiry: number | undefined,
  ) {}

  get size(): number {
    return this.store.size;
  }

  get(clientId: string): Session | undefined {
    return this.store.get(clientId);
  }

  /** Attaches an accepted connection to its session; returns it and whether state was resumed (Session Present). */
  attach(connection: Connection, connect: ConnectPacket): { session: Session; sessionPresent: boolean } {
    const clientId = connection.clientId;
    let session = this.store.get(clientId);
    if (session?.connection) {
      // The newest connection wins; the old one is told why [MQTT-3.1.4-3].
      session.connection.disconnect(ReasonCode.SessionTakenOver, 'Session taken over');
      this.detach(session.connection, session);
      session = this.store.get(clientId);
    }
    let sessionPresent = false;
    if (session !== undefined && !connect.clean) {
      sessionPresent = true;
      session.expiryTimer?.cancel();
      session.expiryTimer = undefined;
      this.wills.cancel(session);
    } else {
      if (session !== undefined) this.end(session, false);
      session = new Session(clientId, this.maxQueued);
      this.store.put(session);
    }
    if (session.username !== connection.username) session.readDecisions.clear();
    session.username = connection.username;
    session.protocolVersion = connect.protocolVersion;
    session.expiryInterval = this.expiryFor(connect);
    session.will = connect.will;
    session.connection = connection;
    session.disconnectedAt = 0;
    connection.session = session;
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
    if (expiry === 0) {
      this.end(session, true);
    } else if (expiry !== NEVER_EXPIRES) {
      session.expiryTimer = new LongTimeout(() => this.end(session, true), endsInMs);
    }
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
  }

  /** DISCONNECT may change the Session Expiry Interval, but not from 0 [MQTT-3.14.2-2]. */
  updateExpiry(session: Session, expiry: number): boolean {
    if (session.expiryInterval === 0 && expiry !== 0) return false;
    session.expiryInterval = this.maxSessionExpiry !== undefined ? Math.min(expiry, this.maxSessionExpiry) : expiry;
    return true;
  }
}

