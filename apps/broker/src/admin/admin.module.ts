import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { GraphQLModule } from '@nestjs/graphql';
import { BrokerConfig } from '../config/broker-config';
import { PrometheusModule } from '../metrics/prometheus.module';
import { TransportModule } from '../transport/transport.module';
import { AclModule } from './acl/acl.module';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { AdminExceptionFilter } from './admin-exception.filter';
import { AuditModule } from './audit/audit.module';
import { AdminAuthModule } from './auth/admin-auth.module';
import { OidcModule } from './auth/oidc/oidc.module';
import { AdminAuthService, ClosableSocket } from './auth/admin-auth.service';
import { bearerToken, operationContext } from './auth/admin-principal';
import { ClientsModule } from './clients/clients.module';
import { EventsModule } from './events/events.module';
import { HealthController } from './health/health.controller';
import { ListenersAdminModule } from './listeners/listeners.module';
import { LiveModule } from './live/live.module';
import { maxDepthRule, maxFieldsRule } from './max-depth.rule';
import { MessagesModule } from './messages/messages.module';
import { SessionsModule } from './sessions/sessions.module';
import { StatusModule } from './status/status.module';
import { TopicsModule } from './topics/topics.module';
import { AdminUiModule } from './ui/admin-ui.module';
import { UsersModule } from './users/users.module';

/**
 * The admin API on HTTP_PORT: GraphQL at /graphql (code first; the schema is also printed to
 * apps/broker/schema.gql at build time), /health, /ready and /metrics. It reads the broker through
 * its services and counters; nothing here runs per message. The built admin UI is served at /.
 */
@Module({})
export class AdminModule {
  static forRoot(config: BrokerConfig): DynamicModule {
    return {
      module: AdminModule,
      imports: [
        GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: ApolloDriver,
          imports: [AdminAuthModule],
          inject: [AdminAuthService],
          useFactory: (auth: AdminAuthService): ApolloDriverConfig => ({
            path: '/graphql',
            autoSchemaFile: true,
            sortSchema: true,
            introspection: config.graphqlIntrospection,
            playground: false,
            csrfPrevention: true,
            validationRules: [maxDepthRule(), maxFieldsRule()],
            includeStacktraceInErrorResponses: false,
            context: operationContext,
            subscriptions: {
              'graphql-ws': {
                path: '/graphql',
                // A socket without a valid access token in its connection_init is closed (4403) before any
                // subscription; each subscription is then checked again, as a query is. A socket lasts as
                // long as its token: it is closed (4401) when the token expires or the login ends.
                onConnect: async (ctx: { connectionParams?: Record<string, unknown>; extra: unknown }) => {
                  const token = bearerToken(ctx.connectionParams?.authorization);
                  if (token === undefined) return false;
                  try {
                    const extra = ctx.extra as { socket?: ClosableSocket; request?: { socket?: { remoteAddress?: string } } } | undefined;
                    const claims = await auth.authenticate(token, extra?.request?.socket?.remoteAddress);
                    const socket = extra?.socket;
                    if (socket) auth.holdSocket(claims, socket);
                    return true;
                  } catch {
                    return false;
                  }
                },
              },
            },
          }),
        }),
        LiveModule,
        AclModule,
        AdminAuthModule,
        OidcModule,
        ApiKeysModule,
        ListenersAdminModule,
        AuditModule,
        ClientsModule,
        EventsModule,
        MessagesModule,
        SessionsModule,
        StatusModule,
        TopicsModule,
        UsersModule,
        AdminUiModule,
        PrometheusModule,
        TransportModule,
      ],
      controllers: [HealthController],
      providers: [{ provide: APP_FILTER, useClass: AdminExceptionFilter }],
    };
  }
}
