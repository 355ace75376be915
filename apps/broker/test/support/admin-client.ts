import type { TestBroker } from './test-broker';

/** The first admin every test broker creates (ADMIN_PASSWORD in startBrokerOn). */
export const ADMIN = { username: 'admin', password: 'admin-secret' };

export interface GraphQLAnswer<T> {
  data?: T;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

/** A response's JSON body, parsed in this realm (the objects fetch's json() makes fail deepEqual under Jest). */
export async function json<T>(response: Response): Promise<T> {
  return JSON.parse(await response.text()) as T;
}

/** A GraphQL client over HTTP for one broker. */
export function graphql(broker: TestBroker) {
  const url = `http://127.0.0.1:${broker.port('http')}/graphql`;
  return async <T>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<GraphQLAnswer<T>> => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return json<GraphQLAnswer<T>>(response);
  };
}

/** Signs in through the login mutation; returns the access token. */
export async function signIn(broker: TestBroker, username = ADMIN.username, password = ADMIN.password): Promise<string> {
  const answer = await graphql(broker)<{ login: { accessToken: string } }>(
    `mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }`,
    { u: username, p: password },
  );
  if (!answer.data) throw new Error(`login failed: ${answer.errors?.[0]?.message}`);
  return answer.data.login.accessToken;
}

export function errorCode(answer: GraphQLAnswer<unknown>): string | undefined {
  return answer.errors?.[0]?.extensions?.code;
}
