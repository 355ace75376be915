import { isValidTopicFilter } from '@nestmq/mqtt-protocol';
import { defaultPasswordThreads, passwordThreadsProblem } from '@nestmq/persistence';
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AclSyntaxError, TopicAcl } from '../auth/topic-acl';
import type { NoMatch } from '../auth/topic-access';
import { AUTHENTICATOR_NAMES, AuthenticatorName } from '../auth/chain/chain-member';
import { CERTIFICATE_IDENTITY_KINDS, CertificateIdentityKind } from '../auth/cert/certificate-identity';
import { LOG_FORMATS, LOG_LEVELS, LogFormat, LogLevel } from '../logging/log-settings';
import { LdapConfig, ldapConfig } from './ldap-config';

/** The broker's configuration, read from the environment once, before Nest starts. */
export interface BrokerConfig extends LdapConfig {
  /** Address the listeners bind to. */
  host: string;
  /** MQTT over TCP; null = off (MQTT_PORT=0). A programmatic 0 binds an ephemeral port. */
  mqttPort: number | null;
  /** MQTT over TLS; null = off. Needs tlsCertFile and tlsKeyFile. */
  mqttsPort: number | null;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  /** When set, clients are asked for a certificate signed by this CA (see tlsClientCert). */
  tlsCaFile?: string;
  /** With tlsCaFile: `required` refuses the TLS handshake without a certificate of that CA; `optional` lets it through without an identity. */
  tlsClientCert: 'required' | 'optional';
  /** Which part of a verified client certificate names the user (`cert` in AUTH_CHAIN); undefined = none. */
  tlsIdentity?: CertificateIdentityKind;
  /** MQTT over WebSocket at /mqtt; null = off. */
  wsPort: number | null;
  /** The admin API (GraphQL, REST, /health, /ready, /metrics); null = off (HTTP_PORT=0). A programmatic 0 binds an ephemeral port. */
  httpPort: number | null;
  /** Sensitive: signs admin API tokens. Undefined = a secret generated once into DATA_DIR. */
  adminJwtSecret?: string;
  /** GraphQL introspection (and with it the schema browsing tools) on the admin API. */
  graphqlIntrospection: boolean;
  /** The Swagger UI of the REST admin API at /api/v1/docs (its OpenAPI document is always served). */
  adminApiDocs: boolean;
  /** The built admin UI served at HTTP_PORT /; undefined = apps/admin-ui's build beside the broker. */
  adminUiDir?: string;
  /** Messages a second each admin's live message feed shows at most; the rest are counted as skipped. */
  adminLiveMaxRate: number;
  allowAnonymous: boolean;
  /** The authenticators asked at CONNECT, in order (AUTH_CHAIN): the first definite answer wins. */
  authChain: readonly AuthenticatorName[];
  /**
   * MQTT 5 enhanced authentication methods offered (AUTH_METHODS); a CONNECT naming another gets CONNACK
   * 0x8C. SCRAM-SHA-256 checks the local users (AUTH_USERS and the users table) whatever AUTH_CHAIN says.
   */
  authMethods: readonly EnhancedAuthMethod[];
  /** PBKDF2 iterations of the SCRAM-SHA-256 credentials made when a password is set (AUTH_SCRAM_ITERATIONS). */
  scramIterations: number;
  /** `jwt` in AUTH_CHAIN: where its keys come from (exactly one of the three when it is used). */
  jwtJwksUrl?: string;
  /** Sensitive: an HMAC secret (HS256/384/512); never logged or shown. */
  jwtSecret?: string;
  /** A PEM public key (or certificate) file, checked at start-up. */
  jwtPublicKeyFile?: string;
  jwtIssuer?: string;
  jwtAudience?: string;
  /** Seconds of clock skew allowed on `exp` and `nbf`. */
  jwtClockTolerance: number;
  jwtUsernameClaim: string;
  jwtRolesClaim: string;
  jwtAclClaim: string;
  /** When a token expires while its client is connected: `disconnect` (0x87) or `ignore`. */
  jwtExpiry: 'disconnect' | 'ignore';
  /** Seconds between two JWKS fetches at least (an unknown `kid` fetches again only after it). */
  jwtJwksRefreshInterval: number;
  /** Seconds a JWKS fetch may take. */
  jwtJwksTimeout: number;
  /** Seconds a fetched JWKS is used before it is fetched again. */
  jwtJwksCacheMaxAge: number;
  /** `http` in AUTH_CHAIN: the hook the credentials are POSTed to. */
  httpUrl?: string;
  /** Seconds the hook may take. */
  httpTimeout: number;
  /** Seconds an allow of the hook is remembered (0 = never), and how many at most. */
  httpCacheTtl: number;
  httpCacheEntries: number;
  /** The HTTP ACL hook asked about publish and subscribe (AUTH_HTTP_ACL_URL); undefined = none. */
  httpAclUrl?: string;
  /** Seconds the ACL hook may take; beyond, the action is refused with 0x80. */
  httpAclTimeout: number;
  /** Seconds a connection remembers the ACL hook's answer for a topic (0 = never), and for how many topics at most. */
  httpAclCacheTtl: number;
  httpAclCacheEntries: number;
  /**
   * Admin single sign-on with OpenID Connect (authorization code + PKCE); on when oidcIssuer is set.
   * The issuer's discovery document says where its endpoints are.
   */
  oidcIssuer?: string;
  oidcClientId?: string;
  /** Sensitive: the client's secret at the provider; undefined = a public client (PKCE alone). */
  oidcClientSecret?: string;
  /** The admin UI's address as browsers reach it: the callback is <oidcPublicUrl>/api/v1/auth/oidc/callback. */
  oidcPublicUrl?: string;
  oidcScopes: string;
  /** The claim that names the user in audit entries (shown as `oidc:<value>`; `sub` when it is absent). */
  oidcUsernameClaim: string;
  /** The claim holding the user's roles or groups (a name, or a dotted path such as realm_access.roles). */
  oidcRoleClaim: string;
  /** Values of that claim that give the admin role, and the viewer role; admin wins when both match. */
  oidcAdminValues: readonly string[];
  oidcViewerValues: readonly string[];
  /** What the sign-in button says after "Sign in with". */
  oidcLabel: string;
  /** Seconds a request to the provider may take. */
  oidcTimeout: number;
  /** Seconds a single sign-on login lasts, refreshes included, before the user signs in at the provider again. */
  oidcSessionLifetime: number;
  /** Static users, `name:password` pairs. */
  users: ReadonlyMap<string, string>;
  /** Topic access rules from ACL_FILE (read-only; the admin API's rules come first); null: no file. */
  acl: TopicAcl | null;
  /** What an action no rule speaks of gets when there is no ACL file (with one, the file refuses it). */
  aclNoMatch: NoMatch;
  /** Cap on a client's Keep Alive; a larger or zero request is answered with Server Keep Alive. */
  maxKeepAlive: number;
  /** Largest packet accepted, announced as Maximum Packet Size. */
  maxPacketSize: number;
  /** How many unacknowledged QoS 1/2 PUBLISH a client may send us, announced as Receive Maximum. */
  receiveMaximum: number;
  /** Topic aliases a client may use towards us, announced as Topic Alias Maximum. */
  topicAliasMaximum: number;
  /** Messages kept per session while offline or beyond the inflight window. */
  maxQueuedMessages: number;
  /** Bytes of QoS 1/2 messages a session holds at most, in flight and queued (one message always fits). */
  maxQueuedBytes: number;
  /** Server cap on a client's outbound window: QoS 1/2 messages unacknowledged at once, below its Receive Maximum. */
  maxInflightMessages: number;
  /** Levels a Topic Name or Filter may have: deeper PUBLISH 0x90, deeper subscription 0x8F. */
  maxTopicLevels: number;
  /** User Properties one property set may carry (0x97 beyond). */
  maxUserProperties: number;
  /** Bytes one property set may hold (0x97 beyond). */
  maxPropertyBytes: number;
  /** CONNECTs awaiting their authentication answer at once, in total and per client address (0x89 beyond). */
  maxPendingConnects: number;
  maxPendingConnectsPerAddress: number;
  /** Open connections one address (an IPv6 /64) may have; a new one beyond is closed at once. 0 = no cap. */
  maxConnectionsPerIp: number;
  /**
   * Failed logins an address (an IPv6 /64) and a user name may have in a burst before further CONNECTs
   * from it or for it are refused unchecked with 0x9F; 0 = no limit of that kind.
   */
  loginFailuresPerAddress: number;
  loginFailuresPerUser: number;
  /** Seconds in which a full burst of failed logins drains away; 0 = no login throttling. */
  loginFailureWindow: number;
  /** Bytes each login-failure table (addresses, user names) may hold; the least recently failed are forgotten first. */
  loginThrottleBytes: number;
  /** Bytes of topic names each per-topic cache (routes, history decisions) may hold before it starts over. */
  topicCacheBytes: number;
  /** Bytes of topic names a connection's Topic Aliases may hold, each direction (inbound beyond: 0x97). */
  maxTopicAliasBytes: number;
  /** Bytes of QoS 0 output a slow subscriber may have pending before QoS 0 messages are dropped. */
  maxPendingBytes: number;
  /** Bytes of unfinished CONNECTs all connections may hold together; the one that would pass it is closed. */
  maxConnectingBytes: number;
  /** Seconds a new connection has to send CONNECT. */
  connectTimeout: number;
  /** Cap on Session Expiry Interval in seconds; undefined = none. */
  maxSessionExpiry?: number;
  /** Retained messages held at most, in count and in bytes: a new retained topic beyond them gets 0x97. */
  maxRetainedMessages: number;
  maxRetainedBytes: number;
  /** Sessions held at once, online and offline: a CONNECT that would create one more gets 0x97. */
  maxSessions: number;
  /**
   * A CONNECT with the client identifier of a session another user owns: `refuse` (0x87 Not authorized,
   * the session and its connection untouched), or `clean` (that session ends, a new one starts).
   */
  sessionUserMismatch: 'refuse' | 'clean';
  /** Subscriptions one session may hold, in count and in bytes of filters: a new one beyond gets 0x97 in SUBACK. */
  maxSubscriptions: number;
  maxSubscriptionBytes: number;
  /** Longest Client Identifier accepted, in bytes (0x85 beyond). */
  maxClientIdBytes: number;
  /** Seconds between $SYS updates; 0 = off. */
  sysInterval: number;
  maximumQoS: 0 | 1 | 2;
  retainAvailable: boolean;
  logLevel: LogLevel;
  /** `pretty` lines for people, or `json` lines for log collectors (the Docker image's default). */
  logFormat: LogFormat;
  /** postgres://... ; undefined = the embedded PostgreSQL server in dataDir. */
  databaseUrl?: string;
  /** Embedded database and other local state. */
  dataDir: string;
  /** bcrypt cost factor for new password hashes. */
  bcryptCost: number;
  /** Passwords hashed and checked at once, on libuv's thread pool, off the event loop (at most UV_THREADPOOL_SIZE - 2). */
  bcryptThreads: number;
  /** The first admin user, created when no admin exists. */
  adminUsername: string;
  /** Sensitive: never logged. Undefined = generate one and print it once. */
  adminPassword?: string;
  /** Topic filters whose messages are recorded in the history; empty = recording off. */
  historyTopics: string[];
  /** Seconds a recorded message is kept. */
  historyRetention: number;
  /** Recorded messages kept per topic, newest first. */
  historyMaxPerTopic: number;
  /** Records waiting to be written at most; beyond, they are dropped and counted. */
  historyBuffer: number;
  /** Bytes of records waiting to be written at most; beyond, they are dropped and counted. */
  historyBufferBytes: number;
  /** Bytes the message history keeps at most (as table_usage counts them); the oldest messages go first. */
  historyMaxBytes: number;
  /** Record connects, refusals, disconnects, takeovers, (un)subscribes and expiries in session_events. */
  sessionEvents: boolean;
  /** Seconds a session event is kept. */
  sessionEventsRetention: number;
  /** Session events waiting to be written at most; beyond, they are dropped and counted. */
  sessionEventsBuffer: number;
  /** Bytes of session events waiting to be written at most; beyond, they are dropped and counted. */
  sessionEventsBufferBytes: number;
  /** Bytes the session events keep at most (as table_usage counts them); the oldest events go first. */
  sessionEventsMaxBytes: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export type Env = Record<string, string | undefined>;

export function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name}=${raw}: expected an integer from ${min} to ${max}`);
  }
  return value;
}

/** A listener port: 0 in the environment switches the listener off. */
function port(env: Env, name: string, fallback: number): number | null {
  const value = integer(env, name, fallback, 0, 65535);
  return value === 0 ? null : value;
}

function seconds(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new ConfigError(`${name}=${raw}: expected a number of seconds >= 0`);
  return value;
}

export function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name}=${env[name]}: expected true or false`);
}

