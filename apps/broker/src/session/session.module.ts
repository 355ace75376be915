import { Module } from '@nestjs/common';
import { AccessModule } from '../auth/access.module';
import { TopicAccess } from '../auth/topic-access';
import { BROKER_CONFIG, BrokerConfig } from '../config/broker-config';
import { BrokerStats } from '../metrics/broker-stats';
import { MetricsModule } from '../metrics/metrics.module';
import { InflightWindows } from '../qos/inflight-windows';
import { QosModule } from '../qos/qos.module';
import { Router } from '../routing/router';
import { RoutingModule } from '../routing/routing.module';
import { WillModule } from '../will/will.module';
import { WillScheduler } from '../will/will-scheduler';
import { SESSION_EVENT_RECORDER, SessionEventsModule } from '../session-events/session-events.module';
import { SessionEventRecorder } from '../session-events/session-event-recorder';
import { SessionRegistry } from './session-registry';
import { SESSION_PERSISTENCE, SessionPersistence } from './session-persistence';
import { SessionRestorer } from './session-restorer';
import { InMemorySessionStore, SessionStore } from './session-store';

/** Injection token for the SessionStore; the persistence module provides a durable one. */
export const SESSION_STORE = Symbol('SESSION_STORE');

@Module({
  imports: [AccessModule, RoutingModule, WillModule, MetricsModule, SessionEventsModule, QosModule],
  providers: [
    { provide: SESSION_STORE, useFactory: (): SessionStore => new InMemorySessionStore() },
    {
      provide: SessionRegistry,
      useFactory: (
        store: SessionStore,
        router: Router,
        wills: WillScheduler,
        stats: BrokerStats,
        config: BrokerConfig,
        persistence: SessionPersistence,
        events: SessionEventRecorder | null,
        windows: InflightWindows,
        access: TopicAccess,
      ) => {
        const registry = new SessionRegistry(store, router, wills, stats, windows, config.maxSessionExpiry, persistence, events);
        access.onChange(() => registry.forgetAccessDecisions());
        // A will that went out is no longer part of the stored session.
        wills.onPublished = (session) => {
          if (session.persisted && store.get(session.clientId) === session) registry.save(session);
        };
        return registry;
      },
      inject: [SESSION_STORE, Router, WillScheduler, BrokerStats, BROKER_CONFIG, SESSION_PERSISTENCE, SESSION_EVENT_RECORDER, InflightWindows, TopicAccess],
    },
    SessionRestorer,
  ],
  exports: [SessionRegistry],
})
export class SessionModule {}
