import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from '@jest/globals';
import { ConfigError, loadBrokerConfig } from './broker-config';

describe('loadBrokerConfig', () => {
  it('has the documented defaults', () => {
    const c = loadBrokerConfig({});
    assert.equal(c.mqttPort, 1883);
    assert.equal(c.wsPort, 8083);
    assert.equal(c.mqttsPort, null);
    assert.equal(c.allowAnonymous, false);
    assert.equal(c.maxKeepAlive, 65535);
    assert.equal(c.maxPacketSize, 16_777_216);
    assert.equal(c.connectTimeout, 10);
    assert.equal(c.acl, null);
    assert.equal(c.bcryptThreads, Math.min(2, availableParallelism()));
  });

  it('switches a listener off with port 0', () => {
    assert.equal(loadBrokerConfig({ MQTT_PORT: '0' }).mqttPort, null);
    assert.equal(loadBrokerConfig({ HTTP_PORT: '0' }).httpPort, null);
  });

  it('serves the admin API on 8080 by default, introspection and the REST API\'s Swagger UI off, and wants a JWT secret of 32 characters or more', () => {
    const c = loadBrokerConfig({});
    assert.deepEqual([c.httpPort, c.graphqlIntrospection, c.adminApiDocs, c.adminJwtSecret], [8080, false, false, undefined]);
    assert.equal(loadBrokerConfig({ ADMIN_API_DOCS: 'true' }).adminApiDocs, true);
    assert.throws(() => loadBrokerConfig({ ADMIN_API_DOCS: 'sometimes' }), (e: unknown) => e instanceof ConfigError && e.message === 'ADMIN_API_DOCS=sometimes: expected true or false');
    assert.equal(loadBrokerConfig({ ADMIN_JWT_SECRET: 'x'.repeat(32) }).adminJwtSecret, 'x'.repeat(32));
    assert.throws(() => loadBrokerConfig({ ADMIN_JWT_SECRET: 'short' }), (e: unknown) => e instanceof ConfigError && e.message === 'ADMIN_JWT_SECRET: 5 characters; at least 32 are needed to sign tokens safely');
  });

  it('records session events by default, kept 30 days; SESSION_EVENTS=false or 0 switches them off', () => {
    const c = loadBrokerConfig({});
    assert.equal(c.sessionEvents, true);
    assert.equal(c.sessionEventsRetention, 30 * 86400);
    assert.equal(c.sessionEventsBuffer, 10_000);
    assert.equal(loadBrokerConfig({ SESSION_EVENTS: 'false' }).sessionEvents, false);
    assert.equal(loadBrokerConfig({ SESSION_EVENTS: '0' }).sessionEvents, false);
    assert.equal(loadBrokerConfig({ SESSION_EVENTS: 'true' }).sessionEvents, true);
    assert.equal(loadBrokerConfig({ SESSION_EVENTS_RETENTION: '12h' }).sessionEventsRetention, 12 * 3600);
    assert.equal(loadBrokerConfig({ SESSION_EVENTS_RETENTION: '90d' }).sessionEventsRetention, 90 * 86400);
  });

  it('bounds what clients can grow by default, as the README table says', () => {
    const c = loadBrokerConfig({});
    assert.equal(c.historyMaxBytes, 4 * 1024 ** 3);
    assert.equal(c.sessionEventsMaxBytes, 1024 ** 3);
    assert.equal(c.maxConnectingBytes, 256 * 1024 * 1024);
    assert.equal(c.sessionUserMismatch, 'refuse');
    assert.equal(c.loginFailuresPerAddress, 10);
    assert.equal(c.loginFailuresPerUser, 10);
    assert.equal(c.loginFailureWindow, 60);
    assert.equal(loadBrokerConfig({ SESSION_USER_MISMATCH: 'Clean' }).sessionUserMismatch, 'clean');
    assert.equal(loadBrokerConfig({}).aclNoMatch, 'allow');
    assert.equal(loadBrokerConfig({ ACL_NO_MATCH: 'Deny' }).aclNoMatch, 'deny');
    assert.equal(loadBrokerConfig({ LOGIN_FAILURE_WINDOW: '5m' }).loginFailureWindow, 300);
  });

  it('allows more password threads when UV_THREADPOOL_SIZE makes room for them', () => {
    assert.equal(loadBrokerConfig({ BCRYPT_THREADS: '6', UV_THREADPOOL_SIZE: '8' }).bcryptThreads, 6);
  });

  it('parses AUTH_USERS, passwords containing colons included', () => {
    const c = loadBrokerConfig({ AUTH_USERS: 'alice:secret, bob:a:b' });
    assert.deepEqual([...c.users], [['alice', 'secret'], ['bob', 'a:b']]);
  });

  for (const [name, value, message] of [
    ['MQTT_PORT', '70000', /MQTT_PORT=70000: expected an integer from 0 to 65535/],
    ['ALLOW_ANONYMOUS', 'maybe', /ALLOW_ANONYMOUS=maybe: expected true or false/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL=loud/],
    ['LOG_FORMAT', 'xml', /LOG_FORMAT=xml: expected one of pretty, json/],
    ['CONNECT_TIMEOUT', '-1', /CONNECT_TIMEOUT/],
    ['BCRYPT_THREADS', '0', /BCRYPT_THREADS=0: expected an integer from 1 to 64/],
    ['AUTH_USERS', 'nopassword', /AUTH_USERS: "nopassword" has no password/],
    ['TLS_CERT_FILE', '/nonexistent/cert.pem', /TLS_CERT_FILE=\/nonexistent\/cert.pem: cannot read the file/],
    ['MQTTS_PORT', '8883', /TLS_CERT_FILE and TLS_KEY_FILE are required/],
    ['SESSION_EVENTS', 'sometimes', /SESSION_EVENTS=sometimes: expected true or false/],
    ['SESSION_EVENTS_RETENTION', 'a month', /SESSION_EVENTS_RETENTION=a month: expected a duration/],
    ['SESSION_EVENTS_BUFFER', '5', /SESSION_EVENTS_BUFFER=5: expected an integer from 10/],
    ['BCRYPT_THREADS', '3', /BCRYPT_THREADS=3: 3 would leave fewer than 2 of the 4 threads of libuv's pool .*UV_THREADPOOL_SIZE to at least 5/],
    ['SESSION_USER_MISMATCH', 'merge', /SESSION_USER_MISMATCH=merge: expected refuse or clean/],
    ['ACL_NO_MATCH', 'maybe', /ACL_NO_MATCH=maybe: expected allow or deny/],
    ['AUTH_HTTP_URL', 'http://127.0.0.1:9/auth', /AUTH_HTTP_URL is set, but AUTH_CHAIN \(local\) does not name http: add it, e\.g\. AUTH_CHAIN=http,local/],
    ['AUTH_JWT_SECRET', 'x'.repeat(40), /AUTH_JWT_SECRET is set, but AUTH_CHAIN \(local\) does not name jwt/],
    ['AUTH_JWT_JWKS_URL', 'http://127.0.0.1:9/jwks', /AUTH_JWT_JWKS_URL is set, but AUTH_CHAIN \(local\) does not name jwt/],
    ['HISTORY_MAX_BYTES', '1000', /HISTORY_MAX_BYTES=1000: expected an integer from 65536/],
    ['MAX_CONNECTING_BYTES', '-1', /MAX_CONNECTING_BYTES=-1: expected an integer/],
    ['LOGIN_FAILURES_PER_ADDRESS', 'many', /LOGIN_FAILURES_PER_ADDRESS=many: expected an integer/],
    ['AUTH_USERS', `long:${'x'.repeat(73)}`, /AUTH_USERS: the password of "long" has 73 bytes; at most 72/],
  ] as const) {
    it(`rejects ${name}=${value} with a message naming it`, () => {
      assert.throws(() => loadBrokerConfig({ [name]: value }), (e: unknown) => e instanceof ConfigError && message.test(e.message));
    });
  }

  it('loads ACL_FILE and reports its syntax errors as configuration errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nestmq-acl-'));
    writeFileSync(join(dir, 'good.acl'), 'topic read a/#\n');
    writeFileSync(join(dir, 'bad.acl'), 'topik read a/#\n');
    assert.ok(loadBrokerConfig({ ACL_FILE: join(dir, 'good.acl') }).acl);
    assert.throws(() => loadBrokerConfig({ ACL_FILE: join(dir, 'bad.acl') }), /ACL_FILE=.*line 1: unknown keyword "topik"/);
    // A malformed filter would match more than it says: the file does not load.
    writeFileSync(join(dir, 'malformed.acl'), 'topic read a/#\npattern readwrite clients/#/%c\n');
    assert.throws(() => loadBrokerConfig({ ACL_FILE: join(dir, 'malformed.acl') }), /line 2: "clients\/#\/%c" is not a topic filter/);
  });
});

