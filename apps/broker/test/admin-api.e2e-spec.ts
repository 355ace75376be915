import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { UserRepository } from '@nestmq/persistence';
import { TestDatabase, createTestDatabase, defaultDatabaseKind } from '@nestmq/persistence/testing';
import { createClient } from 'graphql-ws';
import { SignJWT } from 'jose';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { printAdminSchema } from '../src/admin/admin-schema';
import WebSocket from 'ws';
import { HISTORY_RECORDER } from '../src/history/history.module';
import { HistoryRecorder } from '../src/history/history-recorder';
import { LiveFeed } from '../src/admin/live/live-feed';
import { BROKER_VERSION } from '../src/version';
import { PacketType, PublishPacket, ReasonCode, encodePacket } from '@nestmq/mqtt-protocol';
import { ADMIN, GraphQLAnswer, errorCode, graphql, json, signIn } from './support/admin-api';
import { connectClient, connectWithInbox, eventually, eventuallyAsync, publish, withTimeout } from './support/clients';
import { RawClient } from './support/raw-client';
import { TcpProxy } from './support/tcp-proxy';
import { TestBroker, startBrokerOn, startTestBroker } from './support/test-broker';

const SECRET = 'a-test-secret-of-enough-length-for-hs256-signing';

const LOGIN = `mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken refreshToken expiresAt account { username role } } }`;
const REFRESH = `mutation ($t: String!) { refreshToken(token: $t) { accessToken refreshToken account { username role } } }`;

interface Tokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: string;
  account: { username: string; role: string };
}


