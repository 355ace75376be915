import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { DataSource } from 'typeorm';
import { HistoryRecorder } from '../history/history-recorder';
import { SessionRegistry } from '../session/session-registry';
import { SessionEventRecorder } from '../session-events/session-event-recorder';
import { BrokerStats } from './broker-stats';

/** What the metrics read: the counters the hot path keeps, and the recorders beside it. */
export interface MetricSources {
  stats: BrokerStats;
  sessions: SessionRegistry;
  history: HistoryRecorder | null;
  sessionEvents: SessionEventRecorder | null;
  dataSource: DataSource;
}

/** The pg pool TypeORM keeps for PostgreSQL. */
interface PgPool {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/**
 * The broker's Prometheus metrics, `nestmq_` plus Node's own (event-loop lag, heap, GC). Every value is
 * read when scraped, from counters kept beside the work with plain increments (BrokerStats, the
 * recorders): nothing is looked up, summed over sessions or allocated per message.
 */
export class PrometheusMetrics {
  readonly registry = new Registry();

  constructor(sources: MetricSources) {
    const { stats, sessions, history, sessionEvents, dataSource } = sources;
    const registers = [this.registry];
    const lag = (since: number): number => (since === 0 ? 0 : Math.max(0, Date.now() - since) / 1000);
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 10 });
    const gauge = (name: string, help: string, read: () => number): void => {
      new Gauge({ name, help, registers, collect() { this.set(read()); } });
    };
    const counter = (name: string, help: string, read: () => number): void => {
      new Counter({ name, help, registers, collect() { this.reset(); this.inc(read()); } });
    };
    gauge('nestmq_clients_connected', 'Clients connected now', () => stats.clientsConnected);
    gauge('nestmq_clients_maximum', 'Most clients connected at once since start', () => stats.clientsMaximum);
    gauge('nestmq_sessions', 'Sessions held, online and offline', () => sessions.size);
    counter('nestmq_connections_total', 'Connections accepted', () => stats.connectionsTotal);
    counter('nestmq_messages_received_total', 'MQTT packets received', () => stats.messagesReceived);
    counter('nestmq_messages_sent_total', 'MQTT packets sent', () => stats.packetsSent);
    const byQoS = (name: string, help: string, counts: Float64Array): void => {
      new Counter({
        name,
        help,
        labelNames: ['qos'],
        registers,
        collect() {
          this.reset();
          for (let qos = 0; qos < 3; qos++) this.inc({ qos: String(qos) }, counts[qos]);
        },
      });
    };
    byQoS('nestmq_publish_received_total', 'PUBLISH packets received, by QoS', stats.publishReceivedByQoS);
    byQoS('nestmq_publish_sent_total', 'PUBLISH packets sent, by QoS (resends included)', stats.publishSentByQoS);
    gauge('nestmq_inflight_messages', 'QoS 1/2 messages sent and not yet acknowledged, all sessions', () => stats.inflightMessages);
    gauge('nestmq_queued_messages', 'QoS 1/2 messages queued for sessions, online and offline', () => stats.queuedMessages);
    counter('nestmq_bytes_received_total', 'Bytes received from clients', () => stats.bytesReceived);
    counter('nestmq_bytes_sent_total', 'Bytes sent to clients', () => stats.bytesSent);
    new Counter({
      name: 'nestmq_publish_dropped_total',
      help: 'PUBLISH not delivered, by reason',
      labelNames: ['reason'],
      registers,
      collect() {
        this.reset();
        this.inc({ reason: 'queue_full' }, stats.droppedQueueFull);
        this.inc({ reason: 'slow_consumer' }, stats.droppedSlowConsumer);
        this.inc({ reason: 'too_large' }, stats.droppedTooLarge);
        this.inc({ reason: 'expired' }, stats.droppedExpired);
      },
    });
    counter('nestmq_protocol_errors_total', 'Connections closed for a protocol error', () => stats.protocolErrors);
    counter('nestmq_internal_errors_total', 'Connections closed for an unexpected error', () => stats.internalErrors);
    counter('nestmq_connects_refused_throttled_total', 'CONNECTs refused for too many failed logins', () => stats.connectsRefusedThrottled);
    counter('nestmq_connects_refused_busy_total', 'CONNECTs refused while too many awaited authentication', () => stats.connectsRefusedBusy);
    counter('nestmq_connects_refused_auth_backend_total', 'CONNECTs refused with 0x88: an authentication backend could not answer', () => stats.connectsRefusedAuthBackend);
    counter('nestmq_acl_hook_requests_total', 'Requests made to the HTTP ACL hook', () => stats.aclHookRequests);
    counter('nestmq_acl_hook_failures_total', 'HTTP ACL hook requests that got no usable answer (timeout, unreachable, bad answer): the action was refused', () => stats.aclHookFailures);
    counter('nestmq_connections_refused_per_address_total', 'Connections closed at once: MAX_CONNECTIONS_PER_IP reached for their address', () => stats.connectsRefusedPerAddress);
    counter('nestmq_credentials_expired_total', 'Connections closed because their credentials (a token) expired', () => stats.credentialsExpired);
    counter('nestmq_connects_refused_connecting_bytes_total', 'Connections closed before CONNECT was whole: MAX_CONNECTING_BYTES reached', () => stats.connectsRefusedConnectingBytes);
    counter('nestmq_retained_refused_total', 'Retained PUBLISH refused: the retained store is full', () => stats.retainedRefused);
    counter('nestmq_history_recorded_total', 'Messages written to the message history', () => history?.recorded ?? 0);
    counter('nestmq_history_dropped_total', 'Messages the history recorder dropped (database behind or away)', () => history?.dropped ?? 0);
    gauge('nestmq_history_buffered', 'Messages waiting for the database', () => history?.buffered ?? 0);
    gauge('nestmq_history_lag_seconds', 'Age of the oldest message waiting for the database (0: none waits)', () => lag(history?.oldestBufferedAt ?? 0));
    counter('nestmq_session_events_recorded_total', 'Session events written', () => sessionEvents?.recorded ?? 0);
    counter('nestmq_session_events_dropped_total', 'Session events dropped (database behind or away)', () => sessionEvents?.dropped ?? 0);
    gauge('nestmq_session_events_buffered', 'Session events waiting for the database', () => sessionEvents?.buffered ?? 0);
    gauge('nestmq_session_events_lag_seconds', 'Age of the oldest session event waiting for the database (0: none waits)', () => lag(sessionEvents?.oldestBufferedAt ?? 0));
    new Gauge({
      name: 'nestmq_database_pool_connections',
      help: 'Database connections of the pool, by state',
      labelNames: ['state'],
      registers,
      collect() {
        const pool = (dataSource.driver as unknown as { master?: PgPool }).master;
        this.set({ state: 'open' }, pool?.totalCount ?? 0);
        this.set({ state: 'idle' }, pool?.idleCount ?? 0);
        this.set({ state: 'waiting' }, pool?.waitingCount ?? 0);
      },
    });
  }
}
