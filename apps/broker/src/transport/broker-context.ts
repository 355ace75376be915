import { Authenticator } from '../auth/authenticator';
import { AclHook } from '../auth/http-acl/acl-hook';
import { TopicAccess } from '../auth/topic-access';
import { BrokerConfig } from '../config/broker-config';
import type { HistoryRecorder } from '../history/history-recorder';
import { KeepAliveMonitor } from '../keepalive/keep-alive-monitor';
import { BrokerStats } from '../metrics/broker-stats';
import { InflightCap } from '../qos/inflight-cap';
import { Router } from '../routing/router';
import { SessionPersistence } from '../session/session-persistence';
import { SessionRegistry } from '../session/session-registry';
import type { SessionEventRecorder } from '../session-events/session-event-recorder';
import { PendingAuthentications } from '../auth/pending-authentications';
import { ConnectionsPerAddress } from '../auth/connections-per-address';
import type { Message } from '../routing/message';
import type { EnhancedAuthMethods } from '../auth/enhanced/enhanced-auth';
import { ConnectingBytes } from './connecting-bytes';
import { FlushScheduler } from './flush-scheduler';
import { InternalErrorLog } from './internal-error-log';

/**
 * The collaborators a connection works with, resolved by Nest once at start-up and handed to every
 * Connection as plain references: no container lookups once messages flow.
 */
export class BrokerContext {
  constructor(
    readonly config: BrokerConfig,
    readonly router: Router,
    readonly sessions: SessionRegistry,
    readonly authenticator: Authenticator,
    readonly keepAlive: KeepAliveMonitor,
    readonly stats: BrokerStats,
    readonly flusher: FlushScheduler,
    readonly persistence: SessionPersistence,
    readonly history: HistoryRecorder | null,
    readonly sessionEvents: SessionEventRecorder | null,
    readonly inflightCap: InflightCap,
    /** Topic rules; `active` false while there are none, when no check is made at all. */
    readonly access: TopicAccess,
  ) {
    this.pendingAuthentications = new PendingAuthentications(config.maxPendingConnects, config.maxPendingConnectsPerAddress);
    this.internalErrors = new InternalErrorLog(stats);
    this.connectingBytes = new ConnectingBytes(config.maxConnectingBytes);
    this.connectionsPerAddress = new ConnectionsPerAddress(config.maxConnectionsPerIp);
    this.aclHook =
      config.httpAclUrl === undefined
        ? null
        : new AclHook({ url: config.httpAclUrl, timeout: config.httpAclTimeout, cacheTtl: config.httpAclCacheTtl, cacheEntries: config.httpAclCacheEntries }, stats);
  }

  /** The HTTP ACL hook (AUTH_HTTP_ACL_URL), or null: a field read per PUBLISH and SUBSCRIBE is all it costs when off. */
  readonly aclHook: AclHook | null;

  /**
   * Sees every PUBLISH a client made, after routing: the admin API's live feed sets it when it starts.
   * Whoever sets it keeps its cost at a field check while nobody watches.
   */
  publishWatcher: PublishWatcher | null = null;

  /** The Authentication Methods of AUTH_METHODS (MQTT 5 enhanced authentication); null: none offered (0x8C). */
  enhancedAuth: EnhancedAuthMethods | null = null;

  readonly pendingAuthentications: PendingAuthentications;
  readonly internalErrors: InternalErrorLog;
  readonly connectingBytes: ConnectingBytes;
  readonly connectionsPerAddress: ConnectionsPerAddress;
}

export interface PublishWatcher {
  published(message: Message, username: string | undefined): void;
}