export function readableFile(env: Env, name: string): string | undefined {
  const path = env[name];
  if (path === undefined || path === '') return undefined;
  try {
    readFileSync(path);
  } catch (e) {
    throw new ConfigError(`${name}=${path}: cannot read the file (${(e as Error).message})`);
  }
  return path;
}

/** `AUTH_USERS=alice:secret,bob:p@ss`: the static user list (a password may contain ':'). */
function users(env: Env): Map<string, string> {
  const map = new Map<string, string>();
  for (const entry of (env.AUTH_USERS ?? '').split(',')) {
    if (entry.trim() === '') continue;
    const colon = entry.indexOf(':');
    if (colon <= 0) throw new ConfigError(`AUTH_USERS: "${entry.split(':')[0]}" has no password (expected name:password)`);
    const password = entry.slice(colon + 1);
    // bcrypt reads 72 bytes (PasswordHasher.MAX_PASSWORD_BYTES): a longer password would be cut silently.
    if (Buffer.byteLength(password) > 72) {
      throw new ConfigError(`AUTH_USERS: the password of "${entry.slice(0, colon).trim()}" has ${Buffer.byteLength(password)} bytes; at most 72 are allowed`);
    }
    map.set(entry.slice(0, colon).trim(), password);
  }
  return map;
}

