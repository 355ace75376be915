import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { BrokerConfig } from '../../config/broker-config';
import { BROKER_VERSION } from '../../version';
import { API_PREFIX } from './rest-controller';

/** Where the OpenAPI document is served, open to anyone, as the GraphQL schema is in schema.gql. */
export const OPENAPI_PATH = `${API_PREFIX}/openapi.json`;
/** Where the Swagger UI is served when ADMIN_API_DOCS=true. */
export const DOCS_PATH = `${API_PREFIX}/docs`;

/** The OpenAPI document of the REST admin API, from its controllers. */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('NestMQ admin API')
    .setVersion(BROKER_VERSION)
    .setDescription(
      'The REST admin API of the NestMQ MQTT broker, beside its GraphQL API at /graphql: the same services, the same data, the same checks. ' +
        'Sign in with POST /api/v1/auth/login and send the access token as "Authorization: Bearer <accessToken>". ' +
        'A viewer reads; changes need the admin role. Lists come a page at a time: pass a page\'s nextCursor as `after` for the next one. ' +
        'Every error is application/problem+json (RFC 7807) with a `code`: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT, NOT_FOUND as in GraphQL.',
    )
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The accessToken of POST /api/v1/auth/login (15 minutes)' })
    .build();
  // Operation ids are the controller methods' names, unique across the API (a test holds them so).
  return SwaggerModule.createDocument(app, config, { operationIdFactory: (_controller, method) => method });
}

/**
 * Serves the OpenAPI document, and the Swagger UI when ADMIN_API_DOCS=true. Called on the HTTP
 * application before it is initialised: its routes come before Nest's handler of unknown routes.
 * The document is made on its first request.
 */
export function serveOpenApi(app: INestApplication, config: BrokerConfig): void {
  SwaggerModule.setup(DOCS_PATH, app, () => openApiDocument(app), {
    ui: config.adminApiDocs,
    raw: ['json'],
    jsonDocumentUrl: OPENAPI_PATH,
    customSiteTitle: 'NestMQ admin API',
  });
}
