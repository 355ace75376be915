import type { TypedDocumentNode } from '@apollo/client';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { print } from 'graphql';

/** The admin API's HTTP endpoint, on the origin that served the UI. */
export const GRAPHQL_PATH = '/graphql';

/**
 * One GraphQL operation over HTTP without the Apollo client: for signing in and refreshing tokens, which
 * the Apollo client itself depends on. GraphQL errors come back as CombinedGraphQLErrors, like Apollo's.
 */
export async function postGraphQL<TData, TVariables>(
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  token?: string,
): Promise<TData> {
  const response = await fetch(GRAPHQL_PATH, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: print(document), variables }),
  });
  let body: { data?: TData | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
  try {
    body = (await response.json()) as typeof body;
  } catch {
    throw new Error(`The broker answered ${response.status} ${response.statusText}`.trim());
  }
  if (body.errors?.length) throw new CombinedGraphQLErrors(body as never);
  if (body.data == null) throw new Error(`The broker answered ${response.status} without data`);
  return body.data;
}