/**
 * A backend's address or key given without the backend in AUTH_CHAIN would be ignored: someone meant
 * clients to be checked that way, and they would not be. The broker refuses to start instead.
 */
function backendsInChain(env: Env, chain: readonly AuthenticatorName[]): void {
  const given: Array<[AuthenticatorName, string]> = [
    ['jwt', 'AUTH_JWT_JWKS_URL'],
    ['jwt', 'AUTH_JWT_SECRET'],
    ['jwt', 'AUTH_JWT_PUBLIC_KEY_FILE'],
    ['http', 'AUTH_HTTP_URL'],
  ];
  for (const [name, variable] of given) {
    if (env[variable]?.trim() && !chain.includes(name)) {
      throw new ConfigError(`${variable} is set, but AUTH_CHAIN (${chain.join(',')}) does not name ${name}: add it, e.g. AUTH_CHAIN=${name},${chain.join(',')}`);
    }
  }
}

/** The enhanced authentication methods (MQTT 5 Authentication Method) the broker can offer. */
export const ENHANCED_AUTH_METHODS = ['SCRAM-SHA-256'] as const;
export type EnhancedAuthMethod = (typeof ENHANCED_AUTH_METHODS)[number];

/**
 * `AUTH_METHODS=SCRAM-SHA-256`, or `none`. Unset: SCRAM-SHA-256 when `local` is in AUTH_CHAIN, since it
 * checks the same users; none otherwise, so a broker whose chain leaves local users out does not let
 * them in by another door unless asked to.
 */