describe('admin API: health, readiness and metrics', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker({ httpPort: 0 }, { ADMIN_JWT_SECRET: SECRET });
  });
  afterAll(() => broker.close());

  it('serves the schema apps/broker/schema.gql holds: no resolver is left out of the printed one', async () => {
    const served = printSchema(lexicographicSortSchema(broker.app.get(GraphQLSchemaHost).schema));
    assert.ok((await printAdminSchema()).endsWith(`\n${served}\n`));
  });

  it('answers /health and /ready without a token', async () => {
    const base = `http://127.0.0.1:${broker.port('http')}`;
    const health = await fetch(`${base}/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(await json(health), { status: 'ok' });
    const ready = await fetch(`${base}/ready`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await json(ready), { status: 'ready', database: 'ok', listeners: 1 });
  });

  it('serves Prometheus text that follows the broker: clients, publishes by QoS, queues, bytes, history, event-loop lag, database pool', async () => {
    // A persistent session, offline: its QoS 1 messages are queued for it (QoS 0 ones are not kept).
    const parked = await connectClient(broker.url, { clientId: 'parked', properties: { sessionExpiryInterval: 3600 } });
    await parked.subscribeAsync('metered/#', { qos: 1 });
    await parked.endAsync();
    const [watcher, inbox] = await connectWithInbox(broker.url, { clientId: 'watcher' });
    await watcher.subscribeAsync('metered/#', { qos: 1 });
    const client = await connectClient(broker.url, { clientId: 'metered' });
    const [qos0, qos1] = [5, 3];
    // In order on one connection: the last PUBACK comes after the broker has read every QoS 0 PUBLISH.
    for (let i = 0; i < qos0; i++) await publish(client, 'metered/a', `zero ${i}`, { qos: 0 });
    for (let i = 0; i < qos1; i++) await publish(client, 'metered/a', `one ${i}`, { qos: 1 });
    await inbox.waitFor(qos0 + qos1);
    // SUBACK comes after the broker has read the watcher's PUBACKs: nothing is in flight any more.
    await watcher.subscribeAsync('metered/nothing', { qos: 0 });
    const response = await fetch(`http://127.0.0.1:${broker.port('http')}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    // Every line is a comment (# HELP / # TYPE) or `name{labels} value` in the exposition format.
    for (const line of text.split('\n').filter(Boolean)) {
      assert.match(line, /^(# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*|[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"]*")*\})? -?[0-9.e+-]+|[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? (NaN|[+-]Inf))$/, line);
    }
    const value = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    const byQoS = (name: string): number[] => [0, 1, 2].map((qos) => value(`${name}\\{qos="${qos}"\\}`));
    assert.equal(value('nestmq_clients_connected'), 2);
    assert.deepEqual(byQoS('nestmq_publish_received_total'), [qos0, qos1, 0]);
    assert.deepEqual(byQoS('nestmq_publish_sent_total'), [qos0, qos1, 0], 'to the watcher; the offline session holds its QoS 1 ones');
    assert.equal(value('nestmq_queued_messages'), qos1);
    assert.equal(value('nestmq_inflight_messages'), 0);
    assert.ok(value('nestmq_messages_sent_total') > qos0 + qos1, 'acknowledgements and CONNACKs count as packets sent');
    assert.ok(value('nestmq_bytes_received_total') > 0);
    assert.equal(value('nestmq_sessions'), 3);
    assert.match(text, /^nestmq_publish_dropped_total\{reason="queue_full"\} 0$/m);
    assert.match(text, /^nestmq_history_recorded_total \d+$/m);
    assert.match(text, /^nodejs_eventloop_lag_seconds [0-9.e-]+$/m);
    assert.match(text, /^nestmq_database_pool_connections\{state="open"\} [1-9]\d*$/m);
    // brokerStatus, and with it the brokerMetrics ticks, tells the same.
    const status = await graphql(broker)<{ brokerStatus: { counters: { queuedMessages: number; inflightMessages: number; historyLagSeconds: number } } }>(
      `{ brokerStatus { counters { queuedMessages inflightMessages historyLagSeconds } } }`,
      {},
      await signIn(broker),
    );
    assert.deepEqual(status.data!.brokerStatus.counters.queuedMessages, qos1);
    assert.equal(status.data!.brokerStatus.counters.inflightMessages, 0);
    assert.ok(status.data!.brokerStatus.counters.historyLagSeconds >= 0);
    // The session comes back for its messages: the queue empties, and so does the gauge.
    const [back, backInbox] = await connectWithInbox(broker.url, { clientId: 'parked', clean: false, properties: { sessionExpiryInterval: 0 } });
    await backInbox.waitFor(qos1);
    await back.subscribeAsync('metered/nothing', { qos: 0 });
    const after = await (await fetch(`http://127.0.0.1:${broker.port('http')}/metrics`)).text();
    assert.match(after, /^nestmq_queued_messages 0$/m);
    assert.match(after, /^nestmq_inflight_messages 0$/m);
    assert.match(after, new RegExp(`^nestmq_publish_sent_total\\{qos="1"\\} ${2 * qos1}$`, 'm'));
    await Promise.all([client.endAsync(), watcher.endAsync(), back.endAsync()]);
  });
});

describe('admin API: sign in, tokens and roles', () => {
  let broker: TestBroker;
  let gql: ReturnType<typeof graphql>;
  beforeAll(async () => {
    // A per-name throttle of 3 failures, and no per-address one: every test here comes from 127.0.0.1.
    broker = await startTestBroker(
      { httpPort: 0, allowAnonymous: false },
      { ADMIN_JWT_SECRET: SECRET, ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password, LOGIN_FAILURES_PER_ADDRESS: '0', LOGIN_FAILURES_PER_USER: '3' },
    );
    gql = graphql(broker);
    const users = broker.app.get(UserRepository);
    await users.create({ username: 'watcher', password: 'watcher-secret', roles: ['viewer'] });
    await users.create({ username: 'device-1', password: 'device-secret', roles: ['device'] });
  });
  afterAll(() => broker.close());

  it('signs an admin in and answers brokerStatus and me with the access token', async () => {
    const login = await gql<{ login: Tokens }>(LOGIN, { u: ADMIN.username, p: ADMIN.password });
    assert.equal(login.errors, undefined, JSON.stringify(login.errors));
    const tokens = login.data!.login;
    assert.deepEqual(tokens.account, { username: 'admin', role: 'admin' });
    const expiresIn = Date.parse(tokens.expiresAt) - Date.now();
    assert.ok(expiresIn > 14 * 60_000 && expiresIn <= 15 * 60_000, `expires in ${expiresIn} ms`);
    const status = await gql<{ brokerStatus: { version: string; uptimeSeconds: number; listeners: Array<{ kind: string; port: number }>; database: { kind: string; description: string }; counters: { clientsConnected: number } } }>(
      `{ brokerStatus { version uptimeSeconds listeners { kind port } database { kind description } counters { clientsConnected } } }`,
      {},
      tokens.accessToken,
    );
    assert.equal(status.errors, undefined, JSON.stringify(status.errors));
    const s = status.data!.brokerStatus;
    assert.equal(s.version, BROKER_VERSION);
    assert.deepEqual(s.listeners, [{ kind: 'mqtt', port: broker.mqttPort }]);
    assert.equal(s.database.kind, 'server');
    assert.doesNotMatch(s.database.description, /password|:\/\//, 'never the URL, never a password');
    const me = await gql<{ me: { username: string; role: string } }>(`{ me { username role } }`, {}, tokens.accessToken);
    assert.deepEqual(me.data?.me, { username: 'admin', role: 'admin' });
  });

  it('signs a viewer in with the viewer role', async () => {
    const login = await gql<{ login: Tokens }>(LOGIN, { u: 'watcher', p: 'watcher-secret' });
    assert.deepEqual(login.data?.login.account, { username: 'watcher', role: 'viewer' });
  });

  it('refuses an unknown user, a wrong password and an MQTT-only user with the same answer', async () => {
    const answers = await Promise.all([
      gql(LOGIN, { u: 'nobody-here', p: 'x' }),
      gql(LOGIN, { u: 'watcher', p: 'wrong' }),
      gql(LOGIN, { u: 'device-1', p: 'device-secret' }),
    ]);
    for (const answer of answers) {
      assert.equal(answer.data, null);
      assert.equal(errorCode(answer), 'UNAUTHENTICATED');
    }
    assert.equal(new Set(answers.map((a) => a.errors![0].message)).size, 1, answers.map((a) => a.errors![0].message).join(' | '));
    assert.equal(JSON.stringify(answers).includes('stacktrace'), false, 'no stack traces to clients');
  });

  it('refuses operations without a token, with a forged one and with an expired one', async () => {
    const query = `{ brokerStatus { version } }`;
    const none = await gql(query);
    assert.equal(errorCode(none), 'UNAUTHENTICATED');
    assert.match(none.errors![0].message, /Authorization: Bearer/);
    const claims = { typ: 'access', role: 'admin', sid: '00000000-0000-0000-0000-000000000000' };
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuer('nestmq').setSubject('admin').setIssuedAt().setExpirationTime('15m').sign(Buffer.from('not-the-secret-not-the-secret-not-the-secret'));
    assert.equal(errorCode(await gql(query, {}, forged)), 'UNAUTHENTICATED');
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuer('nestmq').setSubject('admin').setIssuedAt(now - 3600).setExpirationTime(now - 60).sign(Buffer.from(SECRET));
    const late = await gql(query, {}, expired);
    assert.equal(errorCode(late), 'UNAUTHENTICATED');
    assert.match(late.errors![0].message, /expired/);
    const login = (await gql<{ login: Tokens }>(LOGIN, { u: ADMIN.username, p: ADMIN.password })).data!.login;
    assert.equal(errorCode(await gql(query, {}, login.refreshToken)), 'UNAUTHENTICATED', 'a refresh token is not an access token');
  });

  it('trades a refresh token once; a second use ends the login', async () => {
    const first = (await gql<{ login: Tokens }>(LOGIN, { u: ADMIN.username, p: ADMIN.password })).data!.login;
    const second = await gql<{ refreshToken: Tokens }>(REFRESH, { t: first.refreshToken });
    assert.equal(second.errors, undefined, JSON.stringify(second.errors));
    assert.notEqual(second.data!.refreshToken.refreshToken, first.refreshToken);
    assert.ok((await gql(`{ me { username } }`, {}, second.data!.refreshToken.accessToken)).data);
    const replayed = await gql(REFRESH, { t: first.refreshToken });
    assert.equal(errorCode(replayed), 'UNAUTHENTICATED');
    assert.match(replayed.errors![0].message, /already used/);
    assert.equal(errorCode(await gql(REFRESH, { t: second.data!.refreshToken.refreshToken })), 'UNAUTHENTICATED', 'the login ended: its newest refresh token too');
    assert.equal(errorCode(await gql(`{ me { username } }`, {}, second.data!.refreshToken.accessToken)), 'UNAUTHENTICATED', 'and its access tokens');
  });

  it('logs out: the access token and the refresh token stop working at once', async () => {
    const tokens = (await gql<{ login: Tokens }>(LOGIN, { u: 'watcher', p: 'watcher-secret' })).data!.login;
    const out = await gql<{ logout: boolean }>(`mutation { logout }`, {}, tokens.accessToken);
    assert.equal(out.data?.logout, true);
    const after = await gql(`{ me { username } }`, {}, tokens.accessToken);
    assert.equal(errorCode(after), 'UNAUTHENTICATED');
    assert.match(after.errors![0].message, /login has ended/);
    assert.equal(errorCode(await gql(REFRESH, { t: tokens.refreshToken })), 'UNAUTHENTICATED');
  });

  it('refuses a user name after three failed logins, even with the right password, and not the others', async () => {
    await broker.app.get(UserRepository).create({ username: 'guessed', password: 'right-one', roles: ['admin'] });
    for (let i = 0; i < 3; i++) assert.equal(errorCode(await gql(LOGIN, { u: 'guessed', p: `guess-${i}` })), 'UNAUTHENTICATED');
    const throttled = await gql(LOGIN, { u: 'guessed', p: 'right-one' });
    assert.match(throttled.errors![0].message, /too many failed logins/);
    assert.equal((await gql<{ login: Tokens }>(LOGIN, { u: 'watcher', p: 'watcher-secret' })).errors, undefined);
  });

  it('keeps introspection off unless GRAPHQL_INTROSPECTION=true, and refuses requests a browser could forge', async () => {
    const introspection = await gql(`{ __schema { queryType { name } } }`);
    assert.ok(introspection.errors?.length, 'introspection is off');
    const forged = await fetch(`http://127.0.0.1:${broker.port('http')}/graphql`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: '{ me { username } }' }) });
    assert.equal(forged.status, 400, 'CSRF prevention: a simple request is refused');
  });
});

