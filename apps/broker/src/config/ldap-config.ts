import { FilterParser } from 'ldapts';
import { readFileSync } from 'node:fs';
import type { AuthenticatorName } from '../auth/chain/chain-member';
import { GroupRole, GroupRolesSyntaxError, parseGroupRoles } from '../auth/ldap/group-roles';
import { escapeFilterValue, fillTemplate, normalizeDn } from '../auth/ldap/ldap-escape';
import { ConfigError, Env, bool, duration, integer, positive, readableFile } from './broker-config';

/** `ldap` in AUTH_CHAIN and admin sign-in through the directory (ADMIN_LDAP): one directory, one set of LDAP_* settings. */
export interface LdapConfig {
  /** `ldap://host[:port]` or `ldaps://host[:port]`; set whenever the directory is used. */
  ldapUrl?: string;
  /** Upgrade an ldap:// connection to TLS (StartTLS) before anything is sent. */
  ldapStartTls: boolean;
  /** PEM CA certificates the directory's certificate must chain to (else Node's default CAs). */
  ldapTlsCaFile?: string;
  /** Check the directory's certificate and host name (on by default; off only for a lab). */
  ldapTlsVerify: boolean;
  /** Direct bind: the user's DN, `%u` standing for the (escaped) user name. */
  ldapBindDnTemplate?: string;
  /** The service account that searches for users (search-then-bind) and reads groups. */
  ldapBindDn?: string;
  /** Sensitive: the service account's password; never logged or shown. */
  ldapBindPassword?: string;
  /** Search-then-bind: where users are searched, and with which filter (`%u`: the escaped user name). */
  ldapSearchBase?: string;
  ldapSearchFilter: string;
  /** The attribute of the user's entry whose value is the MQTT identity (the directory's spelling of the name). */
  ldapUsernameAttribute: string;
  /** Which groups give which roles; empty: no group is looked up, no role given. */
  ldapGroupRoles: readonly GroupRole[];
  /** Groups found by a search under this base (filter: `%d` the user's DN, `%u` the name) rather than read from the user's entry. */
  ldapGroupSearchBase?: string;
  ldapGroupSearchFilter: string;
  /** The attribute of the user's entry that lists its groups' DNs, when no group search base is set. */
  ldapGroupAttribute: string;
  /** Seconds one check may take in all, waiting for a connection included (beyond: 0x88). */
  ldapTimeout: number;
  /** Seconds an allow is remembered (0 = never), and how many at most. */
  ldapCacheTtl: number;
  ldapCacheEntries: number;
  /** Connections to the directory at most; checks beyond wait for one, within ldapTimeout. */
  ldapMaxConnections: number;
  /** Admin API sign-in for directory users whose groups give them the admin or viewer role. */
  adminLdap: boolean;
}

/**
 * The directory's settings that have no default: one set while nothing uses the directory means someone
 * meant clients or admins to be checked by it, and they would not be. (The others, at their defaults, as
 * `.env.example` writes them, change nothing.)
 */
const LDAP_VARIABLES = [
  'LDAP_URL', 'LDAP_TLS_CA_FILE', 'LDAP_BIND_DN_TEMPLATE', 'LDAP_BIND_DN', 'LDAP_BIND_PASSWORD', 'LDAP_SEARCH_BASE', 'LDAP_GROUP_ROLES', 'LDAP_GROUP_SEARCH_BASE',
] as const;

const ATTRIBUTE = /^[A-Za-z][A-Za-z0-9-]*$/;

const set = (env: Env, name: string): string | undefined => env[name]?.trim() || undefined;
/** Set to something other than its default. */
const changed = (env: Env, name: string, fallback: string): boolean => set(env, name) !== undefined && set(env, name) !== fallback;

function ldapUrl(env: Env, usedBy: string): string {
  const raw = set(env, 'LDAP_URL');
  if (raw === undefined) throw new ConfigError(`${usedBy}: set LDAP_URL (ldap://host:389 or ldaps://host:636)`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`LDAP_URL=${raw}: not a URL (expected ldap://host[:port] or ldaps://host[:port])`);
  }
  if ((url.protocol !== 'ldap:' && url.protocol !== 'ldaps:') || url.hostname === '' || (url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '' || url.username !== '') {
    throw new ConfigError(`LDAP_URL=${raw}: expected ldap://host[:port] or ldaps://host[:port], nothing more (the base DN goes in LDAP_SEARCH_BASE)`);
  }
  return raw;
}

function dn(env: Env, name: string): string | undefined {
  const raw = set(env, name);
  if (raw !== undefined && normalizeDn(raw) === undefined) throw new ConfigError(`${name}=${raw}: not a DN (expected e.g. ou=people,dc=example,dc=org)`);
  return raw;
}