function authMethods(env: Env, chain: readonly AuthenticatorName[]): EnhancedAuthMethod[] {
  const raw = env.AUTH_METHODS?.trim();
  if (!raw) return chain.includes('local') ? ['SCRAM-SHA-256'] : [];
  if (raw.toLowerCase() === 'none') return [];
  const names = raw.split(',').map((n) => n.trim());
  for (const name of names) {
    // Authentication Method names are case-sensitive strings on the wire: SCRAM-SHA-256 exactly.
    if (!(ENHANCED_AUTH_METHODS as readonly string[]).includes(name)) {
      throw new ConfigError(`AUTH_METHODS=${raw}: "${name}" is not an authentication method (expected ${ENHANCED_AUTH_METHODS.join(', ')}, or none)`);
    }
  }
  if (new Set(names).size !== names.length) throw new ConfigError(`AUTH_METHODS=${raw}: a method is named twice`);
  return names as EnhancedAuthMethod[];
}

/** `AUTH_CHAIN=jwt,local`: known names, each at most once. */
function authChain(env: Env): AuthenticatorName[] {
  const raw = env.AUTH_CHAIN?.trim() || 'local';
  const names = raw.split(',').map((n) => n.trim().toLowerCase());
  for (const name of names) {
    if (!(AUTHENTICATOR_NAMES as readonly string[]).includes(name)) {
      throw new ConfigError(`AUTH_CHAIN=${raw}: "${name}" is not an authenticator (expected a comma-separated list of ${AUTHENTICATOR_NAMES.join(', ')})`);
    }
  }
  if (new Set(names).size !== names.length) throw new ConfigError(`AUTH_CHAIN=${raw}: an authenticator is named twice`);
  return names as AuthenticatorName[];
}

function httpUrl(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name}=${raw}: not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`${name}=${raw}: expected an http:// or https:// URL`);
  return raw;
}

function text(env: Env, name: string, fallback: string): string {
  return env[name]?.trim() || fallback;
}

/**
 * Client certificates: TLS_CLIENT_CERT and TLS_IDENTITY need TLS_CA_FILE (and so MQTTS_PORT) to mean
 * anything; `cert` in AUTH_CHAIN needs TLS_IDENTITY, and TLS_IDENTITY needs `cert`, or the identity
 * someone asked for would silently not be used.
 */
function clientCertificates(
  env: Env,
  chain: readonly AuthenticatorName[],
  mqttsPort: number | null,
  tlsCaFile: string | undefined,
): Pick<BrokerConfig, 'tlsClientCert' | 'tlsIdentity'> {
  const mode = text(env, 'TLS_CLIENT_CERT', 'required').toLowerCase();
  if (mode !== 'required' && mode !== 'optional') throw new ConfigError(`TLS_CLIENT_CERT=${env.TLS_CLIENT_CERT}: expected required or optional`);
  if (mode === 'optional' && (tlsCaFile === undefined || mqttsPort === null)) {
    throw new ConfigError('TLS_CLIENT_CERT=optional: client certificates need MQTTS_PORT and TLS_CA_FILE');
  }
  const kind = text(env, 'TLS_IDENTITY', 'off').toLowerCase();
  if (kind !== 'off' && !(CERTIFICATE_IDENTITY_KINDS as readonly string[]).includes(kind)) {
    throw new ConfigError(`TLS_IDENTITY=${env.TLS_IDENTITY}: expected off or one of ${CERTIFICATE_IDENTITY_KINDS.join(', ')}`);
  }
  const tlsIdentity = kind === 'off' ? undefined : (kind as CertificateIdentityKind);
  if (tlsIdentity !== undefined && (tlsCaFile === undefined || mqttsPort === null)) {
    throw new ConfigError(`TLS_IDENTITY=${kind}: client certificates need MQTTS_PORT and TLS_CA_FILE`);
  }
  if (tlsIdentity !== undefined && !chain.includes('cert')) {
    throw new ConfigError(`TLS_IDENTITY=${kind} is set, but AUTH_CHAIN (${chain.join(',')}) does not name cert: add it, e.g. AUTH_CHAIN=cert,${chain.join(',')}`);
  }
  if (tlsIdentity === undefined && chain.includes('cert')) throw new ConfigError('AUTH_CHAIN names cert: set TLS_IDENTITY (cn, san-dns, san-email or san-uri)');
  return { tlsClientCert: mode, tlsIdentity };
}

