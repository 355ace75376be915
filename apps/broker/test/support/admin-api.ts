import { GraphQLSchemaHost } from '@nestjs/graphql';
import { GraphQLNamedType, getNamedType, isObjectType } from 'graphql';
import { TestBroker } from './test-broker';

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

/** The code of a GraphQL answer's first error. */
export function errorCode(answer: GraphQLAnswer<unknown>): string | undefined {
  return answer.errors?.[0]?.extensions?.code;
}

export interface RestOptions {
  token?: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as it is, with content-type: application/json. */
  rawBody?: string;
  query?: Record<string, string | number | boolean | Array<string | number> | undefined>;
}

/** A client of the REST API under /api/v1 for one broker: `rest('GET', '/clients', { token })`. */
export function rest(broker: TestBroker) {
  const base = `http://127.0.0.1:${broker.port('http')}/api/v1`;
  return (method: string, path: string, options: RestOptions = {}): Promise<Response> => {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) search.append(name, String(v));
    }
    const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    return fetch(`${base}${path}${search.size > 0 ? `?${search}` : ''}`, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
      body,
    });
  };
}

/**
 * Every field of a GraphQL type, nested objects included, as a selection set: what a query asks for to see
 * all a type holds, read from the schema the broker serves so that no field can be left out of a comparison.
 * Fields with arguments are left out, and so are those named in `except` as `Type.field`.
 */
export function allFields(broker: TestBroker, typeName: string, except: readonly string[] = []): string {
  const schema = broker.app.get(GraphQLSchemaHost).schema;
  const select = (type: GraphQLNamedType): string => {
    if (!isObjectType(type)) return '';
    const fields = Object.values(type.getFields()).filter((f) => f.args.length === 0 && !except.includes(`${type.name}.${f.name}`));
    return `{ ${fields.map((f) => `${f.name} ${select(getNamedType(f.type))}`.trim()).join(' ')} }`;
  };
  const type = schema.getType(typeName);
  if (type === undefined) throw new Error(`no GraphQL type ${typeName}`);
  return select(type);
}
