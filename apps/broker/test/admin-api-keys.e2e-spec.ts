import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { UserRepository } from '@nestmq/persistence';
import { createClient } from 'graphql-ws';
import { DataSource } from 'typeorm';
import WebSocket from 'ws';
import { DATA_SOURCE } from '../src/database/database.module';
import { ADMIN, errorCode, graphql, signIn } from './support/admin-api';
import { withTimeout } from './support/clients';
import { TestBroker, startTestBroker } from './support/test-broker';

const ENV = { ADMIN_JWT_SECRET: 'a-test-secret-of-enough-length-for-hs256-signing', ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password };

const KEY_FIELDS = 'id name role prefix state createdBy expiresAt revokedAt lastUsedAt lastUsedAddress useCount';
const CREATE = `mutation ($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret apiKey { ${KEY_FIELDS} } } }`;
const REVOKE = `mutation ($id: ID!) { revokeApiKey(id: $id) { ${KEY_FIELDS} } }`;
const LIST = `{ apiKeys { ${KEY_FIELDS} } }`;
const STATUS = `{ brokerStatus { version } }`;

interface ApiKey {
  id: string;
  name: string;
  role: string;
  prefix: string;
  state: string;
  createdBy: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  lastUsedAddress: string | null;
  useCount: number;
}