describe('admin API: users, roles and the audit log', () => {
  let broker: TestBroker;
  let gql: ReturnType<typeof graphql>;
  let admin: string;
  let viewer: string;
  const CREATE = `mutation ($i: CreateUserInput!) { createUser(input: $i) { username roles enabled } }`;
  const UPDATE = `mutation ($u: String!, $i: UpdateUserInput!) { updateUser(username: $u, input: $i) { username roles enabled } }`;
  const DELETE = `mutation ($u: String!) { deleteUser(username: $u) }`;
  const mqttCode = async (username: string, password: string): Promise<number> => {
    try {
      const client = await connectClient(broker.url, { username, password, reconnectPeriod: 0 });
      await client.endAsync();
      return 0;
    } catch (e) {
      return (e as { code?: number }).code ?? -1;
    }
  };
  beforeAll(async () => {
    broker = await startTestBroker({ httpPort: 0, allowAnonymous: false }, { ADMIN_JWT_SECRET: SECRET, ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password });
    gql = graphql(broker);
    await broker.app.get(UserRepository).create({ username: 'watcher', password: 'watcher-secret', roles: ['viewer'] });
    admin = (await gql<{ login: Tokens }>(LOGIN, { u: ADMIN.username, p: ADMIN.password })).data!.login.accessToken;
    viewer = (await gql<{ login: Tokens }>(LOGIN, { u: 'watcher', p: 'watcher-secret' })).data!.login.accessToken;
  });
  afterAll(() => broker.close());

  it('creates a user an MQTT client then connects as; a viewer may list users but not create one', async () => {
    const created = await gql<{ createUser: { username: string; roles: string[]; enabled: boolean } }>(CREATE, { i: { username: 'sensor-7', password: 's7-secret', roles: ['device'] } }, admin);
    assert.equal(created.errors, undefined, JSON.stringify(created.errors));
    assert.deepEqual(created.data!.createUser, { username: 'sensor-7', roles: ['device'], enabled: true });
    assert.equal(await mqttCode('sensor-7', 's7-secret'), 0);
    const listed = await gql<{ users: Array<{ username: string }> }>(`{ users { username roles enabled createdAt } }`, {}, viewer);
    assert.deepEqual(listed.data!.users.map((u) => u.username), ['admin', 'sensor-7', 'watcher']);
    const refused = await gql(CREATE, { i: { username: 'sneaky', password: 'x' } }, viewer);
    assert.equal(errorCode(refused), 'FORBIDDEN');
    assert.equal(await broker.app.get(UserRepository).findByUsername('sneaky'), null);
  });

  it('changes a password, disables and deletes a user, each taking effect at the next CONNECT', async () => {
    await gql(CREATE, { i: { username: 'sensor-8', password: 'old-secret' } }, admin);
    assert.equal((await gql(UPDATE, { u: 'sensor-8', i: { password: 'new-secret' } }, admin)).errors, undefined);
    assert.equal(await mqttCode('sensor-8', 'old-secret'), 0x86);
    assert.equal(await mqttCode('sensor-8', 'new-secret'), 0);
    assert.equal((await gql(UPDATE, { u: 'sensor-8', i: { enabled: false } }, admin)).errors, undefined);
    assert.equal(await mqttCode('sensor-8', 'new-secret'), 0x86);
    assert.deepEqual((await gql<{ deleteUser: boolean }>(DELETE, { u: 'sensor-8' }, admin)).data, { deleteUser: true });
    assert.equal(errorCode(await gql(DELETE, { u: 'sensor-8' }, admin)), 'NOT_FOUND');
  });

  it('says what to fix in bad input: a taken name, an empty or too long password, a page too large', async () => {
    const taken = await gql(CREATE, { i: { username: 'watcher', password: 'x' } }, admin);
    assert.equal(errorCode(taken), 'BAD_USER_INPUT');
    assert.match(taken.errors![0].message, /"watcher" already exists/);
    const long = await gql(CREATE, { i: { username: 'long', password: 'p'.repeat(73) } }, admin);
    assert.match(long.errors![0].message, /73 bytes; at most 72/);
    assert.equal(errorCode(await gql(CREATE, { i: { username: ' spaced', password: 'x' } }, admin)), 'BAD_USER_INPUT');
    const page = await gql(`{ auditLog(first: 501) { nextCursor } }`, {}, admin);
    assert.equal(errorCode(page), 'BAD_USER_INPUT');
    assert.match(page.errors![0].message, /1 to 500/);
  });

  it('keeps the last enabled admin one: it cannot be deleted, disabled or demoted', async () => {
    for (const [query, variables] of [
      [DELETE, { u: 'admin' }],
      [UPDATE, { u: 'admin', i: { enabled: false } }],
      [UPDATE, { u: 'admin', i: { roles: ['viewer'] } }],
    ] as const) {
      const answer = await gql(query, variables, admin);
      assert.equal(errorCode(answer), 'BAD_USER_INPUT');
      assert.match(answer.errors![0].message, /last enabled admin/);
    }
    await gql(UPDATE, { u: 'watcher', i: { roles: ['admin'] } }, admin);
    assert.equal((await gql(UPDATE, { u: 'watcher', i: { roles: ['viewer'] } }, admin)).errors, undefined, 'with another admin, demotion is allowed');
  });

  it('records every change in the audit log, newest first, with who made it and no secret', async () => {
    const first = await gql<{ auditLog: { entries: Array<{ actor: string; action: string; target: string; details: Record<string, unknown> }>; nextCursor: string | null } }>(
      `{ auditLog(first: 3) { entries { actor action target details at } nextCursor } }`,
      {},
      viewer,
    );
    assert.equal(first.errors, undefined, JSON.stringify(first.errors));
    const { entries, nextCursor } = first.data!.auditLog;
    assert.deepEqual(entries.map((e) => [e.actor, e.action, e.target]), [['admin', 'updateUser', 'watcher'], ['admin', 'updateUser', 'watcher'], ['admin', 'deleteUser', 'sensor-8']]);
    assert.deepEqual(entries[0].details, { before: { roles: ['admin'], enabled: true }, after: { roles: ['viewer'], enabled: true } });
    const rest = await gql<{ auditLog: { entries: Array<{ action: string; target: string; details: unknown }> } }>(`query ($a: String) { auditLog(first: 100, after: $a) { entries { action target details } } }`, { a: nextCursor }, admin);
    const all = [...entries, ...rest.data!.auditLog.entries];
    assert.deepEqual(all.map((e) => e.action).filter((a) => a === 'createUser').length, 2, 'sensor-7 and sensor-8; refused creations are not changes');
    const text = JSON.stringify(all);
    for (const secret of ['s7-secret', 'old-secret', 'new-secret', '$2b$']) assert.equal(text.includes(secret), false, `the log holds no ${secret}`);
    assert.ok(all.some((e) => e.action === 'updateUser' && (e.details as { passwordChanged?: boolean }).passwordChanged === true), 'a password change is recorded as such');
  });

  it('exports users with their bcrypt hashes and imports them into another installation, where they sign in as before', async () => {
    await gql(CREATE, { i: { username: 'moving', password: 'moving-secret', roles: ['device'] } }, admin);
    assert.equal(errorCode(await gql(`{ exportUsers { username } }`, {}, viewer)), 'FORBIDDEN');
    const exported = await gql<{ exportUsers: Array<{ username: string; roles: string[]; enabled: boolean; passwordHash: string }> }>(`{ exportUsers { username roles enabled passwordHash } }`, {}, admin);
    const moving = exported.data!.exportUsers.find((u) => u.username === 'moving')!;
    assert.match(moving.passwordHash, /^\$2[aby]\$\d\d\$/);
    const other = await startTestBroker({ httpPort: 0, allowAnonymous: false }, { ADMIN_JWT_SECRET: SECRET, ADMIN_USERNAME: 'root', ADMIN_PASSWORD: 'root-secret' });
    try {
      const otherGql = graphql(other);
      const root = (await otherGql<{ login: Tokens }>(LOGIN, { u: 'root', p: 'root-secret' })).data!.login.accessToken;
      const IMPORT = `mutation ($u: [UserImportInput!]!) { importUsers(users: $u) { created updated } }`;
      const bad = await otherGql(IMPORT, { u: [{ username: 'x', passwordHash: 'plain' }] }, root);
      assert.match(bad.errors![0].message, /not a bcrypt hash/);
      const noAdmin = await otherGql(IMPORT, { u: [{ username: 'root', password: 'still-root', roles: ['admin'], enabled: false }] }, root);
      assert.match(noAdmin.errors![0].message, /no enabled admin/);
      const imported = await otherGql(IMPORT, { u: [{ username: 'moving', roles: moving.roles, enabled: moving.enabled, passwordHash: moving.passwordHash }, { username: 'fresh', password: 'fresh-secret' }] }, root);
      assert.deepEqual(imported.data, { importUsers: { created: 2, updated: 0 } }, JSON.stringify(imported.errors));
      const client = await connectClient(other.url, { username: 'moving', password: 'moving-secret' });
      await client.endAsync();
      const again = await otherGql(IMPORT, { u: [{ username: 'fresh', password: 'fresher-secret' }] }, root);
      assert.deepEqual(again.data, { importUsers: { created: 0, updated: 1 } });
    } finally {
      await other.close();
    }
  });
});

