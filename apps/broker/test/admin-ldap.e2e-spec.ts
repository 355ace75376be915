import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { PacketType, ReasonCode } from '@nestmq/mqtt-protocol';
import { ADMIN, GraphQLAnswer, errorCode, graphql } from './support/admin-api';
import { freePort, spawnBroker } from './support/broker-process';
import { RawClient } from './support/raw-client';
import { GROUPS, PEOPLE, READER_DN, READER_PASSWORD, TestDirectory, startTestDirectory } from './support/slapd';
import { TestBroker, startTestBroker } from './support/test-broker';

const LOGIN = `mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken refreshToken account { username role } } }`;
const REFRESH = `mutation ($t: String!) { refreshToken(token: $t) { accessToken refreshToken account { username role } } }`;

interface Tokens {
  accessToken: string;
  refreshToken: string;
  account: { username: string; role: string };
}

const PEOPLE_SEEDED = [
  { uid: 'alice', password: 'alice-admin-pw', groups: ['mqtt-admins'] },
  { uid: 'bob', password: 'bob-viewer-pw', groups: ['mqtt-viewers'] },
  { uid: 'vera', password: 'vera-viewer-pw', groups: ['mqtt-viewers'] },
  { uid: 'carol', password: 'carol-nogroup-pw', groups: ['ops'] },
];

const ldapEnv = (directory: TestDirectory): Record<string, string> => ({
  ADMIN_LDAP: 'true',
  LDAP_URL: directory.url,
  LDAP_BIND_DN: READER_DN,
  LDAP_BIND_PASSWORD: READER_PASSWORD,
  LDAP_SEARCH_BASE: PEOPLE,
  LDAP_GROUP_ROLES: `cn=mqtt-admins,${GROUPS}:admin;cn=mqtt-viewers,${GROUPS}:viewer;cn=ops,${GROUPS}:ops`,
  LDAP_TIMEOUT: '2',
});