describe('admin API: API keys for scripts and machines', () => {
  let broker: TestBroker;
  let gql: ReturnType<typeof graphql>;
  let admin: string;
  beforeAll(async () => {
    broker = await startTestBroker({ httpPort: 0 }, ENV);
    await broker.app.get(UserRepository).create({ username: 'watcher', password: 'watcher-secret', roles: ['viewer'] });
    gql = graphql(broker);
    admin = await signIn(broker);
  });
  afterAll(() => broker.close());

  async function createKey(input: Record<string, unknown>): Promise<{ secret: string; apiKey: ApiKey }> {
    const answer = await gql<{ createApiKey: { secret: string; apiKey: ApiKey } }>(CREATE, { i: input }, admin);
    assert.equal(answer.errors, undefined, answer.errors?.[0]?.message);
    return answer.data!.createApiKey;
  }

  it('shows a key once, keeps only its hash, and records every use with its time and address', async () => {
    const { secret, apiKey } = await createKey({ name: 'dashboards', role: 'viewer' });
    assert.match(secret, /^nmq_[A-Za-z0-9_-]{43}$/);
    assert.ok(secret.startsWith(apiKey.prefix));
    assert.deepEqual([apiKey.state, apiKey.createdBy, apiKey.useCount, apiKey.lastUsedAt], ['active', 'admin', 0, null]);

    for (let i = 0; i < 3; i++) assert.equal((await gql<{ brokerStatus: { version: string } }>(STATUS, {}, secret)).errors, undefined);
    const listed = await fetch(`http://127.0.0.1:${broker.port('http')}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({ query: LIST }),
    }).then((r) => r.text());
    assert.ok(!listed.includes(secret), 'the list never holds the key');
    const row = await broker.app.get<DataSource>(DATA_SOURCE).query(`SELECT key_hash FROM api_keys WHERE id = $1`, [apiKey.id]);
    assert.ok(!row[0].key_hash.includes(secret.slice(4)), 'the database holds a hash, not the key');
    const key = (JSON.parse(listed) as { data: { apiKeys: ApiKey[] } }).data.apiKeys.find((k) => k.id === apiKey.id)!;
    assert.equal(key.useCount, 3);
    assert.match(key.lastUsedAddress ?? '', /^(::ffff:)?127\.0\.0\.1$/);
    assert.ok(Date.now() - Date.parse(key.lastUsedAt!) < 60_000);
  });

  it('gives a key its role: a viewer key reads and may not change, an admin key changes as itself', async () => {
    const viewerKey = (await createKey({ name: 'reader', role: 'viewer' })).secret;
    const adminKey = (await createKey({ name: 'provisioning', role: 'admin' })).secret;
    const createUser = `mutation ($u: String!) { createUser(input: { username: $u, password: "pw-123456" }) { username } }`;
    assert.equal(errorCode(await gql(createUser, { u: 'by-viewer-key' }, viewerKey)), 'FORBIDDEN');
    assert.equal((await gql<{ createUser: { username: string } }>(createUser, { u: 'by-admin-key' }, adminKey)).data?.createUser.username, 'by-admin-key');
    const log = await gql<{ auditLog: { entries: Array<{ actor: string; action: string; target: string }> } }>(`{ auditLog(first: 1) { entries { actor action target } } }`, {}, admin);
    assert.deepEqual(log.data!.auditLog.entries[0], { actor: 'key:provisioning', action: 'createUser', target: 'by-admin-key' });
    assert.equal(errorCode(await gql(`mutation { logout }`, {}, adminKey)), 'BAD_USER_INPUT', 'a key is revoked, not logged out');
  });

  it('refuses a key from its revocation on, and closes the subscription sockets opened with it (4401)', async () => {
    const { secret, apiKey } = await createKey({ name: 'revoked-soon', role: 'viewer' });
    const socket = createClient({ url: `ws://127.0.0.1:${broker.port('http')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, connectionParams: { authorization: `Bearer ${secret}` } });
    const closed = new Promise<number>((resolve) => socket.on('closed', (event) => resolve((event as { code: number }).code)));
    const firstTick = new Promise<void>((resolve) => socket.subscribe({ query: `subscription { brokerMetrics { at } }` }, { next: () => resolve(), error: () => undefined, complete: () => undefined }));
    await withTimeout(firstTick, 5000, 'a first tick on a socket opened with the key');

    const revoked = await gql<{ revokeApiKey: ApiKey }>(REVOKE, { id: apiKey.id }, admin);
    assert.equal(revoked.data?.revokeApiKey.state, 'revoked');
    assert.equal(await withTimeout(closed, 5000, 'the socket to close at revocation'), 4401);
    await socket.dispose();
    const refused = await gql(STATUS, {}, secret);
    assert.equal(errorCode(refused), 'UNAUTHENTICATED');
    assert.match(refused.errors![0].message, /unknown, revoked or expired/);
    assert.equal(errorCode(await gql(REVOKE, { id: apiKey.id }, admin)), 'BAD_USER_INPUT', 'revoked already');
    const names = (await gql<{ apiKeys: ApiKey[] }>(LIST, {}, admin)).data!.apiKeys.filter((k) => k.name === 'revoked-soon');
    assert.deepEqual(names.map((k) => k.state), ['revoked'], 'a revoked key stays listed');
    const audit = await gql<{ auditLog: { entries: Array<{ action: string; target: string }> } }>(`{ auditLog(first: 1) { entries { action target } } }`, {}, admin);
    assert.deepEqual(audit.data!.auditLog.entries[0], { action: 'revokeApiKey', target: 'revoked-soon' });
  });

  it('refuses a key past its expiry, and lists it as expired', async () => {
    const { secret, apiKey } = await createKey({ name: 'short-lived', role: 'viewer', expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    assert.equal((await gql(STATUS, {}, secret)).errors, undefined);
    // The hour passes: the expiry is moved into the past where it is kept.
    await broker.app.get<DataSource>(DATA_SOURCE).query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [apiKey.id]);
    assert.equal(errorCode(await gql(STATUS, {}, secret)), 'UNAUTHENTICATED');
    const listed = (await gql<{ apiKeys: ApiKey[] }>(LIST, {}, admin)).data!.apiKeys.find((k) => k.id === apiKey.id)!;
    assert.equal(listed.state, 'expired');
    assert.equal(listed.useCount, 1, 'a refused request is no use');
  });

  it('lets only admins see and make keys, and says what is wrong with a bad one', async () => {
    const viewer = await signIn(broker, 'watcher', 'watcher-secret');
    assert.equal(errorCode(await gql(LIST, {}, viewer)), 'FORBIDDEN');
    assert.equal(errorCode(await gql(CREATE, { i: { name: 'v', role: 'viewer' } }, viewer)), 'FORBIDDEN');
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ name: '', role: 'viewer' }, /name/],
      [{ name: ' padded', role: 'viewer' }, /name/],
      [{ name: 'dashboards', role: 'viewer' }, /is active/],
      [{ name: 'past', role: 'viewer', expiresAt: '2020-01-01T00:00:00Z' }, /expiresAt: must be in the future/],
    ];
    for (const [input, message] of bad) {
      const answer = await gql(CREATE, { i: input }, admin);
      assert.equal(errorCode(answer), 'BAD_USER_INPUT', JSON.stringify(input));
      assert.match(answer.errors![0].message, message);
    }
    assert.equal(errorCode(await gql(REVOKE, { id: 'not-a-key' }, admin)), 'NOT_FOUND');
    assert.equal(errorCode(await gql(REVOKE, { id: '00000000-0000-0000-0000-000000000000' }, admin)), 'NOT_FOUND');
    assert.equal(errorCode(await gql(STATUS, {}, 'nmq_forged-key-that-was-never-made')), 'UNAUTHENTICATED');
  });
});