describe('admin API: live clients, kick and publish', () => {
  let broker: TestBroker;
  let gql: ReturnType<typeof graphql>;
  let admin: string;
  let viewer: string;
  const PUBLISH = `mutation ($i: PublishInput!) { publish(input: $i) { deliveries } }`;
  beforeAll(async () => {
    broker = await startTestBroker({ httpPort: 0 }, { ADMIN_JWT_SECRET: SECRET, ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password });
    gql = graphql(broker);
    await broker.app.get(UserRepository).create({ username: 'watcher', password: 'watcher-secret', roles: ['viewer'] });
    admin = (await gql<{ login: Tokens }>(LOGIN, { u: ADMIN.username, p: ADMIN.password })).data!.login.accessToken;
    viewer = (await gql<{ login: Tokens }>(LOGIN, { u: 'watcher', p: 'watcher-secret' })).data!.login.accessToken;
  });
  afterAll(() => broker.close());

  it('lists connected clients with their session figures, filtered and a page at a time', async () => {
    const a = await connectClient(broker.url, { clientId: 'list-a', keepalive: 30 });
    await a.subscribeAsync(['x/1', 'x/2'], { qos: 1 });
    const b = await connectClient(broker.url, { clientId: 'list-b', protocolVersion: 4, clean: false });
    type Page = { clients: { clients: Array<Record<string, unknown>>; total: number; nextCursor: string | null } };
    const QUERY = `query ($f: String, $n: Int!, $a: String) { clients(filter: $f, first: $n, after: $a) { total nextCursor clients { clientId username address protocolVersion keepAlive inflight queued subscriptions persistent connectedAt } } }`;
    const first = await gql<Page>(QUERY, { f: 'list-', n: 1 }, viewer);
    assert.equal(first.errors, undefined, JSON.stringify(first.errors));
    const { clients, total, nextCursor } = first.data!.clients;
    assert.equal(total, 2);
    assert.deepEqual({ ...clients[0], address: undefined, connectedAt: undefined }, { clientId: 'list-a', username: null, address: undefined, protocolVersion: 5, keepAlive: 30, inflight: 0, queued: 0, subscriptions: 2, persistent: false, connectedAt: undefined });
    assert.match(String(clients[0].address), /127\.0\.0\.1/);
    const second = await gql<Page>(QUERY, { f: 'list-', n: 1, a: nextCursor }, viewer);
    assert.deepEqual(second.data!.clients.clients.map((c) => [c.clientId, c.protocolVersion]), [['list-b', 4]]);
    assert.equal(second.data!.clients.nextCursor, null);
    const one = await gql<{ client: { clientId: string } | null }>(`{ client(clientId: "list-b") { clientId } }`, {}, viewer);
    assert.deepEqual(one.data!.client, { clientId: 'list-b' });
    await Promise.all([a.endAsync(), b.endAsync()]);
  });

  it("counts each client's traffic: bytes on its socket, PUBLISH packets each way", async () => {
    const [talker, inbox] = await connectWithInbox(broker.url, { clientId: 'talker' });
    await talker.subscribeAsync('chat/#', { qos: 1 });
    // The QoS 0 one first: the PUBACKs of those after it show it was read.
    await publish(talker, 'quiet/room', 'nobody hears', { qos: 0 });
    for (let i = 0; i < 3; i++) await publish(talker, 'chat/room', `hello ${i}`, { qos: 1 });
    await inbox.waitFor(3);
    type Traffic = { bytesIn: number; bytesOut: number; messagesIn: number; messagesOut: number };
    const seen = (await gql<{ client: Traffic }>(`{ client(clientId: "talker") { bytesIn bytesOut messagesIn messagesOut } }`, {}, viewer)).data!.client;
    assert.deepEqual([seen.messagesIn, seen.messagesOut], [4, 3]);
    // CONNECT, SUBSCRIBE, 4 PUBLISH and 3 PUBACK in; CONNACK, SUBACK, 3 PUBACK, 3 PUBLISH out: their sizes at least.
    assert.ok(seen.bytesIn > 4 * 'hello 0'.length && seen.bytesIn < 1000, `bytesIn ${seen.bytesIn}`);
    assert.ok(seen.bytesOut > 3 * 'hello 0'.length && seen.bytesOut < 1000, `bytesOut ${seen.bytesOut}`);
    await talker.endAsync();
  });

  it('kicks a client with DISCONNECT 0x98, as the audit log then says; a viewer may not, an unknown client is NOT_FOUND', async () => {
    const raw = await RawClient.connected(broker.mqttPort, { clientId: 'kick-me' });
    assert.equal(errorCode(await gql(`mutation { kickClient(clientId: "kick-me") }`, {}, viewer)), 'FORBIDDEN');
    const kicked = await gql<{ kickClient: boolean }>(`mutation { kickClient(clientId: "kick-me") }`, {}, admin);
    assert.equal(kicked.data?.kickClient, true, JSON.stringify(kicked.errors));
    const disconnect = await raw.expect(PacketType.Disconnect);
    assert.equal(disconnect.reasonCode, ReasonCode.AdministrativeAction);
    await raw.closed;
    assert.equal(errorCode(await gql(`mutation { kickClient(clientId: "kick-me") }`, {}, admin)), 'NOT_FOUND');
    const audit = await gql<{ auditLog: { entries: Array<{ action: string; target: string }> } }>(`{ auditLog(first: 1) { entries { action target } } }`, {}, admin);
    assert.deepEqual(audit.data!.auditLog.entries, [{ action: 'kickClient', target: 'kick-me' }]);
  });

  it('publishes through the normal routing: subscribers get it, retained is kept, bytes arrive as sent', async () => {
    const [sub, inbox] = await connectWithInbox(broker.url, { clientId: 'admin-sub' });
    await sub.subscribeAsync('admin/#', { qos: 1 });
    const text = await gql<{ publish: { deliveries: number } }>(PUBLISH, { i: { topic: 'admin/text', payload: 'héllo', qos: 1 } }, admin);
    assert.deepEqual(text.data, { publish: { deliveries: 1 } }, JSON.stringify(text.errors));
    const bytes = Buffer.from([0, 255, 1, 254]);
    await gql(PUBLISH, { i: { topic: 'admin/bytes', payload: bytes.toString('base64'), encoding: 'base64', retain: true } }, admin);
    const got = await inbox.waitFor(2);
    assert.deepEqual(got.map((m) => [m.topic, m.payload.toString('hex'), m.packet.qos]), [['admin/text', Buffer.from('héllo').toString('hex'), 1], ['admin/bytes', '00ff01fe', 0]]);
    const [late, lateInbox] = await connectWithInbox(broker.url, { clientId: 'admin-late' });
    await late.subscribeAsync('admin/bytes');
    const [retained] = await lateInbox.waitFor(1);
    assert.equal(retained.packet.retain, true);
    assert.equal(retained.payload.toString('hex'), '00ff01fe');
    await Promise.all([sub.endAsync(), late.endAsync()]);
  });

  it('refuses a publish a client could not make: wildcards, $SYS, QoS 3, not base64; a viewer may not publish', async () => {
    for (const [input, pattern] of [
      [{ topic: 'admin/+' }, /not a topic name/],
      [{ topic: '$SYS/broker/uptime' }, /\$SYS topics/],
      [{ topic: 'a', qos: 3 }, /qos: 3/],
      [{ topic: 'a', payload: 'not base64!', encoding: 'base64' }, /not base64/],
    ] as const) {
      const answer = await gql(PUBLISH, { i: input }, admin);
      assert.equal(errorCode(answer), 'BAD_USER_INPUT', JSON.stringify(input));
      assert.match(answer.errors![0].message, pattern);
    }
    assert.equal(errorCode(await gql(PUBLISH, { i: { topic: 'a' } }, viewer)), 'FORBIDDEN');
  });
});