/** The HTTP ACL hook's settings: independent of AUTH_CHAIN, it checks every client's publish and subscribe. */
function httpAclHook(env: Env): Pick<BrokerConfig, 'httpAclUrl' | 'httpAclTimeout' | 'httpAclCacheTtl' | 'httpAclCacheEntries'> {
  return {
    httpAclUrl: httpUrl(env, 'AUTH_HTTP_ACL_URL'),
    httpAclTimeout: positive(env, 'AUTH_HTTP_ACL_TIMEOUT', 5),
    httpAclCacheTtl: duration(env, 'AUTH_HTTP_ACL_CACHE_TTL', 60),
    httpAclCacheEntries: integer(env, 'AUTH_HTTP_ACL_CACHE_ENTRIES', 1000, 1, 1_000_000),
  };
}

/** The JWT authenticator's settings; with `jwt` in the chain, exactly one key source is required. */
function jwt(env: Env, chain: readonly AuthenticatorName[]): Pick<
  BrokerConfig,
  | 'jwtJwksUrl' | 'jwtSecret' | 'jwtPublicKeyFile' | 'jwtIssuer' | 'jwtAudience' | 'jwtClockTolerance' | 'jwtUsernameClaim'
  | 'jwtRolesClaim' | 'jwtAclClaim' | 'jwtExpiry' | 'jwtJwksRefreshInterval' | 'jwtJwksTimeout' | 'jwtJwksCacheMaxAge'
> {
  const jwtJwksUrl = httpUrl(env, 'AUTH_JWT_JWKS_URL');
  const jwtSecret = env.AUTH_JWT_SECRET || undefined;
  if (jwtSecret !== undefined && jwtSecret.length < 32) throw new ConfigError('AUTH_JWT_SECRET: expected 32 characters or more');
  const jwtPublicKeyFile = readableFile(env, 'AUTH_JWT_PUBLIC_KEY_FILE');
  if (jwtPublicKeyFile !== undefined) {
    try {
      createPublicKey(readFileSync(jwtPublicKeyFile));
    } catch {
      throw new ConfigError(`AUTH_JWT_PUBLIC_KEY_FILE=${jwtPublicKeyFile}: not a PEM public key or certificate`);
    }
  }
  const sources = [jwtJwksUrl, jwtSecret, jwtPublicKeyFile].filter((s) => s !== undefined).length;
  if (chain.includes('jwt') && sources !== 1) {
    throw new ConfigError('AUTH_CHAIN names jwt: set exactly one of AUTH_JWT_JWKS_URL, AUTH_JWT_SECRET and AUTH_JWT_PUBLIC_KEY_FILE');
  }
  const jwtExpiry = text(env, 'AUTH_JWT_EXPIRY', 'disconnect').toLowerCase();
  if (jwtExpiry !== 'disconnect' && jwtExpiry !== 'ignore') throw new ConfigError(`AUTH_JWT_EXPIRY=${env.AUTH_JWT_EXPIRY}: expected disconnect or ignore`);
  return {
    jwtJwksUrl,
    jwtSecret,
    jwtPublicKeyFile,
    jwtIssuer: env.AUTH_JWT_ISSUER?.trim() || undefined,
    jwtAudience: env.AUTH_JWT_AUDIENCE?.trim() || undefined,
    jwtClockTolerance: duration(env, 'AUTH_JWT_CLOCK_TOLERANCE', 10),
    jwtUsernameClaim: text(env, 'AUTH_JWT_USERNAME_CLAIM', 'sub'),
    jwtRolesClaim: text(env, 'AUTH_JWT_ROLES_CLAIM', 'roles'),
    jwtAclClaim: text(env, 'AUTH_JWT_ACL_CLAIM', 'acl'),
    jwtExpiry,
    jwtJwksRefreshInterval: duration(env, 'AUTH_JWT_JWKS_REFRESH_INTERVAL', 30),
    jwtJwksTimeout: positive(env, 'AUTH_JWT_JWKS_TIMEOUT', 5),
    jwtJwksCacheMaxAge: duration(env, 'AUTH_JWT_JWKS_CACHE_MAX_AGE', 600),
  };
}

/** The HTTP hook's settings; with `http` in the chain, AUTH_HTTP_URL is required. */
function httpHook(env: Env, chain: readonly AuthenticatorName[]): Pick<BrokerConfig, 'httpUrl' | 'httpTimeout' | 'httpCacheTtl' | 'httpCacheEntries'> {
  const url = httpUrl(env, 'AUTH_HTTP_URL');
  if (chain.includes('http') && url === undefined) throw new ConfigError('AUTH_CHAIN names http: set AUTH_HTTP_URL');
  return {
    httpUrl: url,
    httpTimeout: positive(env, 'AUTH_HTTP_TIMEOUT', 5),
    httpCacheTtl: duration(env, 'AUTH_HTTP_CACHE_TTL', 60),
    httpCacheEntries: integer(env, 'AUTH_HTTP_CACHE_ENTRIES', 10_000, 1, 10_000_000),
  };
}

