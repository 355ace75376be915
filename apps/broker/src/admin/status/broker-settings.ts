import type { BrokerConfig } from '../../config/broker-config';
import type { BrokerSetting } from './broker-settings.types';

/** How one configuration field is shown: its variable, its group, and how its value reads. */
interface SettingSpec<K extends keyof BrokerConfig> {
  env: string;
  group: string;
  /** The value is never shown, only whether it was given. */
  secret?: true;
  show?: (value: BrokerConfig[K]) => string | null;
}

/** A listener port: null is off (the variable set to 0). */
const port = (value: number | null): string => (value === null ? 'off' : String(value));

/**
 * Every field of BrokerConfig, in the order the settings screen lists them. A mapped type: a field added
 * to BrokerConfig and not here fails to compile, so nothing new is shown (or leaks) unexamined.
 */
const SETTINGS: { [K in keyof BrokerConfig]-?: SettingSpec<K> } = {
  host: { env: 'MQTT_HOST', group: 'Listeners' },
  mqttPort: { env: 'MQTT_PORT', group: 'Listeners', show: port },
  mqttsPort: { env: 'MQTTS_PORT', group: 'Listeners', show: port },
  tlsCertFile: { env: 'TLS_CERT_FILE', group: 'Listeners' },
  // A path, never the key itself.
  tlsKeyFile: { env: 'TLS_KEY_FILE', group: 'Listeners' },
  tlsCaFile: { env: 'TLS_CA_FILE', group: 'Listeners' },
  tlsClientCert: { env: 'TLS_CLIENT_CERT', group: 'Listeners' },
  tlsIdentity: { env: 'TLS_IDENTITY', group: 'Authentication', show: (kind) => kind ?? 'off' },
  wsPort: { env: 'WS_PORT', group: 'Listeners', show: port },
  httpPort: { env: 'HTTP_PORT', group: 'Listeners', show: port },
  adminJwtSecret: { env: 'ADMIN_JWT_SECRET', group: 'Admin API', secret: true },
  graphqlIntrospection: { env: 'GRAPHQL_INTROSPECTION', group: 'Admin API' },
  adminApiDocs: { env: 'ADMIN_API_DOCS', group: 'Admin API' },
  adminUiDir: { env: 'ADMIN_UI_DIR', group: 'Admin API' },
  adminLiveMaxRate: { env: 'ADMIN_LIVE_MAX_RATE', group: 'Admin API' },
  adminUsername: { env: 'ADMIN_USERNAME', group: 'Admin API' },
  adminPassword: { env: 'ADMIN_PASSWORD', group: 'Admin API', secret: true },
  allowAnonymous: { env: 'ALLOW_ANONYMOUS', group: 'Authentication' },
  authChain: { env: 'AUTH_CHAIN', group: 'Authentication', show: (chain) => chain.join(',') },
  authMethods: { env: 'AUTH_METHODS', group: 'Authentication', show: (methods) => (methods.length === 0 ? 'none' : methods.join(',')) },
  scramIterations: { env: 'AUTH_SCRAM_ITERATIONS', group: 'Authentication' },
  jwtJwksUrl: { env: 'AUTH_JWT_JWKS_URL', group: 'Authentication' },
  jwtSecret: { env: 'AUTH_JWT_SECRET', group: 'Authentication', secret: true },
  // A path, never the key itself.
  jwtPublicKeyFile: { env: 'AUTH_JWT_PUBLIC_KEY_FILE', group: 'Authentication' },
  jwtIssuer: { env: 'AUTH_JWT_ISSUER', group: 'Authentication' },
  jwtAudience: { env: 'AUTH_JWT_AUDIENCE', group: 'Authentication' },
  jwtClockTolerance: { env: 'AUTH_JWT_CLOCK_TOLERANCE', group: 'Authentication' },
  jwtUsernameClaim: { env: 'AUTH_JWT_USERNAME_CLAIM', group: 'Authentication' },
  jwtRolesClaim: { env: 'AUTH_JWT_ROLES_CLAIM', group: 'Authentication' },
  jwtAclClaim: { env: 'AUTH_JWT_ACL_CLAIM', group: 'Authentication' },
  jwtExpiry: { env: 'AUTH_JWT_EXPIRY', group: 'Authentication' },
  jwtJwksRefreshInterval: { env: 'AUTH_JWT_JWKS_REFRESH_INTERVAL', group: 'Authentication' },
  jwtJwksTimeout: { env: 'AUTH_JWT_JWKS_TIMEOUT', group: 'Authentication' },
  jwtJwksCacheMaxAge: { env: 'AUTH_JWT_JWKS_CACHE_MAX_AGE', group: 'Authentication' },
  // The URL may hold credentials of its own (user:password@, ?token=): masked like DATABASE_URL's.
  httpUrl: { env: 'AUTH_HTTP_URL', group: 'Authentication', show: (url) => (url === undefined ? null : maskDatabaseUrl(url)) },
  httpTimeout: { env: 'AUTH_HTTP_TIMEOUT', group: 'Authentication' },
  httpCacheTtl: { env: 'AUTH_HTTP_CACHE_TTL', group: 'Authentication' },
  httpCacheEntries: { env: 'AUTH_HTTP_CACHE_ENTRIES', group: 'Authentication' },
  // Masked as AUTH_HTTP_URL is: the address may carry credentials.
  httpAclUrl: { env: 'AUTH_HTTP_ACL_URL', group: 'Access control', show: (url) => (url === undefined ? null : maskDatabaseUrl(url)) },
  httpAclTimeout: { env: 'AUTH_HTTP_ACL_TIMEOUT', group: 'Access control' },
  httpAclCacheTtl: { env: 'AUTH_HTTP_ACL_CACHE_TTL', group: 'Access control' },
  httpAclCacheEntries: { env: 'AUTH_HTTP_ACL_CACHE_ENTRIES', group: 'Access control' },
  ldapUrl: { env: 'LDAP_URL', group: 'Authentication' },
  ldapStartTls: { env: 'LDAP_STARTTLS', group: 'Authentication' },
  // A path, never the certificates.
  ldapTlsCaFile: { env: 'LDAP_TLS_CA_FILE', group: 'Authentication' },
  ldapTlsVerify: { env: 'LDAP_TLS_VERIFY', group: 'Authentication' },
  ldapBindDnTemplate: { env: 'LDAP_BIND_DN_TEMPLATE', group: 'Authentication' },
  ldapBindDn: { env: 'LDAP_BIND_DN', group: 'Authentication' },
  ldapBindPassword: { env: 'LDAP_BIND_PASSWORD', group: 'Authentication', secret: true },
  ldapSearchBase: { env: 'LDAP_SEARCH_BASE', group: 'Authentication' },
  ldapSearchFilter: { env: 'LDAP_SEARCH_FILTER', group: 'Authentication' },
  ldapUsernameAttribute: { env: 'LDAP_USERNAME_ATTRIBUTE', group: 'Authentication' },
  ldapGroupRoles: { env: 'LDAP_GROUP_ROLES', group: 'Authentication', show: (entries) => (entries.length === 0 ? null : entries.map((e) => `${e.group}:${e.role}`).join(';')) },
  ldapGroupSearchBase: { env: 'LDAP_GROUP_SEARCH_BASE', group: 'Authentication' },
  ldapGroupSearchFilter: { env: 'LDAP_GROUP_SEARCH_FILTER', group: 'Authentication' },
  ldapGroupAttribute: { env: 'LDAP_GROUP_ATTRIBUTE', group: 'Authentication' },
  ldapTimeout: { env: 'LDAP_TIMEOUT', group: 'Authentication' },
  ldapCacheTtl: { env: 'LDAP_CACHE_TTL', group: 'Authentication' },
  ldapCacheEntries: { env: 'LDAP_CACHE_ENTRIES', group: 'Authentication' },
  ldapMaxConnections: { env: 'LDAP_MAX_CONNECTIONS', group: 'Authentication' },
  adminLdap: { env: 'ADMIN_LDAP', group: 'Admin API' },
  // The user names only: their passwords stay out.
  users: { env: 'AUTH_USERS', group: 'Authentication', show: (users) => (users.size === 0 ? null : [...users.keys()].join(',')) },
  bcryptCost: { env: 'BCRYPT_COST', group: 'Authentication' },
  bcryptThreads: { env: 'BCRYPT_THREADS', group: 'Authentication' },
  loginFailuresPerAddress: { env: 'LOGIN_FAILURES_PER_ADDRESS', group: 'Authentication' },
  loginFailuresPerUser: { env: 'LOGIN_FAILURES_PER_USER', group: 'Authentication' },
  loginFailureWindow: { env: 'LOGIN_FAILURE_WINDOW', group: 'Authentication' },
  loginThrottleBytes: { env: 'LOGIN_THROTTLE_BYTES', group: 'Authentication' },
  sessionUserMismatch: { env: 'SESSION_USER_MISMATCH', group: 'Authentication' },
  oidcIssuer: { env: 'OIDC_ISSUER', group: 'Admin single sign-on' },
  oidcClientId: { env: 'OIDC_CLIENT_ID', group: 'Admin single sign-on' },
  oidcClientSecret: { env: 'OIDC_CLIENT_SECRET', group: 'Admin single sign-on', secret: true },
  oidcPublicUrl: { env: 'OIDC_PUBLIC_URL', group: 'Admin single sign-on' },
  oidcScopes: { env: 'OIDC_SCOPES', group: 'Admin single sign-on' },
  oidcUsernameClaim: { env: 'OIDC_USERNAME_CLAIM', group: 'Admin single sign-on' },
  oidcRoleClaim: { env: 'OIDC_ROLE_CLAIM', group: 'Admin single sign-on' },
  oidcAdminValues: { env: 'OIDC_ADMIN_VALUES', group: 'Admin single sign-on', show: (v) => v.join(',') },
  oidcViewerValues: { env: 'OIDC_VIEWER_VALUES', group: 'Admin single sign-on', show: (v) => v.join(',') },
  oidcLabel: { env: 'OIDC_LABEL', group: 'Admin single sign-on' },
  oidcTimeout: { env: 'OIDC_TIMEOUT', group: 'Admin single sign-on' },
  oidcSessionLifetime: { env: 'OIDC_SESSION_LIFETIME', group: 'Admin single sign-on' },
  acl: { env: 'ACL_FILE', group: 'Access control', show: (acl) => (acl === null ? null : `${acl.rules().length} rules loaded`) },
  aclNoMatch: { env: 'ACL_NO_MATCH', group: 'Access control' },
  databaseUrl: { env: 'DATABASE_URL', group: 'Storage', show: (url) => (url === undefined ? null : maskDatabaseUrl(url)) },
  dataDir: { env: 'DATA_DIR', group: 'Storage' },
  historyTopics: { env: 'HISTORY_TOPICS', group: 'Message history', show: (topics) => topics.join(',') },
  historyRetention: { env: 'HISTORY_RETENTION', group: 'Message history' },
  historyMaxPerTopic: { env: 'HISTORY_MAX_PER_TOPIC', group: 'Message history' },
  historyBuffer: { env: 'HISTORY_BUFFER', group: 'Message history' },
  historyBufferBytes: { env: 'HISTORY_BUFFER_BYTES', group: 'Message history' },
  historyMaxBytes: { env: 'HISTORY_MAX_BYTES', group: 'Message history' },
  sessionEvents: { env: 'SESSION_EVENTS', group: 'Session events' },
  sessionEventsRetention: { env: 'SESSION_EVENTS_RETENTION', group: 'Session events' },
  sessionEventsBuffer: { env: 'SESSION_EVENTS_BUFFER', group: 'Session events' },
  sessionEventsBufferBytes: { env: 'SESSION_EVENTS_BUFFER_BYTES', group: 'Session events' },
  sessionEventsMaxBytes: { env: 'SESSION_EVENTS_MAX_BYTES', group: 'Session events' },
  maxKeepAlive: { env: 'MAX_KEEPALIVE', group: 'Protocol limits' },
  maxPacketSize: { env: 'MAX_PACKET_SIZE', group: 'Protocol limits' },
  receiveMaximum: { env: 'RECEIVE_MAXIMUM', group: 'Protocol limits' },
  topicAliasMaximum: { env: 'TOPIC_ALIAS_MAXIMUM', group: 'Protocol limits' },
  maximumQoS: { env: 'MAXIMUM_QOS', group: 'Protocol limits' },
  retainAvailable: { env: 'RETAIN_AVAILABLE', group: 'Protocol limits' },
  maxTopicLevels: { env: 'MAX_TOPIC_LEVELS', group: 'Protocol limits' },
  maxUserProperties: { env: 'MAX_USER_PROPERTIES', group: 'Protocol limits' },
  maxPropertyBytes: { env: 'MAX_PROPERTY_BYTES', group: 'Protocol limits' },
  maxClientIdBytes: { env: 'MAX_CLIENT_ID_BYTES', group: 'Protocol limits' },
  connectTimeout: { env: 'CONNECT_TIMEOUT', group: 'Protocol limits' },
  maxSessionExpiry: { env: 'MAX_SESSION_EXPIRY', group: 'Protocol limits' },
  maxQueuedMessages: { env: 'MAX_QUEUED_MESSAGES', group: 'Resource limits' },
  maxQueuedBytes: { env: 'MAX_QUEUED_BYTES', group: 'Resource limits' },
  maxInflightMessages: { env: 'MAX_INFLIGHT_MESSAGES', group: 'Resource limits' },
  maxPendingConnects: { env: 'MAX_PENDING_CONNECTS', group: 'Resource limits' },
  maxPendingConnectsPerAddress: { env: 'MAX_PENDING_CONNECTS_PER_ADDRESS', group: 'Resource limits' },
  maxConnectionsPerIp: { env: 'MAX_CONNECTIONS_PER_IP', group: 'Resource limits' },
  topicCacheBytes: { env: 'TOPIC_CACHE_BYTES', group: 'Resource limits' },
  maxTopicAliasBytes: { env: 'MAX_TOPIC_ALIAS_BYTES', group: 'Resource limits' },
  maxPendingBytes: { env: 'MAX_PENDING_BYTES', group: 'Resource limits' },
  maxConnectingBytes: { env: 'MAX_CONNECTING_BYTES', group: 'Resource limits' },
  maxRetainedMessages: { env: 'MAX_RETAINED_MESSAGES', group: 'Resource limits' },
  maxRetainedBytes: { env: 'MAX_RETAINED_BYTES', group: 'Resource limits' },
  maxSessions: { env: 'MAX_SESSIONS', group: 'Resource limits' },
  maxSubscriptions: { env: 'MAX_SUBSCRIPTIONS', group: 'Resource limits' },
  maxSubscriptionBytes: { env: 'MAX_SUBSCRIPTION_BYTES', group: 'Resource limits' },
  sysInterval: { env: 'SYS_INTERVAL', group: 'Logging and $SYS' },
  logLevel: { env: 'LOG_LEVEL', group: 'Logging and $SYS' },
  logFormat: { env: 'LOG_FORMAT', group: 'Logging and $SYS' },
};