describe('loadBrokerConfig: the LDAP directory (ldap in AUTH_CHAIN, ADMIN_LDAP)', () => {
  const direct = { AUTH_CHAIN: 'ldap,local', LDAP_URL: 'ldap://ldap.example.org', LDAP_BIND_DN_TEMPLATE: 'uid=%u,ou=people,dc=example,dc=org' };
  const search = { AUTH_CHAIN: 'ldap', LDAP_URL: 'ldaps://ldap.example.org:636', LDAP_SEARCH_BASE: 'ou=people,dc=example,dc=org', LDAP_BIND_DN: 'cn=reader,dc=example,dc=org', LDAP_BIND_PASSWORD: 'pw' };
  const refuses = (env: Record<string, string>, message: RegExp): void => {
    assert.throws(() => loadBrokerConfig(env), (e: unknown) => e instanceof ConfigError && message.test(e.message), JSON.stringify(env));
  };

  it('has the documented defaults', () => {
    const c = loadBrokerConfig(direct);
    assert.deepEqual(
      [c.ldapStartTls, c.ldapTlsVerify, c.ldapSearchFilter, c.ldapUsernameAttribute, c.ldapGroupSearchFilter, c.ldapGroupAttribute, c.ldapTimeout, c.ldapCacheTtl, c.ldapCacheEntries, c.ldapMaxConnections, c.adminLdap],
      [false, true, '(uid=%u)', 'uid', '(member=%d)', 'memberOf', 5, 60, 10_000, 8, false],
    );
    assert.deepEqual(c.ldapGroupRoles, []);
    assert.equal(loadBrokerConfig(search).ldapBindPassword, 'pw');
  });

  it('reads LDAP_GROUP_ROLES as <group DN>:<role> entries separated by ";"', () => {
    const c = loadBrokerConfig({ ...search, LDAP_GROUP_ROLES: 'cn=mqtt-admins,ou=groups,dc=example,dc=org:admin;cn=ops,ou=groups,dc=example,dc=org:ops' });
    assert.deepEqual(c.ldapGroupRoles, [
      { group: 'cn=mqtt-admins,ou=groups,dc=example,dc=org', role: 'admin' },
      { group: 'cn=ops,ou=groups,dc=example,dc=org', role: 'ops' },
    ]);
  });

  it('refuses LDAP_* settings while nothing uses the directory, like a JWT key or hook URL without its authenticator', () => {
    refuses({ LDAP_URL: 'ldap://x' }, /^LDAP_URL is set, but AUTH_CHAIN \(local\) does not name ldap and ADMIN_LDAP is off: add it, e\.g\. AUTH_CHAIN=ldap,local, or set ADMIN_LDAP=true$/);
    refuses({ LDAP_BIND_PASSWORD: 'pw' }, /^LDAP_BIND_PASSWORD is set, but AUTH_CHAIN/);
    // At their defaults, as .env.example writes them, the others change nothing.
    assert.equal(loadBrokerConfig({ LDAP_STARTTLS: 'false', LDAP_TLS_VERIFY: 'true', LDAP_SEARCH_FILTER: '(uid=%u)', LDAP_TIMEOUT: '5' }).ldapUrl, undefined);
    assert.equal(loadBrokerConfig({ ...direct, LDAP_SEARCH_FILTER: '(uid=%u)', LDAP_TLS_VERIFY: 'true', LDAP_GROUP_ATTRIBUTE: 'memberOf' }).ldapBindDnTemplate, direct.LDAP_BIND_DN_TEMPLATE);
  });

  it('refuses missing and contradictory settings with a line naming them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nestmq-ldap-'));
    writeFileSync(join(dir, 'not-pem.txt'), 'hello');
    for (const [env, message] of [
      [{ AUTH_CHAIN: 'ldap' }, /^AUTH_CHAIN names ldap: set LDAP_URL/],
      [{ ADMIN_LDAP: 'true' }, /^ADMIN_LDAP=true: set LDAP_URL/],
      [{ ...direct, LDAP_URL: 'http://ldap.example.org' }, /^LDAP_URL=http:\/\/ldap\.example\.org: expected ldap:\/\/host\[:port\] or ldaps:\/\/host\[:port\]/],
      [{ ...direct, LDAP_URL: 'ldap://h/dc=example,dc=org' }, /the base DN goes in LDAP_SEARCH_BASE/],
      [{ ...direct, LDAP_URL: 'ldaps://h', LDAP_STARTTLS: 'true' }, /^LDAP_STARTTLS=true with an ldaps:\/\/ LDAP_URL/],
      [{ ...direct, LDAP_TLS_CA_FILE: join(dir, 'not-pem.txt'), LDAP_STARTTLS: 'true' }, /LDAP_TLS_CA_FILE=.*: no PEM certificate/],
      [{ ...direct, LDAP_TLS_VERIFY: 'false' }, /^LDAP_TLS_VERIFY=false, but LDAP_URL=ldap:\/\/ldap\.example\.org is not TLS/],
      [{ AUTH_CHAIN: 'ldap', LDAP_URL: 'ldap://h' }, /^AUTH_CHAIN names ldap: set LDAP_BIND_DN_TEMPLATE .* or LDAP_SEARCH_BASE with LDAP_BIND_DN and LDAP_BIND_PASSWORD/],
      [{ ...direct, LDAP_BIND_DN_TEMPLATE: 'uid=alice,dc=x' }, /^LDAP_BIND_DN_TEMPLATE=uid=alice,dc=x: expected a DN with %u/],
      [{ ...direct, LDAP_SEARCH_BASE: 'dc=x' }, /^LDAP_BIND_DN_TEMPLATE and LDAP_SEARCH_BASE are two ways/],
      [{ ...direct, LDAP_SEARCH_FILTER: '(mail=%u)' }, /^LDAP_BIND_DN_TEMPLATE and LDAP_SEARCH_FILTER are two ways/],
      [{ ...search, LDAP_BIND_DN: undefined, LDAP_BIND_PASSWORD: undefined }, /^LDAP_SEARCH_BASE is set: searching for users needs a service account/],
      [{ ...search, LDAP_BIND_PASSWORD: undefined }, /^LDAP_BIND_DN is set without LDAP_BIND_PASSWORD/],
      [{ ...direct, LDAP_BIND_PASSWORD: 'pw' }, /^LDAP_BIND_PASSWORD is set without LDAP_BIND_DN/],
      [{ ...search, LDAP_BIND_DN: 'reader' }, /^LDAP_BIND_DN=reader: not a DN/],
      [{ ...search, LDAP_SEARCH_FILTER: '(uid=alice)' }, /^LDAP_SEARCH_FILTER=\(uid=alice\): the filter never names the user/],
      [{ ...search, LDAP_SEARCH_FILTER: '(uid=%u' }, /^LDAP_SEARCH_FILTER=\(uid=%u: not an LDAP filter/],
      [{ ...search, LDAP_GROUP_ROLES: 'admins:admin' }, /^LDAP_GROUP_ROLES: "admins:admin": "admins" is not a DN/],
      [{ ...search, LDAP_GROUP_SEARCH_BASE: 'ou=groups,dc=x' }, /^LDAP_GROUP_SEARCH_BASE is set, but LDAP_GROUP_ROLES maps no group to a role/],
      [{ ...search, LDAP_GROUP_ROLES: 'cn=a,dc=x:admin', LDAP_GROUP_SEARCH_FILTER: '(uniqueMember=%d)' }, /^LDAP_GROUP_SEARCH_FILTER is set without LDAP_GROUP_SEARCH_BASE/],
      [{ ...search, LDAP_GROUP_ROLES: 'cn=a,dc=x:admin', LDAP_GROUP_SEARCH_BASE: 'dc=x', LDAP_GROUP_ATTRIBUTE: 'isMemberOf' }, /^LDAP_GROUP_SEARCH_BASE and LDAP_GROUP_ATTRIBUTE are two ways/],
      [{ ...search, LDAP_GROUP_ATTRIBUTE: 'isMemberOf' }, /^LDAP_GROUP_ATTRIBUTE is set, but LDAP_GROUP_ROLES maps no group/],
      [{ ...direct, LDAP_TIMEOUT: '0' }, /^LDAP_TIMEOUT=0: expected a duration above 0/],
      [{ ...direct, LDAP_MAX_CONNECTIONS: '0' }, /^LDAP_MAX_CONNECTIONS=0: expected an integer from 1/],
      [{ ...direct, AUTH_CHAIN: 'local', ADMIN_LDAP: 'true', LDAP_GROUP_ROLES: 'cn=a,dc=x:admin' }, /^ADMIN_LDAP=true needs a service account/],
      [{ ...search, ADMIN_LDAP: 'true', LDAP_GROUP_ROLES: 'cn=a,dc=x:ops' }, /^ADMIN_LDAP=true, but LDAP_GROUP_ROLES gives no group the admin or viewer role/],
      [{ ...search, ADMIN_LDAP: 'true', LDAP_GROUP_ROLES: 'cn=a,dc=x:admin', LDAP_SEARCH_FILTER: '(mail=%u)' }, /^ADMIN_LDAP=true: LDAP_SEARCH_FILTER=\(mail=%u\) must find users by LDAP_USERNAME_ATTRIBUTE, e\.g\. \(uid=%u\)/],
      [{ ...direct, ...search, LDAP_SEARCH_BASE: undefined, LDAP_URL: 'ldap://h', LDAP_BIND_DN_TEMPLATE: 'cn=%u,dc=x', ADMIN_LDAP: 'true', LDAP_GROUP_ROLES: 'cn=a,dc=x:admin' }, /^ADMIN_LDAP=true: LDAP_BIND_DN_TEMPLATE=cn=%u,dc=x must name users by LDAP_USERNAME_ATTRIBUTE \(uid=%u,\.\.\.\)/],
    ] as const) {
      refuses(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<string, string>, message);
    }
  });

  it('lets the admin API alone use the directory', () => {
    const c = loadBrokerConfig({ ...search, AUTH_CHAIN: 'local', ADMIN_LDAP: 'true', LDAP_GROUP_ROLES: 'cn=a,dc=x:viewer' });
    assert.deepEqual([c.authChain, c.adminLdap, c.ldapUrl], [['local'], true, 'ldaps://ldap.example.org:636']);
    // Signing in by mail is fine when the identity is the mail too: a refresh finds the user by it.
    assert.equal(loadBrokerConfig({ ...search, ADMIN_LDAP: 'true', LDAP_GROUP_ROLES: 'cn=a,dc=x:admin', LDAP_SEARCH_FILTER: '(&(objectClass=person)(mail=%u))', LDAP_USERNAME_ATTRIBUTE: 'mail' }).ldapUsernameAttribute, 'mail');
  });
});
