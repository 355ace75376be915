import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { UserRepository } from '@nestmq/persistence';
import { SignJWT } from 'jose';
import type { IDisconnectPacket } from 'mqtt';
import OpenAPISchemaValidator from 'openapi-schema-validator';
import { OpenAPI } from 'openapi-types';
import { StatusService } from '../src/admin/status/status.service';
import { HISTORY_RECORDER } from '../src/history/history.module';
import { HistoryRecorder } from '../src/history/history-recorder';
import { SESSION_EVENT_RECORDER } from '../src/session-events/session-event-recorder.token';
import { SessionEventRecorder } from '../src/session-events/session-event-recorder';
import { BROKER_VERSION } from '../src/version';
import { GraphQLAnswer, RestOptions, allFields, graphql, json, rest } from './support/admin-api';
import { connectClient, connectWithInbox, eventuallyAsync, publish, withTimeout } from './support/clients';
import { TestBroker, startTestBroker } from './support/test-broker';

const SECRET = 'a-test-secret-of-enough-length-for-hs256-signing';
const ADMIN = { username: 'admin', password: 'admin-secret' };
const VIEWER = { username: 'watcher', password: 'watcher-secret' };
const BROKER_ENV = { ADMIN_JWT_SECRET: SECRET, ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password };

interface Tokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: string;
  account: { username: string; role: string };
}

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
}

type Json = Record<string, unknown>;

/** The body of a successful answer, checked for its status first. */
async function ok<T = Json>(response: Response, status = 200): Promise<T> {
  const text = await response.text();
  assert.equal(response.status, status, text);
  return JSON.parse(text) as T;
}

/** The problem details of an error answer: its status, media type and the members RFC 7807 asks for. */
async function problemOf(response: Response, status: number, code: string): Promise<Problem> {
  const text = await response.text();
  assert.equal(response.status, status, text);
  assert.equal(response.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  const problem = JSON.parse(text) as Problem;
  assert.deepEqual(Object.keys(problem).sort(), ['code', 'detail', 'status', 'title', 'type']);
  assert.equal(problem.type, 'about:blank');
  assert.equal(problem.status, status);
  assert.equal(problem.code, code, problem.detail);
  assert.equal(typeof problem.title, 'string');
  assert.doesNotMatch(text, /\bat .*\.js:\d+/, 'never a stack trace');
  return problem;
}

/** The data of a GraphQL answer that must have no errors. */
function data<T>(answer: GraphQLAnswer<T>): T {
  assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
  return answer.data!;
}

async function restLogin(broker: TestBroker, who: { username: string; password: string }): Promise<Tokens> {
  return ok<Tokens>(await rest(broker)('POST', '/auth/login', { body: who }));
}

/** The operations of an OpenAPI document, each with its method (upper case) and path. */
function operationsOf(document: OpenAPI.Document): Array<{ method: string; path: string; operation: Json }> {
  return Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    Object.entries(item as Json)
      .filter(([method]) => ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'].includes(method))
      .map(([method, operation]) => ({ method: method.toUpperCase(), path, operation: operation as Json })),
  );
}

/** A path of the document with its parameters filled in. */
const concrete = (path: string): string => path.replace(/^\/api\/v1/, '').replace(/\{[^}]+\}/g, 'nobody-here');

