import type { INestApplication } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';

/** The most a GraphQL request may carry, over HTTP (Express's JSON body limit) and on a subscription socket. */
export const MAX_GRAPHQL_REQUEST_BYTES = 100 * 1024;

interface Socket {
  listeners(event: 'error'): Array<(error: Error) => void>;
  removeAllListeners(event: 'error'): unknown;
  on(event: 'error', listener: (error: Error & { code?: string }) => void): unknown;
}

interface SubscriptionServer {
  _subscriptionService?: { wss?: { options: { maxPayload?: number }; on(event: 'connection', listener: (socket: Socket) => void): unknown } };
}

/**
 * Holds a subscription socket's frames to what an HTTP request may carry. The WebSocket server Nest
 * makes for graphql-ws takes frames of up to 100 MiB, before any connection_init: anyone who can reach
 * HTTP_PORT could make the broker hold that much per socket. A larger frame now closes the socket (1009).
 * Nest offers no option for it; the server reads the limit when a socket is upgraded, so it is set on
 * the server once made. Should a Nest upgrade move it, the broker refuses to start rather than run
 * without the limit.
 */
export function limitSubscriptionFrames(http: INestApplication, bytes = MAX_GRAPHQL_REQUEST_BYTES): void {
  const driver = http.get(GraphQLModule, { strict: false }).graphQlAdapter as unknown as SubscriptionServer;
  const wss = driver._subscriptionService?.wss;
  if (wss === undefined) throw new Error('the GraphQL subscription server is not where it was: cannot limit its frame size');
  wss.options.maxPayload = bytes;
  // ws closes such a socket itself (1009); graphql-ws would also print every one to stderr, a line per
  // frame anyone may send. The socket's other errors still reach graphql-ws.
  wss.on('connection', (socket) => {
    const theirs = socket.listeners('error');
    socket.removeAllListeners('error');
    socket.on('error', (error) => {
      if (error.code !== 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') for (const listener of theirs) listener.call(socket, error);
    });
  });
}
