import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { UserRepository } from '@nestmq/persistence';
import { SignJWT } from 'jose';
import OpenAPISchemaValidator from 'openapi-schema-validator';
import { OpenAPI } from 'openapi-types';
import { StatusService } from '../src/admin/status/status.service';
import { BROKER_VERSION } from '../src/version';
import { GraphQLAnswer, RestOptions, graphql, json, rest } from './support/admin-api';
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
    assert.ok(secured.length >= 3, `${secured.length} operations need a token`);
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

  it('answers 404 problem+json for an unknown route', async () => {
    const token = (await restLogin(broker, ADMIN)).accessToken;
    for (const [method, path] of [['GET', '/nothing-here'], ['GET', ''], ['POST', '/status'], ['PUT', '/auth/me'], ['GET', '/status/a/b']]) {
      const problem = await problemOf(await api(method, path, { token }), 404, 'NOT_FOUND');
      assert.equal(problem.detail, `no route ${method} /api/v1${path}; the routes are listed in /api/v1/openapi.json`);
    }
    // Without a token too: a route that does not exist says so before anything else.
    await problemOf(await api('GET', '/nothing-here'), 404, 'NOT_FOUND');
  });

  it('answers 400 problem+json naming the field on bad input and malformed JSON; 413 on a body too large', async () => {
    const cases: Array<[RestOptions, RegExp]> = [
      [{ rawBody: '{"username": "admin", ' }, /^body: not valid JSON \(/],
      [{ body: ['a'] }, /^body: expected a JSON object$/],
      [{ body: { username: 'admin', password: 42 } }, /^password: 42 is not a string$/],
      [{ body: { username: 'admin' } }, /^password: required$/],
      [{ body: { username: 'admin', password: 'y', role: 'admin' } }, /^role: no such field; the fields are username, password$/],
      [{ body: { username: null, password: 'y' } }, /^username: may not be null$/],
    ];
    for (const [options, detail] of cases) {
      const problem = await problemOf(await api('POST', '/auth/login', options), 400, 'BAD_USER_INPUT');
      assert.match(problem.detail, detail, JSON.stringify(options));
    }
    // A body that is not sent as JSON is not read as JSON.
    const text = await fetch(`http://127.0.0.1:${broker.port('http')}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"username":"a"}' });
    assert.match((await problemOf(text, 400, 'BAD_USER_INPUT')).detail, /^body: expected JSON, sent with content-type: application\/json$/);
    const large = await problemOf(await api('POST', '/auth/login', { body: { username: 'x'.repeat(200_000), password: 'y' } }), 413, 'PAYLOAD_TOO_LARGE');
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
    for (const route of ['POST /api/v1/auth/login', 'POST /api/v1/auth/refresh', 'POST /api/v1/auth/logout', 'GET /api/v1/auth/me', 'GET /api/v1/status']) {
      assert.ok(documented.includes(route), route);
    }

    const ids = new Set<string>();
    for (const { method, path, operation } of operationsOf(document)) {
      const where = `${method} ${path}`;
      assert.equal(typeof operation.operationId, 'string', where);
      assert.ok(!ids.has(operation.operationId as string), `${where}: operationId ${String(operation.operationId)} twice`);
      ids.add(operation.operationId as string);
      assert.equal(typeof operation.summary, 'string', where);
      const isPublic = path === '/api/v1/auth/login' || path === '/api/v1/auth/refresh';
      assert.deepEqual(operation.security, isPublic ? undefined : [{ bearer: [] }], where);
      const responses = operation.responses as Record<string, { content?: Record<string, { schema?: unknown }> }>;
      assert.ok(Object.keys(responses).some((s) => /^2\d\d$/.test(s)), `${where}: a success answer`);
      const errors = Object.keys(responses).filter((s) => !/^2\d\d$/.test(s));
      assert.ok(errors.includes('500') && errors.includes('401'), `${where}: ${errors.join(', ')}`);
      for (const status of errors) assert.deepEqual(responses[status].content, { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } } }, `${where} ${status}`);
      // Its parameters are documented: each {name} in the path, and a query or body where the route reads one.
      const parameters = (operation.parameters ?? []) as Array<{ in: string; name: string; required?: boolean; schema?: unknown }>;
      for (const [, name] of path.matchAll(/\{(\w+)\}/g)) assert.ok(parameters.some((p) => p.in === 'path' && p.name === name && p.required), `${where}: ${name}`);
      for (const p of parameters) assert.ok(p.schema, `${where}: ${p.name} has a schema`);
    }
    assert.deepEqual(((document.paths!['/api/v1/auth/login'] as Json).post as { requestBody: unknown }).requestBody, { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/Credentials' } } } });
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
