import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { UserRepository } from '@nestmq/persistence';
import { TestDatabase, createTestDatabase, defaultDatabaseKind } from '@nestmq/persistence/testing';
import { ADMIN, graphql, json, rest, signIn } from './support/admin-api';
import { TestBroker, startBrokerOn } from './support/test-broker';

const JWT_SECRET = 'settings-e2e-jwt-secret-0123456789abcdef';
const ADMIN_PASSWORD = 'settings-e2e-admin-password';
const STATIC_PASSWORD = 'settings-e2e-static-user-password';
const DB_PASSWORD = 'settings-e2e-db-password';
const OIDC_CLIENT_SECRET = 'settings-e2e-oidc-client-secret';
const FIELDS = 'name group value isDefault secret';
/** The ACL hook's address carries a password of its own: masked like DATABASE_URL's. */
const ACL_HOOK_PASSWORD = 'acl-hook-secret-pw';

interface Setting {
  name: string;
  group: string;
  value: string | null;
  isDefault: boolean;
  secret: boolean;
}

describe('admin API: the settings in effect, without secrets', () => {
  let db: TestDatabase;
  let broker: TestBroker;
  let dbPassword: string;
  const secrets = (): string[] => [JWT_SECRET, ADMIN_PASSWORD, STATIC_PASSWORD, dbPassword, ACL_HOOK_PASSWORD, OIDC_CLIENT_SECRET];

  beforeAll(async () => {
    db = await createTestDatabase(defaultDatabaseKind());
    // The embedded test server has a password of its own; a server that trusts 127.0.0.1 takes any.
    const url = new URL(db.options.url!);
    if (url.password === '') url.password = DB_PASSWORD;
    dbPassword = decodeURIComponent(url.password);
    broker = await startBrokerOn({ ...db.options, url: url.toString() }, { httpPort: 0 }, {
      ADMIN_USERNAME: ADMIN.username,
      ADMIN_PASSWORD,
      ADMIN_JWT_SECRET: JWT_SECRET,
      AUTH_USERS: `static-sensor:${STATIC_PASSWORD}`,
      MAX_PACKET_SIZE: '65536',
      AUTH_HTTP_ACL_URL: `http://hook:${ACL_HOOK_PASSWORD}@127.0.0.1:9/acl?token=${ACL_HOOK_PASSWORD}`,
      // Read when someone signs in with it, not at start: this provider need not exist.
      OIDC_ISSUER: 'https://idp.example.com',
      OIDC_CLIENT_ID: 'nestmq',
      OIDC_CLIENT_SECRET,
      OIDC_PUBLIC_URL: 'https://mqtt.example.com',
    });
    await broker.app.get(UserRepository).create({ username: 'watcher', password: 'watcher-secret', roles: ['viewer'] });
  });
  afterAll(async () => {
    await broker?.close();
    await db?.drop();
  });

  it('serves every variable over GraphQL, to a viewer too, with no secret anywhere in the answer', async () => {
    const viewer = await signIn(broker, 'watcher', 'watcher-secret');
    const response = await fetch(`http://127.0.0.1:${broker.port('http')}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${viewer}` },
      body: JSON.stringify({ query: `{ brokerSettings { ${FIELDS} } }` }),
    });
    const text = await response.text();
    for (const secret of secrets()) assert.ok(!text.includes(secret), `the answer holds ${secret}`);
    const answer = JSON.parse(text) as { data?: { brokerSettings: Setting[] }; errors?: unknown };
    assert.equal(answer.errors, undefined, text);
    const byName = new Map(answer.data!.brokerSettings.map((s) => [s.name, s]));
    assert.deepEqual(byName.get('ADMIN_JWT_SECRET'), { name: 'ADMIN_JWT_SECRET', group: 'Admin API', value: null, isDefault: false, secret: true });
    assert.deepEqual(byName.get('ADMIN_PASSWORD'), { name: 'ADMIN_PASSWORD', group: 'Admin API', value: null, isDefault: false, secret: true });
    assert.deepEqual(byName.get('OIDC_CLIENT_SECRET'), { name: 'OIDC_CLIENT_SECRET', group: 'Admin single sign-on', value: null, isDefault: false, secret: true });
    assert.equal(byName.get('AUTH_USERS')?.value, 'static-sensor');
    assert.match(byName.get('DATABASE_URL')!.value!, /^postgres(ql)?:\/\/[^:]+:\*\*\*\*@127\.0\.0\.1:\d+\/nestmq_test_/);
    assert.equal(byName.get('AUTH_HTTP_ACL_URL')?.value, 'http://hook:****@127.0.0.1:9/acl?token=****');
    assert.deepEqual([byName.get('MAX_PACKET_SIZE')?.value, byName.get('MAX_PACKET_SIZE')?.isDefault], ['65536', false]);
    assert.deepEqual([byName.get('MAX_TOPIC_LEVELS')?.value, byName.get('MAX_TOPIC_LEVELS')?.isDefault], ['128', true]);
  });

  it('serves the same over REST at /api/v1/settings', async () => {
    const token = await signIn(broker, ADMIN.username, ADMIN_PASSWORD);
    const response = await rest(broker)('GET', '/settings', { token });
    assert.equal(response.status, 200);
    const text = await response.clone().text();
    for (const secret of secrets()) assert.ok(!text.includes(secret), `the answer holds ${secret}`);
    const settings = await json<Setting[]>(response);
    const gql = await graphql(broker)<{ brokerSettings: Setting[] }>(`{ brokerSettings { ${FIELDS} } }`, {}, token);
    assert.deepEqual(settings, gql.data!.brokerSettings);
    assert.equal((await rest(broker)('GET', '/settings')).status, 401);
  });
});
