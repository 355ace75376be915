import { EnvironmentProviders, Provider, inject } from '@angular/core';
import { ApolloLink, InMemoryCache } from '@apollo/client';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { SetContextLink } from '@apollo/client/link/context';
import { ErrorLink } from '@apollo/client/link/error';
import { HttpLink } from '@apollo/client/link/http';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { provideApollo } from 'apollo-angular';
import { OperationTypeNode } from 'graphql';
import { Client, createClient } from 'graphql-ws';
import { AuthService } from '../auth/auth.service';
import { GRAPHQL_PATH } from './post-graphql';
import { SocketState } from './socket-state';

/** Close codes of the admin API's subscription sockets. */
export const TOKEN_EXPIRED = 4401;
export const TOKEN_REFUSED = 4403;

export function socketUrl(location: Location = globalThis.location): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${GRAPHQL_PATH}`;
}

/**
 * The subscription socket: `{ authorization: 'Bearer <accessToken>' }` in connection_init, a fresh token
 * for every connection. The broker closes it with 4401 when the token expires or the login ends; the
 * subscriptions then start again (see LiveQuery) on a new socket with a new token.
 */
export function createSocket(auth: AuthService, state: SocketState): Client {
  let sent: string | undefined;
  return createClient({
    url: socketUrl(),
    lazy: true,
    lazyCloseTimeout: 3_000,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    connectionParams: async () => {
      const token = await auth.accessToken();
      sent = token ?? undefined;
      return token ? { authorization: `Bearer ${token}` } : {};
    },
    on: {
      connected: () => state.connected.set(true),
      closed: (event) => {
        state.connected.set(false);
        const code = (event as CloseEvent | undefined)?.code;
        if (code === TOKEN_EXPIRED || code === TOKEN_REFUSED) void auth.rejected(sent);
      },
    },
  });
}

export function provideGraphQL(): Array<Provider | EnvironmentProviders> {
  return [
    provideApollo(() => {
      const auth = inject(AuthService);
      const state = inject(SocketState);
      const withToken = new SetContextLink(async (previous) => {
        const token = await auth.accessToken();
        return token ? { headers: { ...previous['headers'], authorization: `Bearer ${token}` } } : {};
      });
      const onError = new ErrorLink(({ error, operation }) => {
        if (!CombinedGraphQLErrors.is(error) || !error.errors.some((e) => e.extensions?.['code'] === 'UNAUTHENTICATED')) return;
        const header = (operation.getContext()['headers'] as Record<string, string> | undefined)?.['authorization'];
        void auth.rejected(header?.replace(/^Bearer /, ''));
      });
      const http = ApolloLink.from([onError, withToken, new HttpLink({ uri: GRAPHQL_PATH })]);
      const ws = new GraphQLWsLink(createSocket(auth, state));
      return {
        link: ApolloLink.split((operation) => operation.operationType === OperationTypeNode.SUBSCRIPTION, ws, http),
        cache: new InMemoryCache(),
        // State lives in signals in the services and pages; the cache is not a second copy of it.
        defaultOptions: {
          query: { fetchPolicy: 'no-cache' },
          watchQuery: { fetchPolicy: 'no-cache' },
          mutate: { fetchPolicy: 'no-cache' },
        },
      };
    }),
  ];
}