describe('admin API: sessions and retained messages', () => {
  let broker: TestBroker;
  let gql: ReturnType<typeof graphql>;
  let admin: string;
  beforeAll(async () => {
    broker = await startTestBroker({ httpPort: 0 }, { ADMIN_JWT_SECRET: SECRET, ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password });
    gql = graphql(broker);
    admin = (await gql<{ login: Tokens }>(LOGIN, { u: ADMIN.username, p: ADMIN.password })).data!.login.accessToken;
  });
  afterAll(() => broker.close());

  it('lists persistent sessions online and offline with what they hold, and ends an offline one', async () => {
    const away = await connectClient(broker.url, { clientId: 'sess-away', clean: false, properties: { sessionExpiryInterval: 600 } });
    await away.subscribeAsync('owed/#', { qos: 1 });
    await away.endAsync();
    const here = await connectClient(broker.url, { clientId: 'sess-here', clean: false, properties: { sessionExpiryInterval: 60 } });
    const transient = await connectClient(broker.url, { clientId: 'sess-transient' });
    const pub = await connectClient(broker.url, { clientId: 'sess-pub' });
    for (let i = 0; i < 3; i++) await publish(pub, `owed/${i}`, String(i), { qos: 1 });
    type Sessions = { sessions: { total: number; sessions: Array<{ clientId: string; online: boolean; expiryInterval: number; expiresAt: string | null; subscriptions: number; queued: number }> } };
    const QUERY = `query ($o: Boolean) { sessions(first: 10, online: $o) { total sessions { clientId online expiryInterval expiresAt subscriptions queued } } }`;
    const all = await gql<Sessions>(QUERY, {}, admin);
    assert.equal(all.errors, undefined, JSON.stringify(all.errors));
    assert.deepEqual(all.data!.sessions.sessions.map((s) => [s.clientId, s.online, s.expiryInterval, s.subscriptions, s.queued]), [['sess-away', false, 600, 1, 3], ['sess-here', true, 60, 0, 0]]);
    const expiresIn = Date.parse(all.data!.sessions.sessions[0].expiresAt!) - Date.now();
    assert.ok(expiresIn > 590_000 && expiresIn <= 600_000, `expires in ${expiresIn} ms`);
    assert.deepEqual((await gql<Sessions>(QUERY, { o: false }, admin)).data!.sessions.sessions.map((s) => s.clientId), ['sess-away']);
    const connected = await gql(`mutation { deleteSession(clientId: "sess-here") }`, {}, admin);
    assert.equal(errorCode(connected), 'BAD_USER_INPUT');
    assert.match(connected.errors![0].message, /kick the client first/);
    assert.deepEqual((await gql(`mutation { deleteSession(clientId: "sess-away") }`, {}, admin)).data, { deleteSession: true });
    assert.equal(errorCode(await gql(`mutation { deleteSession(clientId: "sess-away") }`, {}, admin)), 'NOT_FOUND');
    const back = await RawClient.open(broker.mqttPort, 5);
    back.send({ type: PacketType.Connect, protocolName: 'MQTT', protocolVersion: 5, clean: false, keepAlive: 60, clientId: 'sess-away', properties: { sessionExpiryInterval: 600 } });
    assert.equal((await back.expect(PacketType.Connack)).sessionPresent, false, 'the session is gone: nothing resumed');
    back.destroy();
    await Promise.all([here.endAsync(), transient.endAsync(), pub.endAsync()]);
  });

  it('shows a session\'s subscriptions with their options, its will, and the messages it is still owed', async () => {
    const owed = await connectClient(broker.url, {
      clientId: 'sess-owed',
      clean: false,
      properties: { sessionExpiryInterval: 600 },
      will: { topic: 'wills/sess-owed', payload: Buffer.from('gone'), qos: 1, retain: false, properties: { willDelayInterval: 30 } },
    });
    await owed.subscribeAsync('owed2/#', { qos: 1, nl: true, rh: 1, properties: { subscriptionIdentifier: 7 } });
    await owed.subscribeAsync('other2/+', { qos: 2 });
    const pub = await connectClient(broker.url, { clientId: 'sess-pub2' });
    owed.end(true);
    await eventuallyAsync(async () => ((await gql<{ session: { online: boolean } }>(`{ session(clientId: "sess-owed") { online } }`, {}, admin)).data?.session?.online === false), 5000, 'the session to go offline');
    for (let i = 0; i < 3; i++) await publish(pub, `owed2/${i}`, `q-${i}`, { qos: 1, properties: i === 1 ? { contentType: 'text/plain', userProperties: { line: '7' }, correlationData: Buffer.from([1, 2]) } : undefined });
    type Detail = { session: { queued: number; subscriptionList: Array<Record<string, unknown>>; will: Record<string, unknown> | null } };
    const detail = await gql<Detail>(`{ session(clientId: "sess-owed") { queued subscriptionList { topicFilter qos noLocal retainAsPublished retainHandling subscriptionId } will { topic qos payloadText delayInterval } } }`, {}, admin);
    assert.equal(detail.errors, undefined, JSON.stringify(detail.errors));
    assert.deepEqual(detail.data!.session, {
      queued: 3,
      subscriptionList: [
        { topicFilter: 'other2/+', qos: 2, noLocal: false, retainAsPublished: false, retainHandling: 0, subscriptionId: null },
        { topicFilter: 'owed2/#', qos: 1, noLocal: true, retainAsPublished: false, retainHandling: 1, subscriptionId: 7 },
      ],
      will: { topic: 'wills/sess-owed', qos: 1, payloadText: 'gone', delayInterval: 30 },
    });
    const stored = await gql<{ storedMessages: Array<{ state: string; packetId: number | null; topic: string; payloadText: string; qos: number; properties: Record<string, unknown> | null }> }>(
      `{ storedMessages(clientId: "sess-owed") { state packetId topic payloadText qos properties } }`,
      {},
      admin,
    );
    // Their MQTT 5.0 properties as published; none: null.
    const properties = [null, { contentType: 'text/plain', userProperties: [['line', '7']], correlationData: 'AQI=' }, null];
    assert.deepEqual(stored.data!.storedMessages, [0, 1, 2].map((i) => ({ state: 'queued', packetId: null, topic: `owed2/${i}`, payloadText: `q-${i}`, qos: 1, properties: properties[i] })));
    assert.equal(errorCode(await gql(`{ storedMessages(clientId: "nobody-here") { topic } }`, {}, admin)), 'NOT_FOUND');
    await pub.endAsync();
  });

  it('lists the topics it knows (retained or recorded) with who a message on each would reach', async () => {
    const sub = await connectClient(broker.url, { clientId: 'tp-sub' });
    await sub.subscribeAsync('tp/+', { qos: 1 });
    const shared = await connectClient(broker.url, { clientId: 'tp-shared' });
    await shared.subscribeAsync('$share/g/tp/#', { qos: 0 });
    const pub = await connectClient(broker.url, { clientId: 'tp-pub' });
    await publish(pub, 'tp/a', 'kept', { qos: 1, retain: true });
    await publish(pub, 'tp/b', 'once', { qos: 1 });
    await publish(pub, 'tp/b', 'twice', { qos: 1 });
    type Topics = { topics: { total: number; topics: Array<{ topic: string; retained: boolean; recorded: number; lastMessageAt: string | null; subscribers: Array<Record<string, unknown>> }> } };
    const QUERY = `{ topics(filter: "tp/#") { total topics { topic retained recorded lastMessageAt subscribers { clientId topicFilter qos sharedGroup } } } }`;
    await eventuallyAsync(async () => ((await gql<Topics>(QUERY, {}, admin)).data?.topics.topics ?? []).reduce((n, t) => n + t.recorded, 0) === 3, 10_000, 'the history to be written');
    const { topics, total } = (await gql<Topics>(QUERY, {}, admin)).data!.topics;
    assert.equal(total, 2);
    const subscribers = [
      { clientId: 'tp-shared', topicFilter: '$share/g/tp/#', qos: 0, sharedGroup: 'g' },
      { clientId: 'tp-sub', topicFilter: 'tp/+', qos: 1, sharedGroup: null },
    ];
    assert.deepEqual(topics.map((t) => ({ ...t, lastMessageAt: t.lastMessageAt !== null })), [
      { topic: 'tp/a', retained: true, recorded: 1, lastMessageAt: true, subscribers },
      { topic: 'tp/b', retained: false, recorded: 2, lastMessageAt: true, subscribers },
    ]);
    await Promise.all([sub.endAsync(), shared.endAsync(), pub.endAsync()]);
  });

  it('browses retained messages by filter and clears some without delivering anything', async () => {
    const pub = await connectClient(broker.url, { clientId: 'ret-pub' });
    for (const topic of ['ret/a', 'ret/b', 'ret/c/d', 'other/x']) await publish(pub, topic, `v-${topic}`, { qos: 1, retain: true, properties: topic === 'ret/a' ? { contentType: 'text/plain' } : undefined });
    type Retained = { retainedMessages: { total: number; nextCursor: string | null; messages: Array<{ topic: string; payloadText: string; properties: Record<string, unknown> | null }> } };
    const QUERY = `query ($f: String!, $a: String) { retainedMessages(filter: $f, first: 2, after: $a) { total nextCursor messages { topic payloadText properties } } }`;
    const first = (await gql<Retained>(QUERY, { f: 'ret/#' }, admin)).data!.retainedMessages;
    assert.deepEqual([first.total, first.messages.map((m) => m.topic)], [3, ['ret/a', 'ret/b']]);
    assert.deepEqual(first.messages[0].properties, { contentType: 'text/plain' });
    const second = (await gql<Retained>(QUERY, { f: 'ret/#', a: first.nextCursor }, admin)).data!.retainedMessages;
    assert.deepEqual([second.messages.map((m) => [m.topic, m.payloadText]), second.nextCursor], [[['ret/c/d', 'v-ret/c/d']], null]);
    const [watcher, inbox] = await connectWithInbox(broker.url, { clientId: 'ret-watch' });
    await watcher.subscribeAsync('ret/#', { qos: 0, rh: 2 });
    const cleared = await gql<{ clearRetained: number }>(`mutation { clearRetained(topics: ["ret/a", "ret/c/d", "ret/none"]) }`, {}, admin);
    assert.deepEqual(cleared.data, { clearRetained: 2 });
    assert.deepEqual((await gql<Retained>(QUERY, { f: '#' }, admin)).data!.retainedMessages.messages.map((m) => m.topic), ['other/x', 'ret/b']);
    await publish(pub, 'ret/marker', 'm');
    const [marker] = await inbox.waitFor(1);
    assert.equal(marker.topic, 'ret/marker', 'the clearing delivered nothing before the marker');
    assert.equal(errorCode(await gql(`mutation { clearRetained(topics: ["ret/+"]) }`, {}, admin)), 'BAD_USER_INPUT');
    await Promise.all([pub.endAsync(), watcher.endAsync()]);
  });
});