describe('REST admin API: signing in, errors and the OpenAPI document', () => {
  let broker: TestBroker;
  let api: ReturnType<typeof rest>;
  let gql: ReturnType<typeof graphql>;
  let document: OpenAPI.Document;
  beforeAll(async () => {
    // A per-name throttle of 3 failures, and no per-address one: every test here comes from 127.0.0.1.
    broker = await startTestBroker({ httpPort: 0 }, { ...BROKER_ENV, LOGIN_FAILURES_PER_ADDRESS: '0', LOGIN_FAILURES_PER_USER: '3' });
    api = rest(broker);
    gql = graphql(broker);
    await broker.app.get(UserRepository).create({ ...VIEWER, roles: ['viewer'] });
    await broker.app.get(UserRepository).create({ username: 'locked-out', password: 'right-password', roles: ['viewer'] });
    const response = await fetch(`http://127.0.0.1:${broker.port('http')}/api/v1/openapi.json`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    document = await json<OpenAPI.Document>(response);
  });
  afterAll(() => broker.close());

  it('signs in over REST and answers a call with the token; refresh and logout share their logins with GraphQL', async () => {
    const tokens = await restLogin(broker, ADMIN);
    assert.deepEqual(tokens.account, { username: 'admin', role: 'admin' });
    const expiresIn = Date.parse(tokens.expiresAt) - Date.now();
    assert.ok(expiresIn > 14 * 60_000 && expiresIn <= 15 * 60_000, `expires in ${expiresIn} ms`);
    const status = await ok<{ version: string; listeners: Json[] }>(await api('GET', '/status', { token: tokens.accessToken }));
    assert.equal(status.version, BROKER_VERSION);
    assert.deepEqual(await ok(await api('GET', '/auth/me', { token: tokens.accessToken })), { username: 'admin', role: 'admin' });
    // A token from REST works on GraphQL, and the other way round.
    assert.deepEqual(data(await gql<{ me: Json }>(`{ me { username role } }`, {}, tokens.accessToken)).me, { username: 'admin', role: 'admin' });
    const viaGraphQL = data(await gql<{ login: Tokens }>(`mutation { login(username: "watcher", password: "watcher-secret") { accessToken } }`)).login;
    assert.deepEqual(await ok(await api('GET', '/auth/me', { token: viaGraphQL.accessToken })), { username: 'watcher', role: 'viewer' });

    const renewed = await ok<Tokens>(await api('POST', '/auth/refresh', { body: { refreshToken: tokens.refreshToken } }));
    assert.notEqual(renewed.refreshToken, tokens.refreshToken);
    assert.deepEqual(renewed.account, { username: 'admin', role: 'admin' });
    const replayed = await problemOf(await api('POST', '/auth/refresh', { body: { refreshToken: tokens.refreshToken } }), 401, 'UNAUTHENTICATED');
    assert.match(replayed.detail, /already used/);
    assert.equal((await gql(`{ me { username } }`, {}, renewed.accessToken)).errors?.[0].extensions?.code, 'UNAUTHENTICATED', 'a replayed refresh token ends the login, for GraphQL too');

    const again = await restLogin(broker, ADMIN);
    const out = await api('POST', '/auth/logout', { token: again.accessToken });
    assert.equal(out.status, 204);
    assert.equal(await out.text(), '');
    assert.match((await problemOf(await api('GET', '/auth/me', { token: again.accessToken }), 401, 'UNAUTHENTICATED')).detail, /login has ended/);
    assert.equal((await gql(`{ me { username } }`, {}, again.accessToken)).errors?.[0].extensions?.code, 'UNAUTHENTICATED');
  });

  it('throttles failed logins over REST and GraphQL together, per user name, with one answer for every refusal', async () => {
    const refusals = [];
    for (let i = 0; i < 3; i++) refusals.push(await problemOf(await api('POST', '/auth/login', { body: { username: 'locked-out', password: 'wrong' } }), 401, 'UNAUTHENTICATED'));
    refusals.push(await problemOf(await api('POST', '/auth/login', { body: { username: 'nobody-at-all', password: 'x' } }), 401, 'UNAUTHENTICATED'));
    assert.equal(new Set(refusals.map((p) => p.detail)).size, 1, 'an unknown name and a wrong password read the same');
    // The three failures over REST lock the name for GraphQL, even with the right password.
    const graphqlLogin = await gql(`mutation { login(username: "locked-out", password: "right-password") { accessToken } }`);
    assert.equal(graphqlLogin.errors?.[0].extensions?.code, 'UNAUTHENTICATED');
    assert.match(graphqlLogin.errors![0].message, /too many failed logins/);
    assert.match((await problemOf(await api('POST', '/auth/login', { body: { username: 'locked-out', password: 'right-password' } }), 401, 'UNAUTHENTICATED')).detail, /too many failed logins/);
  });

  it('answers 401 problem+json on every operation that needs a token, without one, with a forged one, an expired one or a refresh token', async () => {
    const secured = operationsOf(document).filter(({ operation }) => operation.security !== undefined);
    assert.ok(secured.length >= 20, `${secured.length} operations need a token`);
    for (const { method, path } of secured) {
      const response = await api(method, concrete(path));
      assert.equal(response.headers.get('www-authenticate'), 'Bearer', `${method} ${path}`);
      assert.match((await problemOf(response, 401, 'UNAUTHENTICATED')).detail, /Authorization: Bearer/, `${method} ${path}`);
    }
    const claims = { typ: 'access', role: 'admin', sid: '00000000-0000-0000-0000-000000000000' };
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuer('nestmq').setSubject('admin').setIssuedAt().setExpirationTime('15m').sign(Buffer.from('not-the-secret-not-the-secret-not-the-secret'));
    assert.match((await problemOf(await api('GET', '/status', { token: forged }), 401, 'UNAUTHENTICATED')).detail, /not accepted/);
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuer('nestmq').setSubject('admin').setIssuedAt(now - 3600).setExpirationTime(now - 60).sign(Buffer.from(SECRET));
    assert.match((await problemOf(await api('GET', '/status', { token: expired }), 401, 'UNAUTHENTICATED')).detail, /expired/);
    const tokens = await restLogin(broker, ADMIN);
    await problemOf(await api('GET', '/status', { token: tokens.refreshToken }), 401, 'UNAUTHENTICATED');
  });

  it('answers a viewer 403 problem+json on every route that changes something, and lets a viewer read', async () => {
    const viewer = (await restLogin(broker, VIEWER)).accessToken;
    const operations = operationsOf(document);
    const adminOnly = operations.filter(({ operation }) => '403' in (operation.responses as Json));
    // Every route that changes the broker is one of them; signing in and out are everyone's.
    for (const { method, path } of operations.filter((o) => o.method !== 'GET' && !o.path.startsWith('/api/v1/auth/'))) {
      assert.ok(adminOnly.some((o) => o.method === method && o.path === path), `${method} ${path} is documented as admin only`);
    }
    assert.deepEqual(adminOnly.map(({ method, path }) => `${method} ${path}`).sort(), [
      'DELETE /api/v1/acl-rules/{id}',
      'DELETE /api/v1/retained',
      'DELETE /api/v1/sessions/{clientId}',
      'DELETE /api/v1/users/{username}',
      'GET /api/v1/api-keys',
      'GET /api/v1/users/export',
      'PATCH /api/v1/acl-rules/{id}',
      'PATCH /api/v1/listeners/{id}',
      'PATCH /api/v1/users/{username}',
      'POST /api/v1/acl-rules',
      'POST /api/v1/api-keys',
      'POST /api/v1/api-keys/{id}/revoke',
      'POST /api/v1/clients/{clientId}/kick',
      'POST /api/v1/publish',
      'POST /api/v1/users',
      'POST /api/v1/users/import',
    ]);
    for (const { method, path } of adminOnly) {
      const problem = await problemOf(await api(method, concrete(path), { token: viewer, body: method === 'GET' || method === 'DELETE' ? undefined : {} }), 403, 'FORBIDDEN');
      assert.match(problem.detail, /admin role/, `${method} ${path}`);
    }
    for (const path of ['/status', '/clients', '/sessions', '/users', '/retained', '/topics', '/messages', '/session-events', '/audit-log', '/auth/me']) {
      assert.equal((await api('GET', path, { token: viewer })).status, 200, path);
    }
  });

  it('answers 404 problem+json for an unknown client, session, user and route', async () => {
    const token = (await restLogin(broker, ADMIN)).accessToken;
    assert.equal((await problemOf(await api('GET', '/clients/nobody%2Fhere', { token }), 404, 'NOT_FOUND')).detail, 'no client "nobody/here" is connected');
    assert.equal((await problemOf(await api('POST', '/clients/nobody-here/kick', { token }), 404, 'NOT_FOUND')).detail, 'no client "nobody-here" is connected');
    for (const [method, path] of [['GET', '/sessions/nobody-here'], ['DELETE', '/sessions/nobody-here'], ['GET', '/sessions/nobody-here/messages']]) {
      assert.equal((await problemOf(await api(method, path, { token }), 404, 'NOT_FOUND')).detail, 'no session "nobody-here"', path);
    }
    for (const [method, path, body] of [['GET', '/users/nobody-here'], ['PATCH', '/users/nobody-here', { enabled: false }], ['DELETE', '/users/nobody-here']] as const) {
      assert.equal((await problemOf(await api(method, path, { token, body }), 404, 'NOT_FOUND')).detail, 'no user "nobody-here"', path);
    }
    for (const [method, path] of [['GET', '/nothing-here'], ['GET', ''], ['POST', '/status'], ['PUT', '/users/admin'], ['GET', '/clients/a/b']]) {
      const problem = await problemOf(await api(method, path, { token }), 404, 'NOT_FOUND');
      assert.equal(problem.detail, `no route ${method} /api/v1${path}; the routes are listed in /api/v1/openapi.json`);
    }
    // Without a token too: a route that does not exist says so before anything else.
    await problemOf(await api('GET', '/nothing-here'), 404, 'NOT_FOUND');
  });

  it('answers 400 problem+json naming the parameter or field on bad paging and bad input, and malformed JSON; 413 on a body too large', async () => {
    const token = (await restLogin(broker, ADMIN)).accessToken;
    const cases: Array<[string, string, RestOptions, RegExp]> = [
      ['GET', '/clients', { query: { first: 'abc' } }, /^first: "abc" is not an integer$/],
      ['GET', '/clients', { query: { first: 0 } }, /^first: 0; ask for 1 to 500 at a time$/],
      ['GET', '/sessions', { query: { first: 501 } }, /^first: 501; ask for 1 to 500 at a time$/],
      ['GET', '/retained', { query: { first: 1.5 } }, /^first: "1.5" is not an integer$/],
      ['GET', '/topics', { query: { first: [1, 2] } }, /^first: given 2 times; give it once$/],
      ['GET', '/audit-log', { query: { first: 10, after: 'garbage' } }, /^after: .*; pass a nextCursor$/],
      ['GET', '/messages', { query: { after: 'garbage' } }, /^after: .*; pass a nextCursor$/],
      ['GET', '/session-events', { query: { after: 'garbage' } }, /^after: .*; pass a nextCursor$/],
      ['GET', '/sessions/x/messages', { query: { first: 'all' } }, /^first: "all" is not an integer$/],
      ['GET', '/messages/latest', { query: { topic: 'a', last: 0 } }, /^last: 0; ask for 1 to 500 at a time$/],
      ['GET', '/clients', { query: { page: 2 } }, /^page: no such parameter; the parameters are filter, first, after$/],
      ['GET', '/sessions', { query: { online: 'maybe' } }, /^online: "maybe" is not true or false$/],
      ['GET', '/messages', { query: { from: 'yesterday' } }, /^from: "yesterday" is not a date-time/],
      ['GET', '/messages', { query: { from: '2025-01-02T00:00:00Z', to: '2025-01-01T00:00:00Z' } }, /^from: must be before to$/],
      ['GET', '/messages', { query: { topicFilter: 'a/#/b' } }, /^topicFilter: "a\/#\/b" is not a topic filter$/],
      ['GET', '/messages/latest', {}, /^topic: required$/],
      ['GET', '/session-events', { query: { actions: ['connect', 'exploded'] } }, /^actions\[1\]: "exploded" is not one of connect, /],
      ['DELETE', '/retained', {}, /^topics: required$/],
      ['DELETE', '/retained', { query: { topics: 'a/+' } }, /^topics: "a\/\+" is not a topic name/],
      ['POST', '/auth/login', { rawBody: '{"username": "admin", ' }, /^body: not valid JSON \(/],
      ['POST', '/users', { rawBody: '[1, 2' }, /^body: not valid JSON \(/],
      ['POST', '/users', { body: ['a'] }, /^body: expected a JSON object$/],
      ['POST', '/users', { body: { username: 'x', password: 42 } }, /^password: 42 is not a string$/],
      ['POST', '/users', { body: { username: 'x' } }, /^password: required$/],
      ['POST', '/users', { body: { username: 'x', password: 'y', role: 'admin' } }, /^role: no such field; the fields are username, password, roles, enabled$/],
      ['POST', '/users', { body: { username: 'x', password: 'y', roles: 'admin' } }, /^roles: expected a JSON array$/],
      ['POST', '/users', { body: { username: 'x', password: 'y', enabled: 'yes' } }, /^enabled: "yes" is not true or false$/],
      ['POST', '/users', { body: { username: 'admin', password: 'y' } }, /^username: "admin" already exists$/],
      ['PATCH', '/users/admin', { body: { password: null, enabled: null, roles: null, extra: 1 } }, /^extra: no such field/],
      ['POST', '/users/import', { body: { username: 'x' } }, /^body: expected a JSON array$/],
      ['POST', '/users/import', { body: [{ username: 'x', password: 'y', enabled: 1 }] }, /^\[0\]\.enabled: 1 is not true or false$/],
      ['POST', '/users/import', { body: [] }, /^users: 1 to 10000 at a time$/],
      ['POST', '/publish', { body: { topic: 'a', qos: '1' } }, /^qos: "1" is not an integer$/],
      ['POST', '/publish', { body: { topic: 'a', qos: 3 } }, /^qos: 3; 0 to 2 are allowed$/],
      ['POST', '/publish', { body: { topic: 'a', encoding: 'hex' } }, /^encoding: "hex" is not one of utf8, base64$/],
      ['POST', '/publish', { body: { topic: '$SYS/x' } }, /\$SYS topics are the broker's own/],
    ];
    for (const [method, path, options, detail] of cases) {
      const problem = await problemOf(await api(method, path, { token, ...options }), 400, 'BAD_USER_INPUT');
      assert.match(problem.detail, detail, `${method} ${path} ${JSON.stringify(options)}`);
    }
    // A body that is not sent as JSON is not read as JSON.
    const text = await fetch(`http://127.0.0.1:${broker.port('http')}/api/v1/publish`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' }, body: '{"topic":"a"}' });
    assert.match((await problemOf(text, 400, 'BAD_USER_INPUT')).detail, /^body: expected JSON, sent with content-type: application\/json$/);
    const large = await problemOf(await api('POST', '/publish', { token, body: { topic: 'a', payload: 'x'.repeat(200_000) } }), 413, 'PAYLOAD_TOO_LARGE');
    assert.equal(large.detail, 'body: more than 102400 bytes');
    assert.equal(large.title, 'Payload Too Large');
  });

  it('answers an unexpected error 500 problem+json that says nothing of it, and GraphQL as before', async () => {
    const token = (await restLogin(broker, ADMIN)).accessToken;
    const status = broker.app.get(StatusService);
    const original = status.status;
    status.status = () => {
      throw new Error('a secret detail of the server');
    };
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const response = await api('GET', '/status', { token });
      const problem = await problemOf(response.clone(), 500, 'INTERNAL_SERVER_ERROR');
      assert.equal(problem.detail, 'an unexpected error occurred; it is logged on the server');
      assert.doesNotMatch(await response.text(), /secret|status\.service|\.js/);
      // The server keeps what the answer leaves out: the request and the stack.
      assert.deepEqual([...logged.mock.calls].map(([message, stack]) => [message, String(stack).split('\n')[0]]), [['GET /api/v1/status', 'Error: a secret detail of the server']]);
      // GraphQL answers it as it always has: an error without a stack trace, coded INTERNAL_SERVER_ERROR.
      const answer = await gql(`{ brokerStatus { version } }`, {}, token);
      assert.equal(answer.errors?.[0].extensions?.code, 'INTERNAL_SERVER_ERROR');
      assert.equal(JSON.stringify(answer).includes('stacktrace'), false);
    } finally {
      status.status = original;
      logged.mockRestore();
    }
    // GraphQL's own errors keep their codes and messages.
    const none = await gql(`{ brokerStatus { version } }`);
    assert.equal(none.errors?.[0].extensions?.code, 'UNAUTHENTICATED');
    assert.match(none.errors![0].message, /Authorization: Bearer/);
    const missing = await gql(`mutation { kickClient(clientId: "nobody-here") }`, {}, token);
    assert.deepEqual([missing.errors?.[0].extensions?.code, missing.errors?.[0].message], ['NOT_FOUND', 'no client "nobody-here" is connected']);
  });

  it('leaves /health, /ready, /metrics, /graphql and other paths as they were', async () => {
    const base = `http://127.0.0.1:${broker.port('http')}`;
    assert.deepEqual(await ok(await fetch(`${base}/health`)), { status: 'ok' });
    assert.deepEqual(await ok(await fetch(`${base}/ready`)), { status: 'ready', database: 'ok', listeners: 1 });
    const metrics = await fetch(`${base}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(await metrics.text(), /^nestmq_clients_connected \d+$/m);
    // Outside /api/v1, an unknown path is answered as Nest answers it, not as problem details.
    const elsewhere = await fetch(`${base}/not-the-api`);
    assert.equal(elsewhere.status, 404);
    assert.match(elsewhere.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(await json(elsewhere), { message: 'Cannot GET /not-the-api', error: 'Not Found', statusCode: 404 });
    const malformed = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    assert.equal(malformed.status, 400);
    assert.match(malformed.headers.get('content-type') ?? '', /^application\/json/);
  });

  it('serves an OpenAPI document that validates, has every route the controllers serve, and declares bearer security', async () => {
    assert.deepEqual(new OpenAPISchemaValidator({ version: 3 }).validate(document).errors, []);
    assert.equal(document.info.title, 'NestMQ admin API');
    assert.equal(document.info.version, BROKER_VERSION);
    const doc = document as OpenAPI.Document & { components: { securitySchemes: Json; schemas: Json } };
    assert.deepEqual(doc.components.securitySchemes.bearer, { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The accessToken of POST /api/v1/auth/login (15 minutes)' });

    // The routes Express serves under /api/v1 besides the document's own (the controllers' routes), against the document's.
    const router = broker.app.get(HttpAdapterHost).httpAdapter.getInstance<{ router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> } }>().router;
    const served = router.stack
      .flatMap((layer) => (layer.route === undefined ? [] : Object.keys(layer.route.methods).map((m) => `${m.toUpperCase()} ${layer.route!.path.replace(/:(\w+)/g, '{$1}')}`)))
      .filter((route) => route.split(' ')[1].startsWith('/api/v1/') && !route.endsWith('/api/v1/openapi.json'))
      .sort();
    const documented = operationsOf(document).map(({ method, path }) => `${method} ${path}`).sort();
    assert.deepEqual(documented, served);
    for (const route of ['POST /api/v1/auth/login', 'GET /api/v1/clients', 'POST /api/v1/clients/{clientId}/kick', 'GET /api/v1/sessions/{clientId}/messages', 'GET /api/v1/users/export', 'POST /api/v1/users/import', 'DELETE /api/v1/retained', 'GET /api/v1/messages', 'POST /api/v1/publish', 'GET /api/v1/session-events', 'GET /api/v1/audit-log', 'GET /api/v1/acl-rules', 'POST /api/v1/api-keys/{id}/revoke']) {
      assert.ok(documented.includes(route), route);
    }

    const ids = new Set<string>();
    for (const { method, path, operation } of operationsOf(document)) {
      const where = `${method} ${path}`;
      assert.equal(typeof operation.operationId, 'string', where);
      assert.ok(!ids.has(operation.operationId as string), `${where}: operationId ${String(operation.operationId)} twice`);
      ids.add(operation.operationId as string);
      assert.equal(typeof operation.summary, 'string', where);
      // Single sign-on's routes are the browser's: they answer with redirects, and nobody is signed in yet.
      const isSignOn = path.startsWith('/api/v1/auth/oidc/');
      const isPublic = path === '/api/v1/auth/login' || path === '/api/v1/auth/refresh' || isSignOn;
      assert.deepEqual(operation.security, isPublic ? undefined : [{ bearer: [] }], where);
      const responses = operation.responses as Record<string, { content?: Record<string, { schema?: unknown }> }>;
      assert.ok(Object.keys(responses).some((s) => /^2\d\d$/.test(s) || (isSignOn && s === '302')), `${where}: a success answer`);
      const errors = Object.keys(responses).filter((s) => !/^2\d\d$/.test(s) && !(isSignOn && s === '302'));
      assert.ok(errors.includes('500') && (errors.includes('401') || isSignOn), `${where}: ${errors.join(', ')}`);
      for (const status of errors) assert.deepEqual(responses[status].content, { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } } }, `${where} ${status}`);
      // Its parameters are documented: each {name} in the path, and a query or body where the route reads one.
      const parameters = (operation.parameters ?? []) as Array<{ in: string; name: string; required?: boolean; schema?: unknown }>;
      for (const [, name] of path.matchAll(/\{(\w+)\}/g)) assert.ok(parameters.some((p) => p.in === 'path' && p.name === name && p.required), `${where}: ${name}`);
      for (const p of parameters) assert.ok(p.schema, `${where}: ${p.name} has a schema`);
    }
    const schemaOf = (path: string, method: string): unknown => ((document.paths![path] as Json)[method] as { requestBody?: { content: Json } }).requestBody?.content['application/json'];
    assert.deepEqual(schemaOf('/api/v1/users', 'post'), { schema: { $ref: '#/components/schemas/CreateUserInput' } });
    assert.deepEqual(schemaOf('/api/v1/users/import', 'post'), { schema: { type: 'array', items: { $ref: '#/components/schemas/UserImportInput' } } });
    const clients = operationsOf(document).find((o) => o.method === 'GET' && o.path === '/api/v1/clients')!.operation;
    assert.deepEqual(
      (clients.parameters as Json[]).map((p) => [p.name, p.in, p.required, p.schema]),
      [
        ['filter', 'query', false, { type: 'string' }],
        ['first', 'query', false, { type: 'integer', default: 100, minimum: 1, maximum: 500 }],
        ['after', 'query', false, { type: 'string' }],
      ],
    );
    const problem = doc.components.schemas.ProblemDetails as { properties: Json; required: string[] };
    assert.deepEqual([Object.keys(problem.properties), problem.required], [['type', 'title', 'status', 'detail', 'code'], ['type', 'title', 'status', 'detail', 'code']]);
  });

  it('keeps the Swagger UI off unless ADMIN_API_DOCS=true', async () => {
    for (const path of ['/docs', '/docs/', '/docs/index.html', '/docs/swagger-ui-init.js']) await problemOf(await api('GET', path), 404, 'NOT_FOUND');
  });
});

describe('REST admin API: the Swagger UI with ADMIN_API_DOCS=true', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker({ httpPort: 0 }, { ...BROKER_ENV, ADMIN_API_DOCS: 'true' });
  });
  afterAll(() => broker.close());

  it('serves the Swagger UI at /api/v1/docs, with the same document, without a token', async () => {
    const base = `http://127.0.0.1:${broker.port('http')}/api/v1`;
    const page = await fetch(`${base}/docs`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const html = await page.text();
    assert.match(html, /<title>NestMQ admin API<\/title>/);
    assert.match(html, /swagger-ui/);
    const init = await fetch(`${base}/docs/swagger-ui-init.js`);
    assert.equal(init.status, 200);
    assert.match(await init.text(), /"title": ?"NestMQ admin API"/);
    const asset = await fetch(`${base}/docs/swagger-ui-bundle.js`);
    assert.equal(asset.status, 200);
    await asset.arrayBuffer();
    assert.equal((await fetch(`${base}/openapi.json`)).status, 200);
  });
});

describe('REST admin API: every resource answers as its GraphQL twin', () => {
  let broker: TestBroker;
  let api: ReturnType<typeof rest>;
  let gql: ReturnType<typeof graphql>;
  let admin: string;
  let viewer: string;
  const mqtt: Array<{ endAsync(force?: boolean): Promise<void> }> = [];

  /** REST with the viewer's token (an admin's where the route needs one). */
  const get = async <T = Json>(path: string, query?: RestOptions['query'], token = viewer): Promise<T> => ok<T>(await api('GET', path, { token, query }));
  const ask = async <T>(query: string, variables: Json = {}, token = viewer): Promise<T> => data(await gql<T>(query, variables, token));

  beforeAll(async () => {
    broker = await startTestBroker({ httpPort: 0 }, BROKER_ENV);
    api = rest(broker);
    gql = graphql(broker);
    const users = broker.app.get(UserRepository);
    await users.create({ ...VIEWER, roles: ['viewer'] });
    await users.create({ username: 'device-1', password: 'device-secret', roles: ['device', 'sensors'] });
    admin = (await restLogin(broker, ADMIN)).accessToken;
    viewer = (await restLogin(broker, VIEWER)).accessToken;

    // Clients connected, a persistent session gone offline with a will and messages it is owed.
    const a = await connectClient(broker.url, { clientId: 'twin-a', keepalive: 30, username: 'device-1', password: 'device-secret' });
    await a.subscribeAsync(['twin/x/+', 'twin/y'], { qos: 1 });
    const b = await connectClient(broker.url, { clientId: 'twin-b', protocolVersion: 4, clean: false });
    const owed = await connectClient(broker.url, {
      clientId: 'twin-owed',
      clean: false,
      properties: { sessionExpiryInterval: 600 },
      will: { topic: 'twin/wills/owed', payload: Buffer.from('gone'), qos: 1, retain: false, properties: { willDelayInterval: 600 } },
    });
    await owed.subscribeAsync('twin/owed/#', { qos: 1, nl: true, rh: 1, properties: { subscriptionIdentifier: 7 } });
    await owed.subscribeAsync('$share/g/twin/shared/+', { qos: 2 });
    owed.end(true);
    await eventuallyAsync(async () => (await get<{ online: boolean }>('/sessions/twin-owed')).online === false, 5000, 'the session to go offline');
    const pub = await connectClient(broker.url, { clientId: 'twin-pub' });
    for (let i = 0; i < 3; i++) await publish(pub, `twin/owed/${i}`, `q-${i}`, { qos: 1 });
    for (const topic of ['twin/r/a', 'twin/r/b', 'twin/r/c']) await publish(pub, topic, `v-${topic}`, { qos: 1, retain: true, properties: topic === 'twin/r/a' ? { contentType: 'text/plain', userProperties: { k: 'v' } } : undefined });
    await publish(pub, 'twin/bin', Buffer.from([0xff, 0x00]), { qos: 1 });
    for (let i = 0; i < 5; i++) await publish(pub, 'twin/x/1', `x-${i}`, { qos: 0 });
    mqtt.push(a, b, pub);
    // Changes for the audit log, one over each API.
    await ok(await api('POST', '/publish', { token: admin, body: { topic: 'twin/audit', payload: 'rest' } }));
    await ask(`mutation { publish(input: { topic: "twin/audit", payload: "graphql" }) { deliveries } }`, {}, admin);
    await broker.app.get<HistoryRecorder>(HISTORY_RECORDER).flush();
    await broker.app.get<SessionEventRecorder>(SESSION_EVENT_RECORDER).flush();
  });
  afterAll(async () => {
    await Promise.all(mqtt.map((c) => c.endAsync()));
    await broker.close();
  });

  it('status and me', async () => {
    const status = await get<{ uptimeSeconds: number }>('/status');
    const twin = (await ask<{ brokerStatus: { uptimeSeconds: number } }>(`{ brokerStatus ${allFields(broker, 'BrokerStatus')} }`)).brokerStatus;
    assert.ok(Math.abs(status.uptimeSeconds - twin.uptimeSeconds) <= 1);
    assert.deepEqual({ ...status, uptimeSeconds: 0 }, { ...twin, uptimeSeconds: 0 });
    assert.deepEqual(await get('/auth/me'), (await ask<{ me: Json }>(`{ me ${allFields(broker, 'AdminAccount')} }`)).me);
  });

  it('listeners: the list as brokerStatus gives it; switched off and on over REST, refusals with their codes', async () => {
    const listeners = await get<Json[]>('/listeners');
    assert.deepEqual(listeners, (await ask<{ brokerStatus: { listeners: Json[] } }>(`{ brokerStatus { listeners ${allFields(broker, 'ListenerInfo')} } }`)).brokerStatus.listeners);
    const id = `mqtt:${broker.mqttPort}`;
    assert.deepEqual(listeners.map((l) => [l.id, l.enabled]), [[id, true]]);
    const off = await ok<Json>(await api('PATCH', `/listeners/${id}`, { token: admin, body: { enabled: false } }));
    assert.equal(off.enabled, false);
    await problemOf(await api('PATCH', `/listeners/${id}`, { token: admin, body: { enabled: true, disconnectClients: true } }), 400, 'BAD_USER_INPUT');
    const on = await ok<Json>(await api('PATCH', `/listeners/${id}`, { token: admin, body: { enabled: true } }));
    assert.equal(on.enabled, true);
    await problemOf(await api('PATCH', '/listeners/mqtt:1', { token: admin, body: { enabled: false } }), 404, 'NOT_FOUND');
  });

  it('clients: a page at a time with the same cursor, and one client', async () => {
    const QUERY = `query ($f: String, $n: Int!, $a: String) { clients(filter: $f, first: $n, after: $a) ${allFields(broker, 'ClientPage')} }`;
    const first = await get<{ nextCursor: string; clients: Json[]; total: number }>('/clients', { filter: 'twin-', first: 1 });
    assert.deepEqual(first, (await ask<{ clients: Json }>(QUERY, { f: 'twin-', n: 1 })).clients);
    assert.deepEqual([first.total, first.clients.map((c) => c.clientId), first.nextCursor], [3, ['twin-a'], 'twin-a']);
    const second = await get<{ clients: Json[] }>('/clients', { filter: 'twin-', first: 2, after: first.nextCursor });
    assert.deepEqual(second, (await ask<{ clients: Json }>(QUERY, { f: 'twin-', n: 2, a: first.nextCursor })).clients);
    assert.deepEqual(second.clients.map((c) => c.clientId), ['twin-b', 'twin-pub']);
    assert.deepEqual(await get('/clients'), (await ask<{ clients: Json }>(QUERY, { n: 100 })).clients);
    const one = await get<Json>('/clients/twin-a');
    assert.deepEqual(one, (await ask<{ client: Json }>(`{ client(clientId: "twin-a") ${allFields(broker, 'Client')} }`)).client);
    assert.deepEqual([one.username, one.protocolVersion, one.keepAlive, one.subscriptions], ['device-1', 5, 30, 2]);
  });

  it('sessions: lists, one with its subscriptions and will, and the messages it is owed', async () => {
    // A list shows sessions without their subscriptions and will, over both APIs.
    const LIST = `query ($o: Boolean, $n: Int!, $a: String) { sessions(online: $o, first: $n, after: $a) ${allFields(broker, 'SessionPage', ['Session.subscriptionList', 'Session.will'])} }`;
    const first = await get<{ nextCursor: string; sessions: Json[] }>('/sessions', { first: 1 });
    assert.deepEqual(first, (await ask<{ sessions: Json }>(LIST, { n: 1 })).sessions);
    assert.deepEqual(await get('/sessions', { first: 5, after: first.nextCursor }), (await ask<{ sessions: Json }>(LIST, { n: 5, a: first.nextCursor })).sessions);
    const offline = await get<{ sessions: Json[] }>('/sessions', { online: false });
    assert.deepEqual(offline, (await ask<{ sessions: Json }>(LIST, { o: false, n: 100 })).sessions);
    assert.deepEqual(offline.sessions.map((s) => s.clientId), ['twin-owed']);

    const detail = await get<{ subscriptionList: Json[]; will: Json; queued: number }>('/sessions/twin-owed');
    assert.deepEqual(detail, (await ask<{ session: Json }>(`{ session(clientId: "twin-owed") ${allFields(broker, 'Session')} }`)).session);
    assert.deepEqual(detail.subscriptionList.map((s) => [s.topicFilter, s.qos, s.noLocal, s.retainHandling, s.subscriptionId]), [['$share/g/twin/shared/+', 2, false, 0, null], ['twin/owed/#', 1, true, 1, 7]]);
    assert.deepEqual([detail.will.topic, detail.will.payloadText, detail.will.delayInterval, detail.queued], ['twin/wills/owed', 'gone', 600, 3]);
    assert.deepEqual(await get('/sessions/twin-a'), (await ask<{ session: Json }>(`{ session(clientId: "twin-a") ${allFields(broker, 'Session')} }`)).session, 'a session that is not persistent');

    const STORED = `query ($n: Int!) { storedMessages(clientId: "twin-owed", first: $n) ${allFields(broker, 'StoredMessage')} }`;
    const stored = await get<Json[]>('/sessions/twin-owed/messages', { first: 2 });
    assert.deepEqual(stored, (await ask<{ storedMessages: Json[] }>(STORED, { n: 2 })).storedMessages);
    assert.deepEqual(stored.map((m) => [m.state, m.topic, m.payloadText]), [['queued', 'twin/owed/0', 'q-0'], ['queued', 'twin/owed/1', 'q-1']]);
    assert.deepEqual(await get('/sessions/twin-owed/messages'), (await ask<{ storedMessages: Json[] }>(STORED, { n: 100 })).storedMessages);
  });

  it('users: the list, one user, and the export', async () => {
    const list = await get<Json[]>('/users');
    const twin = (await ask<{ users: Json[] }>(`{ users ${allFields(broker, 'MqttUser')} }`)).users;
    assert.deepEqual(list, twin);
    assert.deepEqual(list.map((u) => u.username), ['admin', 'device-1', 'watcher']);
    assert.ok(list.every((u) => !('passwordHash' in u) && !('id' in u)), 'never a hash or a row id');
    assert.deepEqual(await get('/users/device-1'), twin.find((u) => u.username === 'device-1'));
    const exported = await get<Json[]>('/users/export', undefined, admin);
    assert.deepEqual(exported, (await ask<{ exportUsers: Json[] }>(`{ exportUsers ${allFields(broker, 'UserExport')} }`, {}, admin)).exportUsers);
    assert.ok(exported.every((u) => typeof u.passwordHash === 'string' && u.passwordHash.startsWith('$2')));
  });

  it('retained messages and topics: by filter, a page at a time', async () => {
    const RETAINED = `query ($f: String!, $n: Int!, $a: String) { retainedMessages(filter: $f, first: $n, after: $a) ${allFields(broker, 'RetainedPage')} }`;
    const first = await get<{ nextCursor: string; messages: Json[] }>('/retained', { filter: 'twin/r/#', first: 2 });
    assert.deepEqual(first, (await ask<{ retainedMessages: Json }>(RETAINED, { f: 'twin/r/#', n: 2 })).retainedMessages);
    assert.deepEqual(first.messages[0].properties, { contentType: 'text/plain', userProperties: [['k', 'v']] });
    const second = await get<{ nextCursor: string | null; messages: Json[] }>('/retained', { filter: 'twin/r/+', first: 2, after: first.nextCursor });
    assert.deepEqual(second, (await ask<{ retainedMessages: Json }>(RETAINED, { f: 'twin/r/+', n: 2, a: first.nextCursor })).retainedMessages);
    assert.deepEqual([second.messages.map((m) => m.topic), second.nextCursor], [['twin/r/c'], null]);
    assert.deepEqual(await get('/retained'), (await ask<{ retainedMessages: Json }>(RETAINED, { f: '#', n: 100 })).retainedMessages);

    const TOPICS = `query ($f: String!, $n: Int!, $a: String) { topics(filter: $f, first: $n, after: $a) ${allFields(broker, 'TopicPage')} }`;
    const topics = await get<{ nextCursor: string; topics: Json[] }>('/topics', { filter: 'twin/#', first: 3 });
    assert.deepEqual(topics, (await ask<{ topics: Json }>(TOPICS, { f: 'twin/#', n: 3 })).topics);
    assert.deepEqual(await get('/topics', { filter: 'twin/#', after: topics.nextCursor }), (await ask<{ topics: Json }>(TOPICS, { f: 'twin/#', n: 100, a: topics.nextCursor })).topics);
  });

  it('the message history: the same search gives the same page and cursor; the latest messages of a topic', async () => {
    const MESSAGES = `query ($f: String!, $from: DateTime, $to: DateTime, $c: String, $u: String, $p: String, $n: Int!, $a: String) {
      messages(topicFilter: $f, from: $from, to: $to, clientId: $c, username: $u, payloadContains: $p, first: $n, after: $a) ${allFields(broker, 'HistoryPage')} }`;
    const twin = async (v: Json): Promise<Json> => (await ask<{ messages: Json }>(MESSAGES, v)).messages;
    let after: string | undefined;
    const seen: string[] = [];
    do {
      const page: { messages: Array<{ topic: string }>; nextCursor: string | null } = await get('/messages', { topicFilter: 'twin/#', first: 4, after });
      assert.deepEqual(page, await twin({ f: 'twin/#', n: 4, a: after }));
      seen.push(...page.messages.map((m) => m.topic));
      after = page.nextCursor ?? undefined;
    } while (after !== undefined);
    assert.equal(seen.length, 3 + 3 + 1 + 5 + 2, seen.join(' '));
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const filtered = await get<{ messages: Json[] }>('/messages', { topicFilter: 'twin/+/+', from, to, clientId: 'twin-pub', payloadContains: 'x-', first: 3 });
    assert.deepEqual(filtered, await twin({ f: 'twin/+/+', from, to, c: 'twin-pub', p: 'x-', n: 3 }));
    assert.deepEqual(filtered.messages.map((m) => m.payloadText), ['x-4', 'x-3', 'x-2']);
    const byAdmin = await get<{ messages: Json[] }>('/messages', { username: 'admin' });
    assert.deepEqual(byAdmin, await twin({ f: '#', u: 'admin', n: 50 }));
    assert.deepEqual(byAdmin.messages.map((m) => m.payloadText), ['graphql', 'rest']);
    const binary = await get<{ messages: Json[] }>('/messages', { topicFilter: 'twin/bin' });
    assert.deepEqual(binary.messages.map((m) => [m.payloadText, m.payloadBase64]), [[null, '/wA=']]);

    const LATEST = `query ($t: String!, $n: Int!) { latestMessages(topic: $t, last: $n) ${allFields(broker, 'HistoryMessage')} }`;
    const latest = await get<Json[]>('/messages/latest', { topic: 'twin/x/1', last: 2 });
    assert.deepEqual(latest, (await ask<{ latestMessages: Json[] }>(LATEST, { t: 'twin/x/1', n: 2 })).latestMessages);
    assert.deepEqual(latest.map((m) => m.payloadText), ['x-4', 'x-3']);
    assert.deepEqual(await get('/messages/latest', { topic: 'twin/r/a' }), (await ask<{ latestMessages: Json[] }>(LATEST, { t: 'twin/r/a', n: 10 })).latestMessages);
  });

  it('the session log: by client, by action and time, a page at a time', async () => {
    const EVENTS = `query ($c: String, $u: String, $x: [String!], $from: DateTime, $n: Int!, $a: String) {
      sessionEvents(clientId: $c, username: $u, actions: $x, from: $from, first: $n, after: $a) ${allFields(broker, 'SessionEventPage')} }`;
    const twin = async (v: Json): Promise<Json> => (await ask<{ sessionEvents: Json }>(EVENTS, v)).sessionEvents;
    const owed = await get<{ events: Json[]; nextCursor: string }>('/session-events', { clientId: 'twin-owed', first: 2 });
    assert.deepEqual(owed, await twin({ c: 'twin-owed', n: 2 }));
    assert.deepEqual(owed.events.map((e) => e.action), ['disconnect', 'subscribe']);
    assert.deepEqual(await get('/session-events', { clientId: 'twin-owed', after: owed.nextCursor }), await twin({ c: 'twin-owed', n: 50, a: owed.nextCursor }));
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const subscribes = await get<{ events: Json[] }>('/session-events', { actions: ['subscribe', 'unsubscribe'], username: 'device-1', from });
    assert.deepEqual(subscribes, await twin({ x: ['subscribe', 'unsubscribe'], u: 'device-1', from, n: 50 }));
    assert.deepEqual(subscribes.events.map((e) => [e.clientId, e.action]), [['twin-a', 'subscribe']]);
  });

  it('the audit log: a page at a time, with the same cursor', async () => {
    const AUDIT = `query ($n: Int!, $a: String) { auditLog(first: $n, after: $a) ${allFields(broker, 'AuditPageType')} }`;
    const first = await get<{ entries: Json[]; nextCursor: string }>('/audit-log', { first: 1 });
    assert.deepEqual(first, (await ask<{ auditLog: Json }>(AUDIT, { n: 1 })).auditLog);
    const rest = await get<{ entries: Json[] }>('/audit-log', { after: first.nextCursor });
    assert.deepEqual(rest, (await ask<{ auditLog: Json }>(AUDIT, { n: 50, a: first.nextCursor })).auditLog);
    // Both APIs record a change the same way.
    const publishes = [...first.entries, ...rest.entries].filter((e) => e.action === 'publish');
    assert.deepEqual(publishes.map((e) => [e.actor, e.target, e.details]), [
      ['admin', 'twin/audit', { qos: 0, retain: false, bytes: 7, deliveries: 0 }],
      ['admin', 'twin/audit', { qos: 0, retain: false, bytes: 4, deliveries: 0 }],
    ]);
  });

  it('ACL rules and API keys: the same lists, changes over REST seen over GraphQL, a key working on REST until revoked', async () => {
    const RULES = `{ aclRules ${allFields(broker, 'AclRule')} }`;
    const rule = await ok<Json>(await api('POST', '/acl-rules', { token: admin, body: { permission: 'deny', action: 'publish', topic: 'twin/locked/#', username: 'device-1' } }), 201);
    const changed = await ok<Json>(await api('PATCH', `/acl-rules/${rule.id}`, { token: admin, body: { topic: 'twin/closed/#', comment: 'over REST' } }));
    assert.deepEqual([changed.topic, changed.comment, changed.position], ['twin/closed/#', 'over REST', 1]);
    assert.deepEqual(await get('/acl-rules'), (await ask<{ aclRules: Json }>(RULES)).aclRules);
    assert.deepEqual((await get<Json[]>('/acl-rules')).map((r) => r.topic), ['twin/closed/#']);
    await problemOf(await api('PATCH', '/acl-rules/999999', { token: admin, body: { topic: 'x' } }), 404, 'NOT_FOUND');
    await problemOf(await api('POST', '/acl-rules', { token: admin, body: { permission: 'maybe', action: 'all', topic: 'x' } }), 400, 'BAD_USER_INPUT');
    assert.equal((await api('DELETE', `/acl-rules/${rule.id}`, { token: admin })).status, 204);
    assert.deepEqual(await get('/acl-rules'), []);

    const KEYS = `{ apiKeys ${allFields(broker, 'ApiKey')} }`;
    const made = await ok<{ secret: string; apiKey: Json }>(await api('POST', '/api-keys', { token: admin, body: { name: 'rest-twin', role: 'viewer' } }), 201);
    assert.equal((await get<Json>('/status', undefined, made.secret)).version, BROKER_VERSION, 'the key signs a REST call');
    assert.deepEqual(await get('/api-keys', undefined, admin), (await ask<{ apiKeys: Json }>(KEYS, {}, admin)).apiKeys);
    await problemOf(await api('GET', '/api-keys', { token: viewer }), 403, 'FORBIDDEN');
    const revoked = await ok<Json>(await api('POST', `/api-keys/${made.apiKey.id}/revoke`, { token: admin }));
    assert.equal(revoked.state, 'revoked');
    await problemOf(await api('GET', '/status', { token: made.secret }), 401, 'UNAUTHENTICATED');
  });
});

describe('REST admin API: changes reach MQTT', () => {
  let broker: TestBroker;
  let api: ReturnType<typeof rest>;
  let gql: ReturnType<typeof graphql>;
  let admin: string;
  beforeAll(async () => {
    broker = await startTestBroker({ httpPort: 0, allowAnonymous: false }, BROKER_ENV);
    api = rest(broker);
    gql = graphql(broker);
    admin = (await restLogin(broker, ADMIN)).accessToken;
  });
  afterAll(() => broker.close());

  const connectAs = (clientId: string, username: string, password: string) => connectClient(broker.url, { clientId, username, password });
  const refusal = (clientId: string, username: string, password: string): Promise<string> =>
    connectAs(clientId, username, password).then(
      async (c) => {
        await c.endAsync();
        return 'connected';
      },
      (e: Error) => e.message,
    );

  it('creates a user over REST that an MQTT client then connects as; changes and deletion apply at the next CONNECT', async () => {
    const created = await ok<Json>(await api('POST', '/users', { token: admin, body: { username: 'sensor-7', password: 'first-secret', roles: ['sensors'] } }), 201);
    assert.deepEqual({ ...created, createdAt: typeof created.createdAt, updatedAt: typeof created.updatedAt }, { username: 'sensor-7', roles: ['sensors'], enabled: true, scram: true, createdAt: 'string', updatedAt: 'string' });
    const client = await connectAs('sensor-7', 'sensor-7', 'first-secret');
    await client.endAsync();

    const disabled = await ok<Json>(await api('PATCH', '/users/sensor-7', { token: admin, body: { enabled: false } }));
    assert.deepEqual([disabled.enabled, disabled.roles], [false, ['sensors']], 'what is left out stays as it is');
    assert.match(await refusal('sensor-7', 'sensor-7', 'first-secret'), /Bad User Name or Password|Not authorized/i);
    await ok(await api('PATCH', '/users/sensor-7', { token: admin, body: { enabled: true, password: 'second-secret', roles: null } }));
    assert.match(await refusal('sensor-7', 'sensor-7', 'first-secret'), /Bad User Name or Password|Not authorized/i);
    assert.equal(await refusal('sensor-7', 'sensor-7', 'second-secret'), 'connected');

    const deleted = await api('DELETE', '/users/sensor-7', { token: admin });
    assert.equal(deleted.status, 204);
    assert.notEqual(await refusal('sensor-7', 'sensor-7', 'second-secret'), 'connected');
    await problemOf(await api('GET', '/users/sensor-7', { token: admin }), 404, 'NOT_FOUND');
    const last = await problemOf(await api('DELETE', '/users/admin', { token: admin }), 400, 'BAD_USER_INPUT');
    assert.match(last.detail, /last enabled admin/);
  });

  it('imports the JSON an export gives, users signing in as before', async () => {
    await ok(await api('POST', '/users', { token: admin, body: { username: 'mover', password: 'mover-secret' } }), 201);
    const exported = await ok<Array<{ username: string }>>(await api('GET', '/users/export', { token: admin }));
    assert.equal((await api('DELETE', '/users/mover', { token: admin })).status, 204);
    const imported = await ok(await api('POST', '/users/import', { token: admin, body: [...exported.filter((u) => u.username === 'mover'), { username: 'fresh', password: 'fresh-secret', roles: ['sensors'] }] }));
    assert.deepEqual(imported, { created: 2, updated: 0 });
    assert.equal(await refusal('mover', 'mover', 'mover-secret'), 'connected');
    assert.equal(await refusal('fresh', 'fresh', 'fresh-secret'), 'connected');
  });

  it('kicks a real MQTT 5.0 client with DISCONNECT 0x98 over REST; the audit log says so', async () => {
    await ok(await api('POST', '/users', { token: admin, body: { username: 'kickable', password: 'kick-secret' } }), 201);
    const client = await connectAs('kick-me', 'kickable', 'kick-secret');
    const disconnect = new Promise<IDisconnectPacket>((resolve) => client.once('disconnect', resolve));
    const kicked = await api('POST', '/clients/kick-me/kick', { token: admin });
    assert.equal(kicked.status, 204);
    assert.equal(await kicked.text(), '');
    assert.equal((await withTimeout(disconnect, 5000, 'DISCONNECT')).reasonCode, 0x98);
    await client.endAsync(true);
    await problemOf(await api('POST', '/clients/kick-me/kick', { token: admin }), 404, 'NOT_FOUND');
    const audit = await ok<{ entries: Json[] }>(await api('GET', '/audit-log', { token: admin, query: { first: 1 } }));
    assert.deepEqual(audit.entries.map((e) => [e.actor, e.action, e.target]), [['admin', 'kickClient', 'kick-me']]);
  });

  it('publishes over REST to a real MQTT subscriber: text and bytes, QoS and retain as asked', async () => {
    await ok(await api('POST', '/users', { token: admin, body: { username: 'listener', password: 'listener-secret' } }), 201);
    const [sub, inbox] = await connectWithInbox(broker.url, { clientId: 'rest-sub', username: 'listener', password: 'listener-secret' });
    await sub.subscribeAsync('rest/#', { qos: 1 });
    assert.deepEqual(await ok(await api('POST', '/publish', { token: admin, body: { topic: 'rest/text', payload: 'héllo', qos: 1 } })), { deliveries: 1 });
    assert.deepEqual(await ok(await api('POST', '/publish', { token: admin, body: { topic: 'rest/bytes', payload: Buffer.from([0, 255, 1]).toString('base64'), encoding: 'base64', retain: true } })), { deliveries: 1 });
    const got = await inbox.waitFor(2);
    assert.deepEqual(got.map((m) => [m.topic, m.payload.toString('hex'), m.packet.qos]), [['rest/text', Buffer.from('héllo').toString('hex'), 1], ['rest/bytes', '00ff01', 0]]);
    const retained = await ok<{ messages: Json[] }>(await api('GET', '/retained', { token: admin, query: { filter: 'rest/#' } }));
    assert.deepEqual(retained.messages.map((m) => [m.topic, m.payloadBase64, m.publisherClientId]), [['rest/bytes', 'AP8B', null]]);
    await sub.endAsync();
  });

  it('ends an offline session and clears retained messages over REST, as GraphQL then sees', async () => {
    await ok(await api('POST', '/users', { token: admin, body: { username: 'sleeper', password: 'sleeper-secret' } }), 201);
    const sleeper = await connectClient(broker.url, { clientId: 'rest-sleeper', username: 'sleeper', password: 'sleeper-secret', clean: false, properties: { sessionExpiryInterval: 600 } });
    const connected = await problemOf(await api('DELETE', '/sessions/rest-sleeper', { token: admin }), 400, 'BAD_USER_INPUT');
    assert.match(connected.detail, /kick the client first/);
    await sleeper.endAsync();
    await eventuallyAsync(async () => (await ok<{ online: boolean }>(await api('GET', '/sessions/rest-sleeper', { token: admin }))).online === false, 5000, 'the session to go offline');
    assert.equal((await api('DELETE', '/sessions/rest-sleeper', { token: admin })).status, 204);
    assert.equal((await gql<{ session: unknown }>(`{ session(clientId: "rest-sleeper") { clientId } }`, {}, admin)).data?.session, null);

    for (const topic of ['clear/a', 'clear/b', 'clear/c']) await ok(await api('POST', '/publish', { token: admin, body: { topic, payload: topic, retain: true } }));
    assert.deepEqual(await ok(await api('DELETE', '/retained', { token: admin, query: { topics: 'clear/a' } })), { cleared: 1 });
    assert.deepEqual(await ok(await api('DELETE', '/retained', { token: admin, query: { topics: ['clear/b', 'clear/c', 'clear/none'] } })), { cleared: 2 });
    const left = await gql<{ retainedMessages: { total: number } }>(`{ retainedMessages(filter: "clear/#") { total } }`, {}, admin);
    assert.equal(left.data?.retainedMessages.total, 0);
  });
});