/** Admin single sign-on; OIDC_ISSUER switches it on and then the client and the public address are required. */
function oidc(env: Env): Pick<
  BrokerConfig,
  | 'oidcIssuer' | 'oidcClientId' | 'oidcClientSecret' | 'oidcPublicUrl' | 'oidcScopes' | 'oidcUsernameClaim' | 'oidcRoleClaim'
  | 'oidcAdminValues' | 'oidcViewerValues' | 'oidcLabel' | 'oidcTimeout' | 'oidcSessionLifetime'
> {
  const issuer = httpUrl(env, 'OIDC_ISSUER');
  const publicUrl = httpUrl(env, 'OIDC_PUBLIC_URL');
  const clientId = env.OIDC_CLIENT_ID?.trim() || undefined;
  const values = (name: string, fallback: string): string[] => (env[name] ?? fallback).split(',').map((v) => v.trim()).filter((v) => v !== '');
  if (issuer !== undefined) {
    if (clientId === undefined) throw new ConfigError('OIDC_ISSUER is set: set OIDC_CLIENT_ID, the client registered at the provider');
    if (publicUrl === undefined) throw new ConfigError('OIDC_ISSUER is set: set OIDC_PUBLIC_URL, the admin UI\'s address as browsers reach it (e.g. https://mqtt.example.com)');
    // The provider's answers carry the tokens: plain http only where nothing travels off the machine.
    for (const [name, raw] of [['OIDC_ISSUER', issuer], ['OIDC_PUBLIC_URL', publicUrl]]) {
      const url = new URL(raw);
      if (url.protocol === 'http:' && !/^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(url.hostname)) {
        throw new ConfigError(`${name}=${raw}: expected an https:// URL (http:// only for localhost)`);
      }
    }
    if (values('OIDC_ADMIN_VALUES', 'admin').length + values('OIDC_VIEWER_VALUES', 'viewer').length === 0) {
      throw new ConfigError('OIDC_ADMIN_VALUES and OIDC_VIEWER_VALUES are both empty: nobody could sign in');
    }
  } else if (clientId !== undefined || env.OIDC_CLIENT_SECRET || publicUrl !== undefined) {
    throw new ConfigError('OIDC_CLIENT_ID, OIDC_CLIENT_SECRET or OIDC_PUBLIC_URL is set without OIDC_ISSUER: set the provider\'s issuer URL to use single sign-on');
  }
  return {
    oidcIssuer: issuer,
    oidcClientId: clientId,
    oidcClientSecret: env.OIDC_CLIENT_SECRET || undefined,
    oidcPublicUrl: publicUrl,
    oidcScopes: text(env, 'OIDC_SCOPES', 'openid profile email'),
    oidcUsernameClaim: text(env, 'OIDC_USERNAME_CLAIM', 'preferred_username'),
    oidcRoleClaim: text(env, 'OIDC_ROLE_CLAIM', 'groups'),
    oidcAdminValues: values('OIDC_ADMIN_VALUES', 'admin'),
    oidcViewerValues: values('OIDC_VIEWER_VALUES', 'viewer'),
    oidcLabel: text(env, 'OIDC_LABEL', 'SSO'),
    oidcTimeout: positive(env, 'OIDC_TIMEOUT', 10),
    oidcSessionLifetime: positive(env, 'OIDC_SESSION_LIFETIME', 12 * 3600),
  };
}

/** A duration above zero. */
export function positive(env: Env, name: string, fallback: number): number {
  const value = duration(env, name, fallback);
  if (value <= 0) throw new ConfigError(`${name}=${env[name]}: expected a duration above 0`);
  return value;
}

function acl(env: Env): TopicAcl | null {
  const path = readableFile(env, 'ACL_FILE');
  if (path === undefined) return null;
  try {
    return TopicAcl.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    if (e instanceof AclSyntaxError) throw new ConfigError(`ACL_FILE=${path}: ${e.message}`);
    throw e;
  }
}