describe('admin API: live subscriptions over graphql-ws', () => {
  let broker: TestBroker;
  let admin: string;
  beforeAll(async () => {
    broker = await startTestBroker({ httpPort: 0 }, { ADMIN_JWT_SECRET: SECRET, ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password, ADMIN_LIVE_MAX_RATE: '5' });
    admin = (await graphql(broker)<{ login: Tokens }>(LOGIN, { u: ADMIN.username, p: ADMIN.password })).data!.login.accessToken;
  });
  afterAll(() => broker.close());

  const socketClient = (authorization?: string) =>
    createClient({ url: `ws://127.0.0.1:${broker.port('http')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, connectionParams: authorization ? { authorization } : {} });

  /** The first `count` results of a subscription, or the error that ended it. */
  function take<T>(client: ReturnType<typeof socketClient>, query: string, variables: Record<string, unknown>, count: number): { results: Promise<T[]> } {
    const got: T[] = [];
    const results = new Promise<T[]>((resolve, reject) => {
      const dispose = client.subscribe<T>({ query, variables }, {
        next: (value) => {
          if (value.errors) return reject(new Error(JSON.stringify(value.errors)));
          got.push(value.data as T);
          if (got.length === count) {
            dispose();
            resolve(got);
          }
        },
        error: reject,
        complete: () => resolve(got),
      });
    });
    return { results };
  }

  it('streams what MQTT clients publish on a filter, at most ADMIN_LIVE_MAX_RATE a second, counting what it skips', async () => {
    const client = socketClient(`Bearer ${admin}`);
    try {
      type Live = { topic: string; payloadText: string; publisherClientId: string; skippedBefore: number };
      // Everything the subscription shows, up to the first message published after the burst.
      const got: Live[] = [];
      const untilAfter = new Promise<void>((resolve, reject) => {
        client.subscribe<{ messagePublished: Live }>(
          { query: `subscription ($f: String!) { messagePublished(topicFilter: $f) { topic payloadText publisherClientId skippedBefore } }`, variables: { f: 'live/#' } },
          {
            next: (value) => {
              if (value.errors) return reject(new Error(JSON.stringify(value.errors)));
              got.push(value.data!.messagePublished);
              if (value.data!.messagePublished.topic === 'live/after') resolve();
            },
            error: reject,
            complete: () => undefined,
          },
        );
      });
      await eventually(() => broker.app.get(LiveFeed).watching === 1, 10_000, 'the subscription to start');
      const pub = await connectClient(broker.url, { clientId: 'live-pub' });
      await publish(pub, 'other/x', 'not mine');
      for (let i = 0; i < 30; i++) await publish(pub, 'live/burst', `b-${i}`);
      // The burst spent the five a second: the next one through, once the rate allows, counts the skipped.
      let done = false;
      let afters = 0;
      void untilAfter.finally(() => (done = true));
      await eventuallyAsync(async () => {
        if (!done) {
          afters++;
          await publish(pub, 'live/after', 'after');
        }
        return done;
      }, 10_000, 'a message after the burst');
      assert.ok(got.every((m) => m.topic.startsWith('live/') && m.publisherClientId === 'live-pub'), JSON.stringify(got));
      const burst = got.filter((m) => m.topic === 'live/burst');
      assert.ok(burst.length >= 5 && burst.length < 15, `the rate of 5 a second holds back most of a burst of 30: ${burst.length} shown`);
      const accounted = got.length + got.reduce((n, m) => n + m.skippedBefore, 0);
      assert.ok(accounted >= 31 && accounted <= 30 + afters, `every message on live/# shown or counted as skipped: ${accounted} of ${30 + afters}`);
      await pub.endAsync();
    } finally {
      await client.dispose();
    }
    await eventually(() => broker.app.get(LiveFeed).watching === 0, 5000, 'the watcher to go when the subscription ends');
  });

  it("shows an admin's publish in messagePublished, under the admin's name", async () => {
    const client = socketClient(`Bearer ${admin}`);
    try {
      type Live = { topic: string; payloadText: string; publisherUsername: string | null };
      const first = new Promise<Live>((resolve, reject) => {
        client.subscribe<{ messagePublished: Live }>(
          { query: `subscription { messagePublished(topicFilter: "admin-live/#") { topic payloadText publisherUsername } }` },
          { next: (value) => (value.errors ? reject(new Error(JSON.stringify(value.errors))) : resolve(value.data!.messagePublished)), error: reject, complete: () => undefined },
        );
      });
      await eventually(() => broker.app.get(LiveFeed).watching === 1, 10_000, 'the subscription to start');
      await graphql(broker)(`mutation { publish(input: { topic: "admin-live/x", payload: "from the console" }) { deliveries } }`, {}, admin);
      assert.deepEqual(await withTimeout(first, 5000, 'the live message'), { topic: 'admin-live/x', payloadText: 'from the console', publisherUsername: 'admin' });
    } finally {
      await client.dispose();
    }
  });

  it('ticks brokerMetrics every second with counters and rates', async () => {
    const client = socketClient(`Bearer ${admin}`);
    try {
      type Tick = { brokerMetrics: { at: string; counters: { clientsConnected: number }; publishReceivedPerSecond: number } };
      const ticks = await take<Tick>(client, `subscription { brokerMetrics { at counters { clientsConnected } publishReceivedPerSecond } }`, {}, 2).results;
      const [a, b] = ticks.map((t) => Date.parse(t.brokerMetrics.at));
      assert.ok(b - a >= 900 && b - a <= 2500, `${b - a} ms between ticks`);
      assert.equal(typeof ticks[1].brokerMetrics.publishReceivedPerSecond, 'number');
    } finally {
      await client.dispose();
    }
  });

  it('streams clients connecting, refused and disconnecting as it happens', async () => {
    const client = socketClient(`Bearer ${admin}`);
    try {
      type Event = { clientEvents: { clientId: string; action: string; username: string | null; details: Record<string, unknown> | null } };
      const events: Event['clientEvents'][] = [];
      const three = new Promise<void>((resolve, reject) =>
        client.subscribe<Event>({ query: `subscription { clientEvents { clientId action username details } }` }, {
          next: (value) => {
            events.push(value.data!.clientEvents);
            if (events.filter((e) => e.clientId.startsWith('ev-')).length === 3) resolve();
          },
          error: reject,
          complete: () => undefined,
        }),
      );
      // Until the subscription is in place, connects may go unseen: connect until one is seen.
      await eventuallyAsync(async () => {
        const probe = await connectClient(broker.url, { clientId: 'probe' });
        await probe.endAsync();
        return events.some((e) => e.clientId === 'probe');
      }, 10_000, 'the subscription to see a connect');
      const c = await connectClient(broker.url, { clientId: 'ev-1' });
      await c.endAsync();
      await connectClient(broker.url, { clientId: 'ev-2', username: ADMIN.username, password: 'wrong', reconnectPeriod: 0 }).catch(() => undefined);
      await withTimeout(three, 5000, 'the three events');
      const mine = events.filter((e) => e.clientId.startsWith('ev-'));
      assert.deepEqual(mine.map((e) => [e.clientId, e.action]), [['ev-1', 'connect'], ['ev-1', 'disconnect'], ['ev-2', 'connect_refused']]);
      assert.equal(mine[2].details?.reasonCode, 0x86);
    } finally {
      await client.dispose();
    }
  });

  it('closes a socket (4401) when its access token expires, and when its login ends', async () => {
    const now = Math.floor(Date.now() / 1000);
    const soon = await new SignJWT({ typ: 'access', role: 'admin', sid: '11111111-1111-1111-1111-111111111111' }).setProtectedHeader({ alg: 'HS256' }).setIssuer('nestmq').setSubject('admin').setIssuedAt(now).setExpirationTime(now + 2).sign(Buffer.from(SECRET));
    const expiring = socketClient(`Bearer ${soon}`);
    const expired = new Promise<{ code: number; reason: string }>((resolve) => expiring.on('closed', (event) => resolve(event as { code: number; reason: string })));
    void take(expiring, `subscription { brokerMetrics { at } }`, {}, 100).results.catch(() => undefined);
    const closed = await withTimeout(expired, 10_000, 'the socket to close when its token expires');
    assert.deepEqual([closed.code, closed.reason], [4401, 'the access token expired: reconnect with a fresh one']);
    await expiring.dispose();

    const login = (await graphql(broker)<{ login: Tokens }>(LOGIN, { u: ADMIN.username, p: ADMIN.password })).data!.login;
    const client = socketClient(`Bearer ${login.accessToken}`);
    const ended = new Promise<number>((resolve) => client.on('closed', (event) => resolve((event as { code: number }).code)));
    // A subscription that stays open: the socket is the server's to close.
    const firstTick = new Promise<void>((resolve) => client.subscribe({ query: `subscription { brokerMetrics { at } }` }, { next: () => resolve(), error: () => undefined, complete: () => undefined }));
    await withTimeout(firstTick, 5000, 'a first tick');
    await graphql(broker)(`mutation { logout }`, {}, login.accessToken);
    assert.equal(await withTimeout(ended, 5000, 'the socket to close at logout'), 4401);
    await client.dispose();
  });

  it('closes a socket without a valid access token before any subscription', async () => {
    for (const authorization of [undefined, 'Bearer not-a-token']) {
      const client = socketClient(authorization);
      const closed = new Promise<number>((resolve) => client.on('closed', (event) => resolve((event as { code: number }).code)));
      const attempt = take(client, `subscription { brokerMetrics { at } }`, {}, 1).results.catch(() => 'refused');
      assert.equal(await closed, 4403);
      assert.equal(await attempt, 'refused');
      await client.dispose();
    }
  });
});

