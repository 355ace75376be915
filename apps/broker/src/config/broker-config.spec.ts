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

  it('offers SCRAM-SHA-256 by default when local users are in AUTH_CHAIN, none otherwise; AUTH_METHODS decides when set', () => {
    assert.deepEqual(loadBrokerConfig({}).authMethods, ['SCRAM-SHA-256']);
    assert.deepEqual(loadBrokerConfig({ AUTH_CHAIN: 'http,local', AUTH_HTTP_URL: 'http://127.0.0.1:9/a' }).authMethods, ['SCRAM-SHA-256']);
    assert.deepEqual(loadBrokerConfig({ AUTH_CHAIN: 'http', AUTH_HTTP_URL: 'http://127.0.0.1:9/a' }).authMethods, []);
    assert.deepEqual(loadBrokerConfig({ AUTH_CHAIN: 'http', AUTH_HTTP_URL: 'http://127.0.0.1:9/a', AUTH_METHODS: 'SCRAM-SHA-256' }).authMethods, ['SCRAM-SHA-256']);
    assert.deepEqual(loadBrokerConfig({ AUTH_METHODS: 'none' }).authMethods, []);
    assert.deepEqual(loadBrokerConfig({ AUTH_METHODS: ' ' }).authMethods, ['SCRAM-SHA-256'], 'blank is unset');
    assert.equal(loadBrokerConfig({}).scramIterations, 4096);
    assert.equal(loadBrokerConfig({ AUTH_SCRAM_ITERATIONS: '600000' }).scramIterations, 600000);
  });

  for (const [name, value, message] of [
    ['AUTH_METHODS', 'scram-sha-256', /AUTH_METHODS=scram-sha-256: "scram-sha-256" is not an authentication method \(expected SCRAM-SHA-256, or none\)/],
    ['AUTH_METHODS', 'SCRAM-SHA-1', /"SCRAM-SHA-1" is not an authentication method/],
    ['AUTH_METHODS', 'SCRAM-SHA-256,SCRAM-SHA-256', /AUTH_METHODS=SCRAM-SHA-256,SCRAM-SHA-256: a method is named twice/],
    ['AUTH_SCRAM_ITERATIONS', '1000', /AUTH_SCRAM_ITERATIONS=1000: expected an integer from 4096 to 10000000/],
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

  it('reads client certificate settings: required by default with TLS_CA_FILE, TLS_IDENTITY only with cert in AUTH_CHAIN', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nestmq-tls-'));
    for (const f of ['cert.pem', 'key.pem', 'ca.pem']) writeFileSync(join(dir, f), 'pem');
    const tls = { MQTTS_PORT: '8883', TLS_CERT_FILE: join(dir, 'cert.pem'), TLS_KEY_FILE: join(dir, 'key.pem'), TLS_CA_FILE: join(dir, 'ca.pem') };
    assert.deepEqual([loadBrokerConfig(tls).tlsClientCert, loadBrokerConfig(tls).tlsIdentity], ['required', undefined]);
    const c = loadBrokerConfig({ ...tls, TLS_CLIENT_CERT: 'Optional', TLS_IDENTITY: 'SAN-URI', AUTH_CHAIN: 'cert,local' });
    assert.deepEqual([c.tlsClientCert, c.tlsIdentity, c.authChain], ['optional', 'san-uri', ['cert', 'local']]);
    const refused = (env: Record<string, string>, message: RegExp): void =>
      assert.throws(() => loadBrokerConfig(env), (e: unknown) => e instanceof ConfigError && message.test(e.message));
    refused({ ...tls, TLS_IDENTITY: 'cn' }, /TLS_IDENTITY=cn is set, but AUTH_CHAIN \(local\) does not name cert: add it, e\.g\. AUTH_CHAIN=cert,local/);
    refused({ ...tls, AUTH_CHAIN: 'cert' }, /AUTH_CHAIN names cert: set TLS_IDENTITY/);
    refused({ ...tls, TLS_IDENTITY: 'serial', AUTH_CHAIN: 'cert' }, /TLS_IDENTITY=serial: expected off or one of cn, san-dns, san-email, san-uri/);
    refused({ ...tls, TLS_CLIENT_CERT: 'sometimes' }, /TLS_CLIENT_CERT=sometimes: expected required or optional/);
    refused({ ...tls, TLS_CA_FILE: '', TLS_IDENTITY: 'cn', AUTH_CHAIN: 'cert' }, /TLS_IDENTITY=cn: client certificates need MQTTS_PORT and TLS_CA_FILE/);
    refused({ TLS_CLIENT_CERT: 'optional' }, /TLS_CLIENT_CERT=optional: client certificates need MQTTS_PORT and TLS_CA_FILE/);
  });

  it('reads the ACL hook settings, off by default, independent of AUTH_CHAIN', () => {
    const off = loadBrokerConfig({});
    assert.deepEqual([off.httpAclUrl, off.httpAclTimeout, off.httpAclCacheTtl, off.httpAclCacheEntries], [undefined, 5, 60, 1000]);
    const c = loadBrokerConfig({ AUTH_HTTP_ACL_URL: 'http://127.0.0.1:9/acl', AUTH_HTTP_ACL_TIMEOUT: '0.5', AUTH_HTTP_ACL_CACHE_TTL: '5m', AUTH_HTTP_ACL_CACHE_ENTRIES: '10' });
    assert.deepEqual([c.httpAclUrl, c.httpAclTimeout, c.httpAclCacheTtl, c.httpAclCacheEntries], ['http://127.0.0.1:9/acl', 0.5, 300, 10]);
    const refused = (env: Record<string, string>, message: RegExp): void =>
      assert.throws(() => loadBrokerConfig(env), (e: unknown) => e instanceof ConfigError && message.test(e.message));
    refused({ AUTH_HTTP_ACL_URL: 'ftp://x/acl' }, /AUTH_HTTP_ACL_URL=ftp:\/\/x\/acl: expected an http:\/\/ or https:\/\/ URL/);
    refused({ AUTH_HTTP_ACL_TIMEOUT: '0' }, /AUTH_HTTP_ACL_TIMEOUT=0: expected a duration above 0/);
    refused({ AUTH_HTTP_ACL_CACHE_ENTRIES: '0' }, /AUTH_HTTP_ACL_CACHE_ENTRIES=0: expected an integer from 1/);
  });

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

  it('reads admin single sign-on (OIDC_*): off by default, and a provider needs its client and the public address', () => {
    const off = loadBrokerConfig({});
    assert.deepEqual([off.oidcIssuer, off.oidcScopes, off.oidcRoleClaim, off.oidcAdminValues, off.oidcViewerValues, off.oidcLabel, off.oidcTimeout, off.oidcSessionLifetime], [undefined, 'openid profile email', 'groups', ['admin'], ['viewer'], 'SSO', 10, 12 * 3600]);
    const on = loadBrokerConfig({
      OIDC_ISSUER: 'https://idp.example.com/realms/ops',
      OIDC_CLIENT_ID: 'nestmq',
      OIDC_CLIENT_SECRET: 's3cret',
      OIDC_PUBLIC_URL: 'https://mqtt.example.com',
      OIDC_ROLE_CLAIM: 'realm_access.roles',
      OIDC_ADMIN_VALUES: 'mqtt-admin, ops-lead',
      OIDC_VIEWER_VALUES: '',
      OIDC_SESSION_LIFETIME: '8h',
    });
    assert.deepEqual([on.oidcIssuer, on.oidcClientSecret, on.oidcRoleClaim, on.oidcAdminValues, on.oidcViewerValues, on.oidcSessionLifetime], ['https://idp.example.com/realms/ops', 's3cret', 'realm_access.roles', ['mqtt-admin', 'ops-lead'], [], 8 * 3600]);
    const refused = (env: Record<string, string>, message: string): void => assert.throws(() => loadBrokerConfig(env), (e: unknown) => e instanceof ConfigError && e.message === message);
    const issuer = { OIDC_ISSUER: 'https://idp.example.com', OIDC_CLIENT_ID: 'nestmq', OIDC_PUBLIC_URL: 'https://mqtt.example.com' };
    refused({ ...issuer, OIDC_CLIENT_ID: '' }, 'OIDC_ISSUER is set: set OIDC_CLIENT_ID, the client registered at the provider');
    refused({ ...issuer, OIDC_PUBLIC_URL: '' }, "OIDC_ISSUER is set: set OIDC_PUBLIC_URL, the admin UI's address as browsers reach it (e.g. https://mqtt.example.com)");
    refused({ ...issuer, OIDC_ISSUER: 'http://idp.example.com' }, 'OIDC_ISSUER=http://idp.example.com: expected an https:// URL (http:// only for localhost)');
    refused({ ...issuer, OIDC_ISSUER: 'idp.example.com' }, 'OIDC_ISSUER=idp.example.com: not a URL');
    refused({ ...issuer, OIDC_ADMIN_VALUES: ' ', OIDC_VIEWER_VALUES: '' }, 'OIDC_ADMIN_VALUES and OIDC_VIEWER_VALUES are both empty: nobody could sign in');
    refused({ ...issuer, OIDC_TIMEOUT: '0' }, 'OIDC_TIMEOUT=0: expected a duration above 0');
    refused({ OIDC_CLIENT_ID: 'nestmq' }, "OIDC_CLIENT_ID, OIDC_CLIENT_SECRET or OIDC_PUBLIC_URL is set without OIDC_ISSUER: set the provider's issuer URL to use single sign-on");
    assert.equal(loadBrokerConfig({ ...issuer, OIDC_ISSUER: 'http://127.0.0.1:9000', OIDC_PUBLIC_URL: 'http://localhost:8080' }).oidcIssuer, 'http://127.0.0.1:9000');
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
