import { NestFactory } from '@nestjs/core';
import { GraphQLSchemaBuilderModule, GraphQLSchemaFactory } from '@nestjs/graphql';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { AclResolver } from './acl/acl.resolver';
import { ApiKeysResolver } from './api-keys/api-keys.resolver';
import { AuditResolver } from './audit/audit.resolver';
import { AdminAuthResolver } from './auth/admin-auth.resolver';
import { OidcResolver } from './auth/oidc/oidc.resolver';
import { ClientsResolver } from './clients/clients.resolver';
import { EventsResolver } from './events/events.resolver';
import { LiveResolver } from './live/live.resolver';
import { HistoryResolver } from './messages/history.resolver';
import { ListenersResolver } from './listeners/listeners.resolver';
import { PublishResolver } from './messages/publish.resolver';
import { SessionsResolver } from './sessions/sessions.resolver';
import { StatusResolver } from './status/status.resolver';
import { RetainedResolver } from './topics/retained.resolver';
import { TopicsResolver } from './topics/topics.resolver';
import { UsersResolver } from './users/users.resolver';

/** Every resolver of the admin API: the schema is made from these. */
export const ADMIN_RESOLVERS = [AclResolver, AdminAuthResolver, ApiKeysResolver, AuditResolver, ClientsResolver, EventsResolver, HistoryResolver, ListenersResolver, LiveResolver, OidcResolver, PublishResolver, RetainedResolver, SessionsResolver, StatusResolver, TopicsResolver, UsersResolver];

/**
 * The admin API's schema in SDL, sorted as the server serves it, from the resolvers alone (no broker, no
 * database): what `npm run build` writes to apps/broker/schema.gql for the UI and outside clients.
 */
export async function printAdminSchema(): Promise<string> {
  const app = await NestFactory.createApplicationContext(GraphQLSchemaBuilderModule, { logger: false });
  try {
    const schema = await app.get(GraphQLSchemaFactory).create(ADMIN_RESOLVERS);
    return `# The NestMQ admin API, printed from its resolvers by \`npm run build\`: do not edit.\n\n${printSchema(lexicographicSortSchema(schema))}\n`;
  } finally {
    await app.close();
  }
}