describe('admin API: the session log', () => {
  let broker: TestBroker;
  let gql: ReturnType<typeof graphql>;
  let admin: string;
  beforeAll(async () => {
    broker = await startTestBroker({ httpPort: 0, allowAnonymous: false }, { ADMIN_JWT_SECRET: SECRET, ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password });
    gql = graphql(broker);
    admin = (await gql<{ login: Tokens }>(LOGIN, { u: ADMIN.username, p: ADMIN.password })).data!.login.accessToken;
  });
  afterAll(() => broker.close());

  it('lists connects, refusals and subscriptions, by client, by action, newest first', async () => {
    const client = await connectClient(broker.url, { clientId: 'logged', username: ADMIN.username, password: ADMIN.password });
    await client.subscribeAsync('log/#');
    await client.endAsync();
    await connectClient(broker.url, { clientId: 'refused', username: 'nobody', password: 'x', reconnectPeriod: 0 }).catch(() => undefined);
    type Events = { sessionEvents: { events: Array<{ clientId: string; action: string; username: string | null; details: Record<string, unknown> | null }>; nextCursor: string | null } };
    const mine = async (): Promise<string[]> => ((await gql<Events>(`{ sessionEvents(clientId: "logged") { events { action } } }`, {}, admin)).data?.sessionEvents.events ?? []).map((e) => e.action);
    await eventuallyAsync(async () => (await mine()).length === 3, 10_000, 'the events to be written');
    assert.deepEqual(await mine(), ['disconnect', 'subscribe', 'connect']);
    const combined = await gql<Events>(`query ($c: String, $u: String) { sessionEvents(clientId: $c, username: $u, actions: ["subscribe", "connect"]) { events { action } } }`, { c: 'logged', u: null }, admin);
    assert.deepEqual(combined.data!.sessionEvents.events.map((e) => e.action), ['subscribe', 'connect'], 'the client and the actions together; a null filter is no filter');
    const refused = await gql<Events>(`{ sessionEvents(actions: ["connect_refused"]) { events { clientId username details } } }`, {}, admin);
    assert.deepEqual(refused.data!.sessionEvents.events.map((e) => [e.clientId, e.username, e.details?.reasonCode]), [['refused', 'nobody', 0x86]]);
    const bad = await gql(`{ sessionEvents(actions: ["exploded"]) { nextCursor } }`, {}, admin);
    assert.equal(errorCode(bad), 'BAD_USER_INPUT');
    assert.match(bad.errors![0].message, /exploded unknown/);
  });
});

