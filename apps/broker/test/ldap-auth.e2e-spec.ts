import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { ConnectPacket, PacketType, ProtocolVersion, ReasonCode } from '@nestmq/mqtt-protocol';
import { SessionEventRepository, StoredSessionEvent } from '@nestmq/persistence';
import { LdapAuthenticator } from '../src/auth/ldap/ldap-authenticator';
import { AuthBackendError } from '../src/auth/chain/chain-member';
import { DirectoryConnections } from '../src/auth/ldap/directory-connections';
import { LdapDirectory } from '../src/auth/ldap/ldap-directory';
import { loadBrokerConfig } from '../src/config/broker-config';
import type { LdapConfig } from '../src/config/ldap-config';
import { BrokerStats } from '../src/metrics/broker-stats';
import { SESSION_EVENT_RECORDER } from '../src/session-events/session-events.module';
import { SessionEventRecorder } from '../src/session-events/session-event-recorder';
import { connectClient } from './support/clients';
import { RawClient } from './support/raw-client';
import { GROUPS, PEOPLE, Person, READER_DN, READER_PASSWORD, TestDirectory, startTestDirectory } from './support/slapd';
import { TestBroker, startTestBroker } from './support/test-broker';

/** A uid with every character that means something in a DN or a filter. */
const ODD_UID = 'st*r(1),x\\y+z=w';

const PEOPLE_SEEDED: Person[] = [
  { uid: 'alice', password: 'alice-pw', groups: ['mqtt-admins', 'ops'] },
  { uid: 'bob', password: 'bob-pw', groups: ['mqtt-viewers'] },
  { uid: 'carol', password: 'carol-pw' },
  { uid: 'dave', password: 'dave-pw' },
  { uid: ODD_UID, password: 'odd-pw' },
  { uid: 'nouid', password: 'nouid-pw', noUid: true },
];

const GROUP_ROLES = `cn=mqtt-admins,${GROUPS}:admin;cn=mqtt-viewers,${GROUPS}:viewer;CN=Ops, OU=Groups,DC=example,DC=org:ops`;

async function connectRaw(port: number, connect: Partial<ConnectPacket>, version: ProtocolVersion = 5): Promise<{ code: number; raw: RawClient }> {
  const raw = await RawClient.open(port, version);
  raw.send({ type: PacketType.Connect, protocolName: 'MQTT', protocolVersion: version, clean: true, keepAlive: 0, clientId: `ld-${Math.random().toString(36).slice(2)}`, ...connect } as ConnectPacket);
  const connack = await raw.expect(PacketType.Connack, 15_000);
  return { code: connack.reasonCode, raw };
}

async function codeOf(port: number, connect: Partial<ConnectPacket>, version: ProtocolVersion = 5): Promise<number> {
  const { code, raw } = await connectRaw(port, connect, version);
  raw.socket.destroy();
  return code;
}

const login = (username: string, password: string, clientId?: string): Partial<ConnectPacket> => ({ username, password: Buffer.from(password), ...(clientId && { clientId }) });