describe('admin API: sign-in through the directory (ADMIN_LDAP)', () => {
  let directory: TestDirectory;
  let broker: TestBroker;
  let gql: ReturnType<typeof graphql>;
  const signIn = (u: string, p: string): Promise<GraphQLAnswer<{ login: Tokens }>> => gql<{ login: Tokens }>(LOGIN, { u, p });

  beforeAll(async () => {
    directory = await startTestDirectory(PEOPLE_SEEDED);
    // The directory for the admin API alone: MQTT clients are still checked by local.
    broker = await startTestBroker({ httpPort: 0 }, { ...ldapEnv(directory), LOGIN_FAILURE_WINDOW: '0', ADMIN_JWT_SECRET: 'admin-ldap-e2e-jwt-secret-0123456789abcdef' });
    gql = graphql(broker);
  });
  afterAll(async () => {
    await broker?.close();
    await directory?.close();
  });

  it('signs in a member of the admin group as ldap:<name> with the admin role, named so in the audit log', async () => {
    const login = await signIn('alice', 'alice-admin-pw');
    assert.equal(login.errors, undefined, JSON.stringify(login.errors));
    assert.deepEqual(login.data!.login.account, { username: 'ldap:alice', role: 'admin' });
    const token = login.data!.login.accessToken;
    const me = await gql<{ me: { username: string; role: string } }>('{ me { username role } }', {}, token);
    assert.deepEqual(me.data?.me, { username: 'ldap:alice', role: 'admin' });
    const created = await gql('mutation { createAclRule(input: { permission: deny, action: publish, topic: "ldap/#" }) { id } }', {}, token);
    assert.equal(created.errors, undefined, JSON.stringify(created.errors));
    const log = await gql<{ auditLog: { entries: Array<{ actor: string; action: string }> } }>('{ auditLog(first: 1) { entries { actor action } } }', {}, token);
    assert.deepEqual(log.data!.auditLog.entries[0], { actor: 'ldap:alice', action: 'createAclRule' });
    // The directory's own spelling, whatever the form's.
    assert.equal((await signIn('ALICE', 'alice-admin-pw')).data?.login.account.username, 'ldap:alice');
  });

  it('gives a member of the viewer group the viewer role: it reads, and may not change', async () => {
    const login = await signIn('bob', 'bob-viewer-pw');
    assert.deepEqual(login.data?.login.account, { username: 'ldap:bob', role: 'viewer' });
    const token = login.data!.login.accessToken;
    assert.equal((await gql('{ brokerStatus { version } }', {}, token)).errors, undefined);
    assert.equal(errorCode(await gql('mutation { createAclRule(input: { permission: deny, action: publish, topic: "x/#" }) { id } }', {}, token)), 'FORBIDDEN');
  });

  it('refuses a directory user in no admin or viewer group with the answer a wrong password or an unknown name gets', async () => {
    const answers = await Promise.all([signIn('carol', 'carol-nogroup-pw'), signIn('alice', 'wrong'), signIn('nobody', 'x'), signIn('alice', ''), signIn('*', 'alice-admin-pw')]);
    const messages = answers.map((a) => `${errorCode(a)}: ${a.errors?.[0]?.message}`);
    assert.equal(new Set(messages).size, 1, messages.join('\n'));
    assert.match(messages[0], /^UNAUTHENTICATED: wrong user name or password/);
  });

  it('takes comparable time to refuse an unknown name and a directory user\'s wrong password (medians over several tries)', async () => {
    const time = async (u: string, p: string): Promise<number> => {
      const started = performance.now();
      assert.equal(errorCode(await signIn(u, p)), 'UNAUTHENTICATED');
      return performance.now() - started;
    };
    const unknown: number[] = [];
    const wrong: number[] = [];
    for (let i = 0; i < 11; i++) {
      unknown.push(await time(`nobody-${i}`, `guess-${i}`));
      wrong.push(await time('alice', `guess-${i}`));
    }
    const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
    const ratio = median(unknown) / median(wrong);
    assert.ok(ratio > 1 / 3 && ratio < 3, `unknown ${median(unknown).toFixed(1)} ms, wrong password ${median(wrong).toFixed(1)} ms`);
  });

  it('still signs in the local admin, first', async () => {
    assert.deepEqual((await signIn(ADMIN.username, ADMIN.password)).data?.login.account, { username: ADMIN.username, role: 'admin' });
  });

  it('refreshes a directory user\'s tokens with its role read again: removed from its group, it is refused and the login ends', async () => {
    const first = (await signIn('vera', 'vera-viewer-pw')).data!.login;
    const second = await gql<{ refreshToken: Tokens }>(REFRESH, { t: first.refreshToken });
    assert.equal(second.errors, undefined, JSON.stringify(second.errors));
    assert.deepEqual(second.data!.refreshToken.account, { username: 'ldap:vera', role: 'viewer' });
    await directory.removeFromGroup('vera', 'mqtt-viewers');
    const third = await gql(REFRESH, { t: second.data!.refreshToken.refreshToken });
    assert.equal(errorCode(third), 'UNAUTHENTICATED');
    assert.match(third.errors![0].message, /may no longer use the admin API/);
    assert.equal(errorCode(await gql('{ me { username } }', {}, second.data!.refreshToken.accessToken)), 'UNAUTHENTICATED', 'the login ended');
  });

  it('keeps a refresh token unspent when the directory cannot answer, and trades it once the directory is back', async () => {
    const tokens = (await signIn('bob', 'bob-viewer-pw')).data!.login;
    await directory.stop();
    try {
      const down = await gql(REFRESH, { t: tokens.refreshToken });
      assert.equal(errorCode(down), 'UNAUTHENTICATED');
      assert.match(down.errors![0].message, /the directory cannot be asked right now \(unreachable\); try again later/);
      const login = await signIn('bob', 'bob-viewer-pw');
      assert.match(login.errors![0].message, /the directory cannot be asked right now/);
    } finally {
      await directory.start();
    }
    const again = await gql<{ refreshToken: Tokens }>(REFRESH, { t: tokens.refreshToken });
    assert.equal(again.errors, undefined, JSON.stringify(again.errors));
    assert.equal(again.data!.refreshToken.account.username, 'ldap:bob');
  });

  it('shows the service account\'s password only as set in brokerSettings', async () => {
    const token = (await signIn('bob', 'bob-viewer-pw')).data!.login.accessToken;
    const response = await fetch(`http://127.0.0.1:${broker.port('http')}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ brokerSettings { name value secret isDefault } }' }),
    });
    const text = await response.text();
    assert.ok(!text.includes(READER_PASSWORD));
    const settings = (JSON.parse(text) as { data: { brokerSettings: Array<{ name: string; value: string | null; secret: boolean; isDefault: boolean }> } }).data.brokerSettings;
    const byName = new Map(settings.map((s) => [s.name, s]));
    assert.deepEqual(byName.get('LDAP_BIND_PASSWORD'), { name: 'LDAP_BIND_PASSWORD', value: null, secret: true, isDefault: false });
    assert.equal(byName.get('LDAP_BIND_DN')?.value, READER_DN);
    assert.equal(byName.get('ADMIN_LDAP')?.value, 'true');
    assert.match(byName.get('LDAP_GROUP_ROLES')!.value!, /^cn=mqtt-admins,ou=groups,dc=example,dc=org:admin;/);
  });
});

describe('LDAP: no password in the logs, at the most verbose level', () => {
  it('logs neither the service account\'s password nor a client\'s, through allows, refusals and an unreachable directory', async () => {
    const directory = await startTestDirectory(PEOPLE_SEEDED);
    const [mqttPort, httpPort] = [await freePort(), await freePort()];
    const broker = await spawnBroker({ ...ldapEnv(directory), AUTH_CHAIN: 'ldap', MQTT_PORT: String(mqttPort), HTTP_PORT: String(httpPort), LOG_LEVEL: 'trace' });
    try {
      const connect = async (username: string, password: string): Promise<number> => {
        const raw = await RawClient.open(mqttPort, 5);
        raw.send({ type: PacketType.Connect, protocolName: 'MQTT', protocolVersion: 5, clean: true, keepAlive: 0, clientId: `log-${username}`, username, password: Buffer.from(password) });
        const code = (await raw.expect(PacketType.Connack, 15_000)).reasonCode;
        raw.socket.destroy();
        return code;
      };
      const login = (u: string, p: string): Promise<Response> =>
        fetch(`http://127.0.0.1:${httpPort}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: LOGIN, variables: { u, p } }) });
      assert.equal(await connect('alice', 'alice-admin-pw'), 0);
      assert.equal(await connect('bob', 'bob-wrong-password'), ReasonCode.BadUserNameOrPassword);
      assert.equal((await login('alice', 'alice-admin-pw')).status, 200);
      await login('carol', 'carol-nogroup-pw');
      await directory.stop();
      assert.equal(await connect('vera', 'vera-viewer-pw'), ReasonCode.ServerUnavailable);
      await login('vera', 'vera-viewer-pw');
    } finally {
      broker.child.kill('SIGTERM');
      await broker.exited;
      await directory.close();
    }
    const output = broker.output();
    assert.match(output, /listening on mqtt/, 'the log was captured');
    for (const secret of [READER_PASSWORD, 'alice-admin-pw', 'bob-wrong-password', 'carol-nogroup-pw', 'vera-viewer-pw']) {
      assert.ok(!output.includes(secret), `the log holds ${secret}`);
    }
  });
});