describe('admin API: the message history', () => {
  let broker: TestBroker;
  let gql: ReturnType<typeof graphql>;
  let viewer: string;
  type Page = { messages: { messages: Array<{ id: string; topic: string; payloadText: string | null; payloadBase64: string; receivedAt: string; publisherClientId: string }>; nextCursor: string | null } };
  const MESSAGES = `query ($f: String!, $n: Int!, $a: String, $c: String, $p: String) {
    messages(topicFilter: $f, first: $n, after: $a, clientId: $c, payloadContains: $p) { nextCursor messages { id topic payloadText payloadBase64 receivedAt publisherClientId } } }`;
  beforeAll(async () => {
    broker = await startTestBroker({ httpPort: 0 }, { ADMIN_JWT_SECRET: SECRET, ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password });
    gql = graphql(broker);
    await broker.app.get(UserRepository).create({ username: 'watcher', password: 'watcher-secret', roles: ['viewer'] });
    viewer = (await gql<{ login: Tokens }>(LOGIN, { u: 'watcher', p: 'watcher-secret' })).data!.login.accessToken;
    // 10,000 messages over five topics in one burst, and one that is not UTF-8.
    const raw = await RawClient.connected(broker.mqttPort, { clientId: 'hist-pub' });
    const packet = (topic: string, payload: Buffer): Buffer => encodePacket({ type: PacketType.Publish, topic, payload, qos: 0, retain: false, dup: false } as PublishPacket, 5)!;
    raw.sendBytes(Buffer.concat(Array.from({ length: 10_000 }, (_, i) => packet(`hist/${i % 5}`, Buffer.from(`m-${i}`)))));
    raw.sendBytes(packet('hist/bin', Buffer.from([0xff, 0xfe])));
    const recorder = broker.app.get<HistoryRecorder>(HISTORY_RECORDER);
    await eventually(() => recorder.recorded === 10_001, 30_000, 'the burst to be recorded');
    raw.destroy();
  });
  afterAll(() => broker.close());

  it('pages through 10,000 messages, newest first, each once, with a cursor that stays valid', async () => {
    const seen = new Set<string>();
    let after: string | null = null;
    let last = Infinity;
    let pages = 0;
    do {
      const page: GraphQLAnswer<Page> = await gql<Page>(MESSAGES, { f: 'hist/+', n: 500, a: after }, viewer);
      assert.equal(page.errors, undefined, JSON.stringify(page.errors));
      for (const m of page.data!.messages.messages) {
        assert.ok(!seen.has(m.id), `${m.id} twice`);
        seen.add(m.id);
        const at = Date.parse(m.receivedAt);
        assert.ok(at <= last, 'newest first');
        last = at;
      }
      after = page.data!.messages.nextCursor;
      pages++;
    } while (after !== null);
    assert.equal(seen.size, 10_001);
    assert.ok(pages >= 21, `${pages} pages of at most 500`);
  });

  it('holds admin input to what a client is held to: 20,000 levels, 70,000 bytes, thousands of aliases are refused with a reason', async () => {
    const deep = await gql(MESSAGES, { f: Array.from({ length: 20_000 }, () => 'a').join('/'), n: 10 }, viewer);
    assert.equal(errorCode(deep), 'BAD_USER_INPUT');
    assert.match(deep.errors![0].message, /more than 128 levels/);
    const long = await gql(`query ($t: String!) { latestMessages(topic: $t) { id } }`, { t: 'x'.repeat(70_000) }, viewer);
    assert.match(long.errors![0].message, /longer than 65535 bytes/);
    const aliases = await gql(`{ ${Array.from({ length: 2_000 }, (_, i) => `s${i}: brokerStatus { version }`).join(' ')} }`, {}, viewer);
    assert.equal(errorCode(aliases), 'GRAPHQL_VALIDATION_FAILED', JSON.stringify(aliases).slice(0, 300));
    assert.match(aliases.errors![0].message, /2000 fields at its top; at most 20 are allowed/);
    // 10,000 of them do not fit the 100 kB a request body may have.
    const flood = await fetch(`http://127.0.0.1:${broker.port('http')}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${viewer}` },
      body: JSON.stringify({ query: `{ ${Array.from({ length: 10_000 }, (_, i) => `s${i}: brokerStatus { version }`).join(' ')} }` }),
    });
    assert.equal(flood.status, 413);
    const name = await gql(LOGIN, { u: 'n'.repeat(65_535), p: 'x' });
    assert.equal(errorCode(name), 'UNAUTHENTICATED', 'a 65,535-byte user name is just a wrong login');
    assert.equal((await fetch(`http://127.0.0.1:${broker.port('http')}/health`)).status, 200, 'and the broker is still there');
  });

  it('filters by topic, publisher and payload text, and shows a payload as text only when it is UTF-8', async () => {
    const one = await gql<Page>(MESSAGES, { f: 'hist/3', n: 500, p: 'm-9998' }, viewer);
    assert.deepEqual(one.data!.messages.messages.map((m) => [m.topic, m.payloadText, m.publisherClientId]), [['hist/3', 'm-9998', 'hist-pub']]);
    assert.equal((await gql<Page>(MESSAGES, { f: '#', n: 10, c: 'someone-else' }, viewer)).data!.messages.messages.length, 0);
    const binary = (await gql<Page>(MESSAGES, { f: 'hist/bin', n: 10 }, viewer)).data!.messages.messages;
    assert.deepEqual(binary.map((m) => [m.payloadText, m.payloadBase64]), [[null, '//4=']]);
    const latest = await gql<{ latestMessages: Array<{ payloadText: string }> }>(`{ latestMessages(topic: "hist/4", last: 3) { payloadText } }`, {}, viewer);
    assert.deepEqual(latest.data!.latestMessages.map((m) => m.payloadText), ['m-9999', 'm-9994', 'm-9989']);
    assert.equal(errorCode(await gql(MESSAGES, { f: 'hist/#/x', n: 10 }, viewer)), 'BAD_USER_INPUT');
    assert.equal(errorCode(await gql(MESSAGES, { f: '#', n: 10, a: 'garbage' }, viewer)), 'BAD_USER_INPUT');
  });
});

describe('admin API: readiness follows the database', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let broker: TestBroker;
  beforeAll(async () => {
    db = await createTestDatabase(defaultDatabaseKind());
    const target = new URL(db.options.url!);
    proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    target.port = String(await proxy.listen());
    broker = await startBrokerOn({ url: target.toString(), dataDir: 'unused' }, { httpPort: 0 }, { ADMIN_JWT_SECRET: SECRET });
  });
  afterAll(async () => {
    await broker?.close().catch(() => undefined);
    await proxy?.close();
    await db?.drop();
  });

  it('answers /ready 503 while the database is away, and 200 once it is back; /health stays 200', async () => {
    const base = `http://127.0.0.1:${broker.port('http')}`;
    assert.equal((await fetch(`${base}/ready`)).status, 200);
    proxy.cut();
    const away = await fetch(`${base}/ready`);
    assert.equal(away.status, 503);
    assert.deepEqual(await json(away), { status: 'not ready', database: 'unreachable', listeners: 1 });
    assert.equal((await fetch(`${base}/health`)).status, 200);
    proxy.restore();
    assert.equal((await fetch(`${base}/ready`)).status, 200);
  });
});
