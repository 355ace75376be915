import { Module } from '@nestjs/common';
import { AUTHENTICATOR, Authenticator } from '../auth/authenticator';
import { AccessModule } from '../auth/access.module';
import { AuthModule } from '../auth/auth.module';
import { TopicAccess } from '../auth/topic-access';
import { ENHANCED_AUTH, EnhancedAuthMethods } from '../auth/enhanced/enhanced-auth';
import { BROKER_CONFIG, BrokerConfig } from '../config/broker-config';
import { HISTORY_RECORDER, HistoryModule } from '../history/history.module';
import { HistoryRecorder } from '../history/history-recorder';
import { KeepAliveMonitor } from '../keepalive/keep-alive-monitor';
import { KeepAliveModule } from '../keepalive/keepalive.module';
import { BrokerStats } from '../metrics/broker-stats';
import { MetricsModule } from '../metrics/metrics.module';
import { InflightCap } from '../qos/inflight-cap';
import { QosModule } from '../qos/qos.module';
import { Router } from '../routing/router';
import { RoutingModule } from '../routing/routing.module';
import { SessionModule } from '../session/session.module';
import { SESSION_PERSISTENCE, SessionPersistence } from '../session/session-persistence';
import { SessionRegistry } from '../session/session-registry';
import { SESSION_EVENT_RECORDER, SessionEventsModule } from '../session-events/session-events.module';
import { SessionEventRecorder } from '../session-events/session-event-recorder';
import { BrokerContext } from './broker-context';
import { FlushScheduler } from './flush-scheduler';
import { ListenersService } from './listeners.service';

@Module({
  imports: [AccessModule, AuthModule, HistoryModule, KeepAliveModule, MetricsModule, QosModule, RoutingModule, SessionModule, SessionEventsModule],
  providers: [
    { provide: FlushScheduler, useValue: new FlushScheduler() },
    {
      provide: BrokerContext,
      useFactory: (
        config: BrokerConfig,
        router: Router,
        sessions: SessionRegistry,
        authenticator: Authenticator,
        keepAlive: KeepAliveMonitor,
        stats: BrokerStats,
        flusher: FlushScheduler,
        persistence: SessionPersistence,
        history: HistoryRecorder | null,
        sessionEvents: SessionEventRecorder | null,
        inflightCap: InflightCap,
        access: TopicAccess,
        enhancedAuth: EnhancedAuthMethods | null,
      ) => {
        const context = new BrokerContext(config, router, sessions, authenticator, keepAlive, stats, flusher, persistence, history, sessionEvents, inflightCap, access);
        context.enhancedAuth = enhancedAuth;
        return context;
      },
      inject: [BROKER_CONFIG, Router, SessionRegistry, AUTHENTICATOR, KeepAliveMonitor, BrokerStats, FlushScheduler, SESSION_PERSISTENCE, HISTORY_RECORDER, SESSION_EVENT_RECORDER, InflightCap, TopicAccess, ENHANCED_AUTH],
    },
    ListenersService,
  ],
  exports: [ListenersService, BrokerContext],
})
export class TransportModule {}