/** `30s`, `15m`, `12h`, `7d`, or a number of seconds. */
export function duration(env: Env, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const match = /^(\d+(?:\.\d+)?)\s*([smhd]?)$/.exec(raw);
  if (!match) throw new ConfigError(`${name}=${raw}: expected a duration such as 30s, 15m, 12h or 7d`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

function topicFilters(env: Env, name: string, fallback: string): string[] {
  const filters = (env[name] ?? fallback).split(',').map((f) => f.trim()).filter((f) => f !== '');
  for (const f of filters) if (!isValidTopicFilter(f) || f.startsWith('$share/')) throw new ConfigError(`${name}: "${f}" is not a valid topic filter`);
  return filters;
}

function databaseUrl(env: Env): string | undefined {
  const raw = env.DATABASE_URL?.trim();
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('DATABASE_URL: not a URL (expected postgres://user:password@host:port/database)');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(`DATABASE_URL: expected a postgres:// URL, got ${url.protocol}//`);
  }
  return raw;
}

/** Reads and validates the configuration; throws ConfigError with a message naming the variable. */
export function loadBrokerConfig(env: Env = process.env): BrokerConfig {
  const mqttsPort = port(env, 'MQTTS_PORT', 0);
  const tlsCertFile = readableFile(env, 'TLS_CERT_FILE');
  const tlsKeyFile = readableFile(env, 'TLS_KEY_FILE');
  if (mqttsPort !== null && (!tlsCertFile || !tlsKeyFile)) {
    throw new ConfigError('MQTTS_PORT is set: TLS_CERT_FILE and TLS_KEY_FILE are required');
  }
  const chain = authChain(env);
  backendsInChain(env, chain);
  const tlsCaFile = readableFile(env, 'TLS_CA_FILE');
  const sessionUserMismatch = (env.SESSION_USER_MISMATCH?.trim() || 'refuse').toLowerCase();
  if (sessionUserMismatch !== 'refuse' && sessionUserMismatch !== 'clean') {
    throw new ConfigError(`SESSION_USER_MISMATCH=${env.SESSION_USER_MISMATCH}: expected refuse or clean`);
  }
  const aclNoMatch = (env.ACL_NO_MATCH?.trim() || 'allow').toLowerCase();
  if (aclNoMatch !== 'allow' && aclNoMatch !== 'deny') throw new ConfigError(`ACL_NO_MATCH=${env.ACL_NO_MATCH}: expected allow or deny`);
  const bcryptThreads = integer(env, 'BCRYPT_THREADS', defaultPasswordThreads(), 1, 64);
  const threadsProblem = passwordThreadsProblem(bcryptThreads, env.UV_THREADPOOL_SIZE);
  if (threadsProblem !== undefined) throw new ConfigError(`BCRYPT_THREADS=${bcryptThreads}: ${threadsProblem}`);
  const adminJwtSecret = env.ADMIN_JWT_SECRET || undefined;
  if (adminJwtSecret !== undefined && adminJwtSecret.length < 32) {
    throw new ConfigError(`ADMIN_JWT_SECRET: ${adminJwtSecret.length} characters; at least 32 are needed to sign tokens safely`);
  }
  const logLevel = (env.LOG_LEVEL?.trim() || 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL=${env.LOG_LEVEL}: expected one of ${LOG_LEVELS.join(', ')}`);
  }
  const logFormat = (env.LOG_FORMAT?.trim() || 'pretty').toLowerCase();
  if (!(LOG_FORMATS as readonly string[]).includes(logFormat)) {
    throw new ConfigError(`LOG_FORMAT=${env.LOG_FORMAT}: expected one of ${LOG_FORMATS.join(', ')}`);
  }
  return {
    host: env.MQTT_HOST?.trim() || '0.0.0.0',
    mqttPort: port(env, 'MQTT_PORT', 1883),
    mqttsPort,
    tlsCertFile,
    tlsKeyFile,
    tlsCaFile,
    ...clientCertificates(env, chain, mqttsPort, tlsCaFile),
    wsPort: port(env, 'WS_PORT', 8083),
    httpPort: port(env, 'HTTP_PORT', 8080),
    adminJwtSecret,
    graphqlIntrospection: bool(env, 'GRAPHQL_INTROSPECTION', false),
    adminApiDocs: bool(env, 'ADMIN_API_DOCS', false),
    adminUiDir: env.ADMIN_UI_DIR?.trim() || undefined,
    adminLiveMaxRate: integer(env, 'ADMIN_LIVE_MAX_RATE', 50, 1, 10_000),
    allowAnonymous: bool(env, 'ALLOW_ANONYMOUS', false),
    authChain: chain,
    authMethods: authMethods(env, chain),
    // RFC 7677 asks for at least 4096; each credential check costs the client this many HMACs, the server none.
    scramIterations: integer(env, 'AUTH_SCRAM_ITERATIONS', 4096, 4096, 10_000_000),
    ...jwt(env, chain),
    ...httpHook(env, chain),
    ...httpAclHook(env),
    ...oidc(env),
    ...ldapConfig(env, chain),
    users: users(env),
    acl: acl(env),
    aclNoMatch,
    maxKeepAlive: integer(env, 'MAX_KEEPALIVE', 65535, 1, 65535),
    maxPacketSize: integer(env, 'MAX_PACKET_SIZE', 16_777_216, 64, 268_435_460),
    receiveMaximum: integer(env, 'RECEIVE_MAXIMUM', 1024, 1, 65535),
    topicAliasMaximum: integer(env, 'TOPIC_ALIAS_MAXIMUM', 1024, 0, 65535),
    maxQueuedMessages: integer(env, 'MAX_QUEUED_MESSAGES', 1000, 1, 10_000_000),
    maxQueuedBytes: integer(env, 'MAX_QUEUED_BYTES', 64 * 1024 * 1024, 1024, 2 ** 40),
    maxInflightMessages: integer(env, 'MAX_INFLIGHT_MESSAGES', 256, 1, 65535),
    maxTopicLevels: integer(env, 'MAX_TOPIC_LEVELS', 128, 1, 65535),
    maxUserProperties: integer(env, 'MAX_USER_PROPERTIES', 256, 0, 10_000_000),
    maxPropertyBytes: integer(env, 'MAX_PROPERTY_BYTES', 65536, 64, 268_435_455),
    maxPendingConnects: integer(env, 'MAX_PENDING_CONNECTS', 256, 1, 1_000_000),
    maxPendingConnectsPerAddress: integer(env, 'MAX_PENDING_CONNECTS_PER_ADDRESS', 32, 1, 1_000_000),
    maxConnectionsPerIp: integer(env, 'MAX_CONNECTIONS_PER_IP', 0, 0, 10_000_000),
    loginFailuresPerAddress: integer(env, 'LOGIN_FAILURES_PER_ADDRESS', 10, 0, 1_000_000),
    loginFailuresPerUser: integer(env, 'LOGIN_FAILURES_PER_USER', 10, 0, 1_000_000),
    loginFailureWindow: duration(env, 'LOGIN_FAILURE_WINDOW', 60),
    loginThrottleBytes: integer(env, 'LOGIN_THROTTLE_BYTES', 8 * 1024 * 1024, 1024, 2 ** 40),
    topicCacheBytes: integer(env, 'TOPIC_CACHE_BYTES', 32 * 1024 * 1024, 0, 2 ** 40),
    maxTopicAliasBytes: integer(env, 'MAX_TOPIC_ALIAS_BYTES', 1024 * 1024, 1024, 2 ** 40),
    maxPendingBytes: integer(env, 'MAX_PENDING_BYTES', 8 * 1024 * 1024, 1024, 2 ** 31),
    maxConnectingBytes: integer(env, 'MAX_CONNECTING_BYTES', 256 * 1024 * 1024, 1024, 2 ** 40),
    connectTimeout: seconds(env, 'CONNECT_TIMEOUT', 10),
    // A week, not forever: a client that asks for a session that never expires and never comes back
    // would otherwise hold its subscriptions and queued messages for good. 4294967295 lifts the cap.
    maxSessionExpiry: integer(env, 'MAX_SESSION_EXPIRY', 7 * 86400, 0, 0xffffffff),
    maxRetainedMessages: integer(env, 'MAX_RETAINED_MESSAGES', 1_000_000, 1, 1_000_000_000),
    maxRetainedBytes: integer(env, 'MAX_RETAINED_BYTES', 1024 * 1024 * 1024, 1024, 2 ** 40),
    maxSessions: integer(env, 'MAX_SESSIONS', 1_000_000, 1, 100_000_000),
    sessionUserMismatch,
    maxSubscriptions: integer(env, 'MAX_SUBSCRIPTIONS', 10_000, 1, 100_000_000),
    maxSubscriptionBytes: integer(env, 'MAX_SUBSCRIPTION_BYTES', 1024 * 1024, 1024, 2 ** 40),
    maxClientIdBytes: integer(env, 'MAX_CLIENT_ID_BYTES', 1024, 23, 65535),
    sysInterval: seconds(env, 'SYS_INTERVAL', 10),
    maximumQoS: integer(env, 'MAXIMUM_QOS', 2, 0, 2) as 0 | 1 | 2,
    retainAvailable: bool(env, 'RETAIN_AVAILABLE', true),
    logLevel: logLevel as LogLevel,
    logFormat: logFormat as LogFormat,
    databaseUrl: databaseUrl(env),
    dataDir: env.DATA_DIR?.trim() || './data',
    bcryptCost: integer(env, 'BCRYPT_COST', 10, 4, 15),
    bcryptThreads,
    adminUsername: env.ADMIN_USERNAME?.trim() || 'admin',
    adminPassword: env.ADMIN_PASSWORD || undefined,
    historyTopics: topicFilters(env, 'HISTORY_TOPICS', '#'),
    historyRetention: duration(env, 'HISTORY_RETENTION', 7 * 86400),
    historyMaxPerTopic: integer(env, 'HISTORY_MAX_PER_TOPIC', 10_000, 1, 1_000_000_000),
    historyBuffer: integer(env, 'HISTORY_BUFFER', 100_000, 100, 100_000_000),
    historyBufferBytes: integer(env, 'HISTORY_BUFFER_BYTES', 64 * 1024 * 1024, 65536, 2 ** 40),
    historyMaxBytes: integer(env, 'HISTORY_MAX_BYTES', 4 * 1024 ** 3, 65536, 2 ** 50),
    sessionEvents: bool(env, 'SESSION_EVENTS', true),
    sessionEventsRetention: duration(env, 'SESSION_EVENTS_RETENTION', 30 * 86400),
    sessionEventsBuffer: integer(env, 'SESSION_EVENTS_BUFFER', 10_000, 10, 10_000_000),
    sessionEventsBufferBytes: integer(env, 'SESSION_EVENTS_BUFFER_BYTES', 16 * 1024 * 1024, 65536, 2 ** 40),
    sessionEventsMaxBytes: integer(env, 'SESSION_EVENTS_MAX_BYTES', 1024 ** 3, 65536, 2 ** 50),
  };
}

/** Injection token for the BrokerConfig. */
export const BROKER_CONFIG = Symbol('BROKER_CONFIG');