const MASK = '****';

/** postgres://user:secret@host/db?password=x -> postgres://user:****@host/db?password=****. */
export function maskDatabaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // Validated at start-up, so this is not expected; show nothing of it rather than risk its password.
    return MASK;
  }
  if (url.password !== '') url.password = MASK;
  for (const name of [...url.searchParams.keys()]) {
    if (/pass|secret|token/i.test(name)) url.searchParams.set(name, MASK);
  }
  return url.toString().replace(/%2A/g, '*');
}

function plain(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return String(value);
}

/**
 * The configuration the broker runs with, as the settings screen and GET /api/v1/settings show it: a
 * value per variable and whether it is the default. Secrets (ADMIN_JWT_SECRET, ADMIN_PASSWORD) are only
 * said to be set, AUTH_USERS shows its user names, DATABASE_URL its address with the password masked.
 */
export function brokerSettings(config: BrokerConfig, defaults: BrokerConfig): BrokerSetting[] {
  return (Object.keys(SETTINGS) as Array<keyof BrokerConfig>).map((key) => {
    const spec = SETTINGS[key] as SettingSpec<typeof key>;
    const show = (spec.show ?? plain) as (value: unknown) => string | null;
    if (spec.secret) {
      return { name: spec.env, group: spec.group, secret: true, value: null, isDefault: config[key] === undefined };
    }
    const value = show(config[key]);
    return { name: spec.env, group: spec.group, secret: false, value, isDefault: value === show(defaults[key]) };
  });
}