async function eventOf(broker: TestBroker, clientId: string, action: string): Promise<StoredSessionEvent> {
  await broker.app.get<SessionEventRecorder | null>(SESSION_EVENT_RECORDER)?.flush();
  const event = (await broker.app.get(SessionEventRepository).ofClient(clientId, 10)).events.find((e) => e.action === action);
  if (event === undefined) throw new Error(`no ${action} event for ${clientId}`);
  return event;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

describe('AUTH_CHAIN=ldap,local: search, then bind, with groups read from memberOf', () => {
  let directory: TestDirectory;
  let broker: TestBroker;

  beforeAll(async () => {
    directory = await startTestDirectory(PEOPLE_SEEDED);
    broker = await startTestBroker({}, {
      ALLOW_ANONYMOUS: 'false',
      AUTH_CHAIN: 'ldap,local',
      // alice is in the directory too: her local password must not be a second way in.
      AUTH_USERS: 'loc:loc-pw,alice:alice-local-pw',
      LDAP_URL: directory.url,
      LDAP_BIND_DN: READER_DN,
      LDAP_BIND_PASSWORD: READER_PASSWORD,
      LDAP_SEARCH_BASE: PEOPLE,
      LDAP_GROUP_ROLES: GROUP_ROLES,
      LDAP_TIMEOUT: '2',
      LDAP_MAX_CONNECTIONS: '2',
      // Repeated failures are the point of several tests here.
      LOGIN_FAILURE_WINDOW: '0',
    });
  });
  afterAll(async () => {
    await broker?.close();
    await directory?.close();
  });

  it('lets a directory user in under its name, with the roles its groups give, recorded in the connect event', async () => {
    const client = await connectClient(broker.url, { username: 'alice', password: 'alice-pw', clientId: 'ldap-alice' });
    await client.endAsync();
    const event = await eventOf(broker, 'ldap-alice', 'connect');
    assert.equal(event.username, 'alice');
    assert.equal(event.details!.authenticator, 'ldap');
    assert.equal(event.details!.authReason, 'the directory accepted the password');
    // LDAP_GROUP_ROLES names ops in another spelling of its DN: the same group.
    assert.deepEqual(event.details!.roles, ['admin', 'ops']);
    assert.ok(!JSON.stringify(event).includes('alice-pw'), 'the password is never recorded');
    assert.equal(await codeOf(broker.mqttPort, login('bob', 'bob-pw', 'ldap-bob')), 0);
    assert.deepEqual((await eventOf(broker, 'ldap-bob', 'connect')).details!.roles, ['viewer']);
    assert.equal(await codeOf(broker.mqttPort, login('carol', 'carol-pw', 'ldap-carol')), 0);
    assert.deepEqual((await eventOf(broker, 'ldap-carol', 'connect')).details!.roles, []);
  });

  it('names the user as the directory spells it, whatever case the client used', async () => {
    assert.equal(await codeOf(broker.mqttPort, login('DaVe', 'dave-pw', 'ldap-dave')), 0);
    assert.equal((await eventOf(broker, 'ldap-dave', 'connect')).username, 'dave');
  });

  it('refuses a wrong password and an unknown name with the same 0x86 (3.1.1: 4): the first by the directory, the second by local after it; local users still get in', async () => {
    assert.equal(await codeOf(broker.mqttPort, login('alice', 'wrong', 'ldap-wrong')), ReasonCode.BadUserNameOrPassword);
    assert.equal(await codeOf(broker.mqttPort, login('nobody', 'alice-pw', 'ldap-unknown')), ReasonCode.BadUserNameOrPassword);
    assert.equal(await codeOf(broker.mqttPort, login('alice', 'wrong'), 4), 4);
    assert.equal(await codeOf(broker.mqttPort, login('nobody', 'x'), 4), 4);
    const wrong = await eventOf(broker, 'ldap-wrong', 'connect_refused');
    const unknown = await eventOf(broker, 'ldap-unknown', 'connect_refused');
    assert.deepEqual([wrong.details!.authenticator, wrong.details!.authReason], ['ldap', 'the directory refused the password']);
    assert.deepEqual([unknown.details!.authenticator, unknown.details!.authReason], ['local', 'unknown user name or wrong password']);
    assert.equal(await codeOf(broker.mqttPort, login('loc', 'loc-pw', 'ldap-local')), 0);
    assert.equal((await eventOf(broker, 'ldap-local', 'connect')).details!.authenticator, 'local');
  });

  it('does not let a local account of a directory user\'s name in with its own password: the directory decides for its users', async () => {
    assert.equal(await codeOf(broker.mqttPort, login('alice', 'alice-local-pw', 'ldap-shadow')), ReasonCode.BadUserNameOrPassword);
    assert.equal((await eventOf(broker, 'ldap-shadow', 'connect_refused')).details!.authenticator, 'ldap');
  });

  it('takes comparable time to refuse an unknown name and a wrong password (medians over several tries)', async () => {
    const time = async (username: string, password: string): Promise<number> => {
      const started = performance.now();
      assert.equal(await codeOf(broker.mqttPort, login(username, password)), ReasonCode.BadUserNameOrPassword);
      return performance.now() - started;
    };
    const unknown: number[] = [];
    const wrong: number[] = [];
    for (let i = 0; i < 15; i++) {
      unknown.push(await time(`nobody-${i}`, `guess-${i}`));
      wrong.push(await time('alice', `guess-${i}`));
    }
    const ratio = median(unknown) / median(wrong);
    assert.ok(ratio > 1 / 3 && ratio < 3, `unknown ${median(unknown).toFixed(1)} ms, wrong password ${median(wrong).toFixed(1)} ms`);
  });

  it('sends no empty password, nor one that is not text, to the directory: refused without any bind', async () => {
    const before = await directory.bindsOf();
    assert.equal(await codeOf(broker.mqttPort, { username: 'alice', password: Buffer.alloc(0) }), ReasonCode.BadUserNameOrPassword);
    assert.equal(await codeOf(broker.mqttPort, { username: 'alice' }), ReasonCode.BadUserNameOrPassword);
    // MQTT passwords are bytes; a simple bind's is text: bytes that are not UTF-8 are not the directory's.
    assert.equal(await codeOf(broker.mqttPort, { username: 'alice', password: Buffer.from([0xff, 0xfe, 0x00]) }), ReasonCode.BadUserNameOrPassword);
    assert.equal(await directory.bindsOf(), before, 'no bind, not even the service account\'s');
  });

  it('escapes the user name in the search filter: wildcards and filter fragments find nobody', async () => {
    const attempts = ['*', 'a*', '*)(uid=*', 'alice)(uid=*', 'alice)(|(uid=*', 'al\\2a', 'alice\\', '(uid=alice)', 'alice*', '*alice', 'st*', 'st*r(1)*'];
    for (const username of attempts) {
      assert.equal(await codeOf(broker.mqttPort, login(username, 'alice-pw')), ReasonCode.BadUserNameOrPassword, username);
    }
    // The uid that holds all of them is found as it is, and only so.
    assert.equal(await codeOf(broker.mqttPort, login(ODD_UID, 'odd-pw', 'ldap-odd')), 0);
    assert.equal((await eventOf(broker, 'ldap-odd', 'connect')).username, ODD_UID);
  });

  it('remembers an allow under the name and password: no second bind; a wrong password always binds', async () => {
    const bob = directory.dnOf('bob');
    assert.equal(await codeOf(broker.mqttPort, login('bob', 'bob-pw')), 0);
    const binds = await directory.bindsOf(bob);
    assert.equal(await codeOf(broker.mqttPort, login('bob', 'bob-pw', 'ldap-cached')), 0);
    assert.equal(await directory.bindsOf(bob), binds, 'answered from the cache');
    assert.match(String((await eventOf(broker, 'ldap-cached', 'connect')).details!.authReason), /\(cached\)$/);
    assert.equal(await codeOf(broker.mqttPort, login('bob', 'not-bob-pw')), ReasonCode.BadUserNameOrPassword);
    assert.equal(await codeOf(broker.mqttPort, login('bob', 'not-bob-pw')), ReasonCode.BadUserNameOrPassword);
    assert.equal(await directory.bindsOf(bob), binds + 2, 'denials are never remembered');
  });

  it('opens no more than LDAP_MAX_CONNECTIONS connections to the directory under a flood of CONNECTs', async () => {
    const accepts = await directory.linesMatching(/ ACCEPT from /);
    const codes = await Promise.all(Array.from({ length: 30 }, (_, i) => codeOf(broker.mqttPort, login('carol', `flood-${i}`))));
    assert.deepEqual(new Set(codes), new Set([ReasonCode.BadUserNameOrPassword]));
    const ldap = broker.app.get(LdapAuthenticator);
    assert.ok(ldap.directory.connectionsPeak <= 2, `peak ${ldap.directory.connectionsPeak}`);
    // Counted by slapd: the broker's connections, and the one each log check opens.
    assert.ok((await directory.linesMatching(/ ACCEPT from /)) - accepts <= 2 + 1);
  });

  it('answers 0x88 (3.1.1: 3), counted, when the directory does not answer in LDAP_TIMEOUT or is down; a remembered allow still works', async () => {
    const stats = broker.app.get(BrokerStats);
    const before = stats.connectsRefusedAuthBackend;
    assert.equal(await codeOf(broker.mqttPort, login('carol', 'carol-pw')), 0);
    await directory.pause();
    try {
      const started = Date.now();
      assert.equal(await codeOf(broker.mqttPort, login('dave', 'dave-pw', 'ldap-hung')), ReasonCode.ServerUnavailable);
      assert.ok(Date.now() - started < 10_000, 'LDAP_TIMEOUT bounds the wait');
      const event = await eventOf(broker, 'ldap-hung', 'connect_refused');
      assert.equal(event.details!.authenticator, 'ldap');
      assert.match(String(event.details!.authReason), /^timeout/);
    } finally {
      directory.resume();
    }
    await directory.stop();
    try {
      assert.equal(await codeOf(broker.mqttPort, login('dave', 'dave-pw', 'ldap-down')), ReasonCode.ServerUnavailable);
      assert.match(String((await eventOf(broker, 'ldap-down', 'connect_refused')).details!.authReason), /^unreachable/);
      assert.equal(await codeOf(broker.mqttPort, login('dave', 'dave-pw'), 4), 3);
      assert.equal(await codeOf(broker.mqttPort, login('carol', 'carol-pw')), 0, 'remembered from before');
      // A later authenticator never decides in its place: local knows loc, but the chain stops at ldap.
      assert.equal(await codeOf(broker.mqttPort, login('loc', 'loc-pw')), ReasonCode.ServerUnavailable);
    } finally {
      await directory.start();
    }
    assert.equal(stats.connectsRefusedAuthBackend, before + 4);
    assert.equal(await codeOf(broker.mqttPort, login('dave', 'dave-pw')), 0, 'back once the directory is');
  });
});

describe('AUTH_CHAIN=ldap: direct bind over StartTLS, groups found by a search', () => {
  let directory: TestDirectory;
  let broker: TestBroker;
  const env = (overrides: Record<string, string> = {}): Record<string, string> => ({
    ALLOW_ANONYMOUS: 'false',
    AUTH_CHAIN: 'ldap',
    LDAP_URL: directory.url,
    LDAP_STARTTLS: 'true',
    LDAP_TLS_CA_FILE: directory.caFile,
    LDAP_BIND_DN_TEMPLATE: `uid=%u,${PEOPLE}`,
    LDAP_GROUP_ROLES: GROUP_ROLES,
    LDAP_GROUP_SEARCH_BASE: GROUPS,
    LDAP_TIMEOUT: '5',
    LOGIN_FAILURE_WINDOW: '0',
    ...overrides,
  });

  beforeAll(async () => {
    directory = await startTestDirectory(PEOPLE_SEEDED);
    broker = await startTestBroker({}, env());
  });
  afterAll(async () => {
    await broker?.close();
    await directory?.close();
  });

  it('binds as the user over TLS, and reads its groups as that user: roles in the connect event', async () => {
    const extendedOps = await directory.linesMatching(/EXT oid=1\.3\.6\.1\.4\.1\.1466\.20037/);
    assert.equal(await codeOf(broker.mqttPort, login('alice', 'alice-pw', 'tls-alice')), 0);
    const event = await eventOf(broker, 'tls-alice', 'connect');
    assert.equal(event.username, 'alice');
    assert.deepEqual(event.details!.roles, ['admin', 'ops']);
    assert.ok((await directory.linesMatching(/EXT oid=1\.3\.6\.1\.4\.1\.1466\.20037/)) > extendedOps, 'StartTLS was asked for');
    assert.equal(await codeOf(broker.mqttPort, login('alice', 'wrong')), ReasonCode.BadUserNameOrPassword);
    assert.equal(await codeOf(broker.mqttPort, login('nobody', 'alice-pw')), ReasonCode.BadUserNameOrPassword);
  });

  it('sends every password over TLS, also on the connections opened again after the directory restarted', async () => {
    assert.equal(await codeOf(broker.mqttPort, login('bob', 'bob-pw')), 0);
    await directory.stop();
    await directory.start();
    // The pooled connections were closed by the directory: opened again, with StartTLS before the bind.
    assert.equal(await codeOf(broker.mqttPort, login('dave', 'dave-pw')), 0);
    assert.equal(await codeOf(broker.mqttPort, login('alice', 'wrong-again')), ReasonCode.BadUserNameOrPassword);
    const binds = directory.log.split('\n').filter((l) => / BIND dn="uid=(alice|bob|dave),/.test(l) && / mech=SIMPLE /.test(l));
    assert.ok(binds.length >= 2, binds.join('\n'));
    for (const line of binds) assert.match(line, / ssf=(?!0\b)\d+/, `a bind in clear text: ${line}`);
  });

  it('escapes the user name in the DN: another RDN, a quote or a backslash lands in the value and binds nobody', async () => {
    const attempts = ['alice,ou=people', `alice,${PEOPLE}`, 'alice+cn=alice', 'alice\\', 'alice\\,x', '"alice"', '#alice', 'alice;x', '<alice>', '*'];
    for (const username of attempts) {
      assert.equal(await codeOf(broker.mqttPort, login(username, 'alice-pw')), ReasonCode.BadUserNameOrPassword, username);
    }
    assert.equal(await codeOf(broker.mqttPort, login(ODD_UID, 'odd-pw')), 0, 'the uid that holds them all binds as it is');
    // The directory's own matching ignores a uid's leading and trailing spaces (RFC 4518): the same entry,
    // with its own password, and the identity is the directory's spelling, never the client's.
    assert.equal(await codeOf(broker.mqttPort, login(' alice ', 'alice-pw', 'tls-spaced')), 0);
    assert.equal((await eventOf(broker, 'tls-spaced', 'connect')).username, 'alice');
  });

  it('refuses with 0x88 a directory whose certificate the CA file does not vouch for, over StartTLS and ldaps://', async () => {
    const cases: Array<Record<string, string>> = [{ LDAP_TLS_CA_FILE: directory.otherCaFile }, { LDAP_URL: directory.ldapsUrl, LDAP_STARTTLS: 'false', LDAP_TLS_CA_FILE: directory.otherCaFile }];
    for (const overrides of cases) {
      const wrongCa = await startTestBroker({}, env(overrides));
      try {
        const before = wrongCa.app.get(BrokerStats).connectsRefusedAuthBackend;
        assert.equal(await codeOf(wrongCa.mqttPort, login('alice', 'alice-pw', 'tls-wrong-ca')), ReasonCode.ServerUnavailable);
        const event = await eventOf(wrongCa, 'tls-wrong-ca', 'connect_refused');
        assert.match(String(event.details!.authReason), /^unreachable: TLS: the directory's certificate is not trusted/);
        assert.equal(wrongCa.app.get(BrokerStats).connectsRefusedAuthBackend, before + 1);
      } finally {
        await wrongCa.close();
      }
    }
  });

  it('speaks ldaps:// with the right CA', async () => {
    const ldaps = await startTestBroker({}, env({ LDAP_URL: directory.ldapsUrl, LDAP_STARTTLS: 'false' }));
    try {
      assert.equal(await codeOf(ldaps.mqttPort, login('bob', 'bob-pw', 'ldaps-bob')), 0);
      assert.deepEqual((await eventOf(ldaps, 'ldaps-bob', 'connect')).details!.roles, ['viewer']);
      assert.equal(await codeOf(ldaps.mqttPort, login('bob', 'alice-pw')), ReasonCode.BadUserNameOrPassword);
    } finally {
      await ldaps.close();
    }
  });
});

describe('LDAP_STARTTLS=true against a directory that refuses StartTLS', () => {
  it('answers 0x88 every time and never sends a password in clear text on the connection StartTLS was refused on', async () => {
    const directory = await startTestDirectory(PEOPLE_SEEDED, [], { tls: false });
    const broker = await startTestBroker({}, {
      ALLOW_ANONYMOUS: 'false',
      AUTH_CHAIN: 'ldap',
      LDAP_URL: directory.url,
      LDAP_STARTTLS: 'true',
      LDAP_BIND_DN_TEMPLATE: `uid=%u,${PEOPLE}`,
      LDAP_MAX_CONNECTIONS: '1',
      LOGIN_FAILURE_WINDOW: '0',
    });
    try {
      for (let i = 0; i < 3; i++) assert.equal(await codeOf(broker.mqttPort, login('alice', 'alice-pw')), ReasonCode.ServerUnavailable);
      assert.ok((await directory.linesMatching(/EXT oid=1\.3\.6\.1\.4\.1\.1466\.20037/)) >= 3, 'StartTLS was asked each time');
      assert.equal(await directory.bindsOf(directory.dnOf('alice')), 0, 'no bind without TLS');
    } finally {
      await broker.close();
      await directory.close();
    }
  });
});

describe('LdapDirectory, asked directly: what an MQTT client cannot even send', () => {
  let directory: TestDirectory;
  let search: LdapDirectory;
  let direct: LdapDirectory;

  beforeAll(async () => {
    directory = await startTestDirectory(PEOPLE_SEEDED);
    const common = { AUTH_CHAIN: 'ldap', LDAP_URL: directory.url, LDAP_GROUP_ROLES: GROUP_ROLES };
    search = new LdapDirectory(loadBrokerConfig({ ...common, LDAP_SEARCH_BASE: PEOPLE, LDAP_BIND_DN: READER_DN, LDAP_BIND_PASSWORD: READER_PASSWORD }) as LdapConfig & { ldapUrl: string });
    direct = new LdapDirectory(loadBrokerConfig({ ...common, LDAP_BIND_DN_TEMPLATE: `uid=%u,${PEOPLE}` }) as LdapConfig & { ldapUrl: string });
  });
  afterAll(async () => {
    search?.close();
    direct?.close();
    await directory?.close();
  });

  it('finds nobody for a user name with NUL or other control characters, and binds nobody with an empty password', async () => {
    for (const d of [search, direct]) {
      for (const username of ['alice\0', '\0', 'al\0ice', 'alice\u0000)(uid=*', 'al\nice', 'alice\r\n(uid=*)']) {
        assert.equal(await d.verify(username, 'alice-pw'), undefined, JSON.stringify(username));
      }
      // A filter's trailing line feed is insignificant space to the directory (RFC 4518): alice, as the
      // directory spells her, or nobody; never someone else, nor the name as the client wrote it.
      assert.ok([undefined, 'alice'].includes((await d.verify('alice\n', 'alice-pw'))?.username));
      const before = await directory.bindsOf();
      assert.equal(await d.verify('alice', ''), undefined);
      assert.equal(await directory.bindsOf(), before);
      assert.deepEqual(await d.verify('alice', 'alice-pw'), { username: 'alice', dn: directory.dnOf('alice'), roles: ['admin', 'ops'] });
    }
  });

  it('refuses with a backend failure (0x88) an entry without LDAP_USERNAME_ATTRIBUTE: the broker cannot say who it is', async () => {
    const byCn = new LdapDirectory(loadBrokerConfig({ AUTH_CHAIN: 'ldap', LDAP_URL: directory.url, LDAP_BIND_DN_TEMPLATE: `cn=%u,${PEOPLE}` }) as LdapConfig & { ldapUrl: string });
    try {
      await assert.rejects(byCn.verify('nouid', 'nouid-pw'), (e: unknown) => e instanceof AuthBackendError && e.code === 'bad-answer' && /has no uid \(LDAP_USERNAME_ATTRIBUTE\)/.test(e.message));
      assert.equal(await byCn.verify('nouid', 'wrong'), undefined);
    } finally {
      byCn.close();
    }
  });

  it('queues checks beyond the connections within their deadline, and refuses at once past the queue\'s bound', async () => {
    const connections = new DirectoryConnections({ url: directory.url, startTls: false, tls: {}, timeoutMs: 1000, max: 1, maxWaiting: 2 });
    await directory.pause();
    try {
      const started = Date.now();
      const checks = Array.from({ length: 4 }, () => connections.run(undefined, (c) => c.bind(READER_DN, READER_PASSWORD)).then(() => 'ok', (e: AuthBackendError) => e.code));
      // The fourth finds one check on the connection and two waiting: refused before the others time out.
      assert.equal(await Promise.race([checks[3], ...checks.slice(0, 3).map((c) => c.then(() => 'first'))]), 'unavailable');
      assert.deepEqual(await Promise.all(checks.slice(0, 3)), ['timeout', 'timeout', 'timeout']);
      assert.ok(Date.now() - started < 5000, 'each within its own deadline');
      assert.equal(connections.peak, 1);
    } finally {
      directory.resume();
      connections.close();
    }
  });

  it('finds a user without its password with the service account only, for an admin login\'s refresh', async () => {
    assert.deepEqual(await search.find('bob'), { username: 'bob', dn: directory.dnOf('bob'), roles: ['viewer'] });
    assert.equal(await search.find('nobody'), undefined);
    assert.equal(await search.find('*'), undefined);
    assert.equal(await direct.find('bob'), undefined, 'no service account: nothing to read with');
  });
});
