import { Module } from '@nestjs/common';
import { AUTHENTICATOR, Authenticator } from '../auth/authenticator';
import { AuthModule } from '../auth/auth.module';
import { BROKER_CONFIG, BrokerConfig } from '../config/broker-config';
import { KeepAliveMonitor } from '../keepalive/keep-alive-monitor';
import { KeepAliveModule } from '../keepalive/keepalive.module';
import { BrokerStats } from '../metrics/broker-stats';
import { MetricsModule } from '../metrics/metrics.module';
import { Router } from '../routing/router';
import { RoutingModule } from '../routing/routing.module';
import { SessionModule } from '../session/session.module';
import { SessionRegistry } from '../session/session-registry';
import { BrokerContext } from './broker-context';
import { FlushScheduler } from './flush-scheduler';
import { ListenersService } from './listeners.service';

@Module({
  imports: [AuthModule, KeepAliveModule, MetricsModule, RoutingModule, SessionModule],
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
      ) => new BrokerContext(config, router, sessions, authenticator, keepAlive, stats, flusher),
      inject: [BROKER_CONFIG, Router, SessionRegistry, AUTHENTICATOR, KeepAliveMonitor, BrokerStats, FlushScheduler],
    },
    ListenersService,
  ],
  exports: [ListenersService, BrokerContext],
})
export class TransportModule {}