/** A filter template: parses once a value stands in for its placeholders. */
function filter(env: Env, name: string, fallback: string, placeholders: RegExp, what: string): string {
  const raw = set(env, name) ?? fallback;
  if (!placeholders.test(raw)) throw new ConfigError(`${name}=${raw}: the filter never names the user (${what})`);
  try {
    FilterParser.parseString(fillTemplate(raw, { u: escapeFilterValue('probe'), d: escapeFilterValue('uid=probe,dc=example') }));
  } catch (e) {
    throw new ConfigError(`${name}=${raw}: not an LDAP filter (${(e as Error).message.split(':')[0]})`);
  }
  if (!raw.startsWith('(')) throw new ConfigError(`${name}=${raw}: not an LDAP filter (expected it in parentheses, e.g. (uid=%u))`);
  return raw;
}

function attribute(env: Env, name: string, fallback: string): string {
  const raw = set(env, name) ?? fallback;
  if (!ATTRIBUTE.test(raw)) throw new ConfigError(`${name}=${raw}: not an attribute name`);
  return raw;
}

/** The directory's settings, validated together: contradictions and missing pieces stop the broker with a line naming them. */
export function ldapConfig(env: Env, chain: readonly AuthenticatorName[]): LdapConfig {
  const adminLdap = bool(env, 'ADMIN_LDAP', false);
  const inChain = chain.includes('ldap');
  // The settings with defaults are read and checked whether the directory is used or not: a typo in one is
  // reported today rather than on the day someone turns the directory on.
  const plain = {
    ldapStartTls: bool(env, 'LDAP_STARTTLS', false),
    ldapTlsVerify: bool(env, 'LDAP_TLS_VERIFY', true),
    ldapSearchFilter: filter(env, 'LDAP_SEARCH_FILTER', '(uid=%u)', /%u/, 'expected %u for the user name, e.g. (uid=%u)'),
    ldapUsernameAttribute: attribute(env, 'LDAP_USERNAME_ATTRIBUTE', 'uid'),
    ldapGroupSearchFilter: filter(env, 'LDAP_GROUP_SEARCH_FILTER', '(member=%d)', /%[ud]/, 'expected %d for the user\'s DN or %u for the name, e.g. (member=%d)'),
    ldapGroupAttribute: attribute(env, 'LDAP_GROUP_ATTRIBUTE', 'memberOf'),
    ldapTimeout: positive(env, 'LDAP_TIMEOUT', 5),
    ldapCacheTtl: duration(env, 'LDAP_CACHE_TTL', 60),
    ldapCacheEntries: integer(env, 'LDAP_CACHE_ENTRIES', 10_000, 1, 10_000_000),
    ldapMaxConnections: integer(env, 'LDAP_MAX_CONNECTIONS', 8, 1, 1000),
    adminLdap,
  };
  if (!inChain && !adminLdap) {
    const given = LDAP_VARIABLES.find((name) => set(env, name) !== undefined);
    if (given !== undefined) {
      throw new ConfigError(`${given} is set, but AUTH_CHAIN (${chain.join(',')}) does not name ldap and ADMIN_LDAP is off: add it, e.g. AUTH_CHAIN=ldap,${chain.join(',')}, or set ADMIN_LDAP=true`);
    }
    // Every setting named, unset ones included: the admin API lists each variable from these keys.
    return {
      ...plain,
      ldapUrl: undefined,
      ldapTlsCaFile: undefined,
      ldapBindDnTemplate: undefined,
      ldapBindDn: undefined,
      ldapBindPassword: undefined,
      ldapSearchBase: undefined,
      ldapGroupRoles: [],
      ldapGroupSearchBase: undefined,
    };
  }
  const usedBy = inChain ? 'AUTH_CHAIN names ldap' : 'ADMIN_LDAP=true';
  const url = ldapUrl(env, usedBy);
  const ldaps = url.toLowerCase().startsWith('ldaps:');
  const startTls = plain.ldapStartTls;
  if (startTls && ldaps) throw new ConfigError('LDAP_STARTTLS=true with an ldaps:// LDAP_URL: ldaps:// is TLS from the first byte; use ldap:// with StartTLS, or ldaps:// alone');
  const caFile = readableFile(env, 'LDAP_TLS_CA_FILE');
  if (caFile !== undefined && !readFileSync(caFile, 'utf8').includes('-----BEGIN CERTIFICATE-----')) {
    throw new ConfigError(`LDAP_TLS_CA_FILE=${caFile}: no PEM certificate in the file`);
  }
  const tlsVerify = plain.ldapTlsVerify;
  if (!ldaps && !startTls && (caFile !== undefined || !tlsVerify)) {
    throw new ConfigError(`${caFile !== undefined ? 'LDAP_TLS_CA_FILE is set' : 'LDAP_TLS_VERIFY=false'}, but LDAP_URL=${url} is not TLS: use ldaps://, or LDAP_STARTTLS=true`);
  }

  const template = set(env, 'LDAP_BIND_DN_TEMPLATE');
  if (template !== undefined && (!template.includes('%u') || normalizeDn(fillTemplate(template, { u: 'probe' })) === undefined)) {
    throw new ConfigError(`LDAP_BIND_DN_TEMPLATE=${template}: expected a DN with %u for the user name, e.g. uid=%u,ou=people,dc=example,dc=org`);
  }
  const bindDn = dn(env, 'LDAP_BIND_DN');
  const bindPassword = env.LDAP_BIND_PASSWORD || undefined;
  if ((bindDn === undefined) !== (bindPassword === undefined)) {
    throw new ConfigError(bindDn === undefined ? 'LDAP_BIND_PASSWORD is set without LDAP_BIND_DN: set both for the service account, or neither' : 'LDAP_BIND_DN is set without LDAP_BIND_PASSWORD: set both for the service account, or neither');
  }
  const searchBase = dn(env, 'LDAP_SEARCH_BASE');
  if (template !== undefined && (searchBase !== undefined || changed(env, 'LDAP_SEARCH_FILTER', '(uid=%u)'))) {
    throw new ConfigError(`LDAP_BIND_DN_TEMPLATE and ${searchBase !== undefined ? 'LDAP_SEARCH_BASE' : 'LDAP_SEARCH_FILTER'} are two ways to find a user's DN: set the template (direct bind) or the search (search, then bind), not both`);
  }
  if (template === undefined && searchBase === undefined) {
    throw new ConfigError(`${usedBy}: set LDAP_BIND_DN_TEMPLATE (bind as e.g. uid=%u,ou=people,dc=example,dc=org), or LDAP_SEARCH_BASE with LDAP_BIND_DN and LDAP_BIND_PASSWORD (search for the user, then bind)`);
  }
  if (searchBase !== undefined && bindDn === undefined) {
    throw new ConfigError('LDAP_SEARCH_BASE is set: searching for users needs a service account; set LDAP_BIND_DN and LDAP_BIND_PASSWORD');
  }

  let groupRoles: GroupRole[] = [];
  try {
    groupRoles = parseGroupRoles(env.LDAP_GROUP_ROLES ?? '');
  } catch (e) {
    if (e instanceof GroupRolesSyntaxError) throw new ConfigError(`LDAP_GROUP_ROLES: ${e.message}`);
    throw e;
  }
  const groupSearchBase = dn(env, 'LDAP_GROUP_SEARCH_BASE');
  if (changed(env, 'LDAP_GROUP_SEARCH_FILTER', '(member=%d)') && groupSearchBase === undefined) {
    throw new ConfigError('LDAP_GROUP_SEARCH_FILTER is set without LDAP_GROUP_SEARCH_BASE: set where groups are searched');
  }
  if (groupSearchBase !== undefined && changed(env, 'LDAP_GROUP_ATTRIBUTE', 'memberOf')) {
    throw new ConfigError('LDAP_GROUP_SEARCH_BASE and LDAP_GROUP_ATTRIBUTE are two ways to find a user\'s groups: search for them, or read them from the user\'s entry, not both');
  }
  if (groupRoles.length === 0) {
    const orphan = [
      ['LDAP_GROUP_SEARCH_BASE', ''],
      ['LDAP_GROUP_SEARCH_FILTER', '(member=%d)'],
      ['LDAP_GROUP_ATTRIBUTE', 'memberOf'],
    ].find(([name, fallback]) => changed(env, name, fallback))?.[0];
    if (orphan !== undefined) throw new ConfigError(`${orphan} is set, but LDAP_GROUP_ROLES maps no group to a role: groups would be looked up for nothing`);
  }

  if (adminLdap) {
    if (bindDn === undefined) {
      throw new ConfigError('ADMIN_LDAP=true needs a service account (LDAP_BIND_DN, LDAP_BIND_PASSWORD): a token refresh reads the user\'s groups again, and the user\'s password is not kept');
    }
    // A refresh finds the user again by its name on the admin API (the directory's spelling), without its password.
    const attr = plain.ldapUsernameAttribute.toLowerCase();
    if (template !== undefined && !template.toLowerCase().startsWith(`${attr}=%u,`)) {
      throw new ConfigError(`ADMIN_LDAP=true: LDAP_BIND_DN_TEMPLATE=${template} must name users by LDAP_USERNAME_ATTRIBUTE (${attr}=%u,...): a refresh finds the user again by that name`);
    }
    if (searchBase !== undefined && !plain.ldapSearchFilter.toLowerCase().includes(`(${attr}=%u)`)) {
      throw new ConfigError(`ADMIN_LDAP=true: LDAP_SEARCH_FILTER=${plain.ldapSearchFilter} must find users by LDAP_USERNAME_ATTRIBUTE, e.g. (${attr}=%u): a refresh finds the user again by that name`);
    }
    if (!groupRoles.some(({ role }) => role === 'admin' || role === 'viewer')) {
      throw new ConfigError('ADMIN_LDAP=true, but LDAP_GROUP_ROLES gives no group the admin or viewer role: nobody could sign in (e.g. LDAP_GROUP_ROLES=cn=mqtt-admins,ou=groups,dc=example,dc=org:admin)');
    }
  }
  return {
    ...plain,
    ldapUrl: url,
    ldapTlsCaFile: caFile,
    ldapBindDnTemplate: template,
    ldapBindDn: bindDn,
    ldapBindPassword: bindPassword,
    ldapSearchBase: searchBase,
    ldapGroupRoles: groupRoles,
    ldapGroupSearchBase: groupSearchBase,
  };
}
