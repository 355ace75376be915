import { OnModuleDestroy } from '@nestjs/common';
import { ReasonCode, isWellFormedUtf8 } from '@nestmq/mqtt-protocol';
import { createHmac, randomBytes } from 'node:crypto';
import type { BrokerConfig } from '../../config/broker-config';
import type { Credentials } from '../authenticator';
import { ChainMember, Verdict } from '../chain/chain-member';
import { LdapDirectory } from './ldap-directory';

export interface LdapCacheOptions {
  /** Seconds an allow is remembered; 0 = never. */
  cacheTtl: number;
  /** Allows remembered at most; the oldest go first. */
  cacheEntries: number;
  /** Whether LDAP_GROUP_ROLES is set: then the roles are given, none included. */
  givesRoles: boolean;
  now?: () => number;
}

type Allow = Extract<Verdict, { kind: 'allow' }>;

/** A direct bind's refusal: the directory does not say which. */
const NOT_ACCEPTED = 'unknown user name or wrong password';

/**
 * `ldap` in AUTH_CHAIN: the user name and password are checked by a bind to the directory (LdapDirectory),
 * and the roles come from the user's groups (LDAP_GROUP_ROLES). The identity is the directory's spelling
 * of the name (LDAP_USERNAME_ATTRIBUTE).
 *
 * A name the directory does not have is passed to the next authenticator, so `ldap,local` keeps AUTH_USERS
 * and the users table working beside the directory. A wrong password for a name it has (search, then
 * bind) is refused with 0x86 here: a local account of the same name is not a second way in. A direct bind
 * cannot tell the two apart, so its refusals are passed on. Either way the client's answer is 0x86 after
 * the same steps: the search that finds nobody still binds, and the chain's later `local` member compares
 * the password after a denial as it would have had it been asked (AuthenticatorChain). No user name, no
 * password, or one that is not UTF-8 text (a simple bind's password is text) is not this authenticator's
 * either. A directory that cannot answer in LDAP_TIMEOUT refuses with 0x88.
 *
 * Allows are remembered for LDAP_CACHE_TTL under a keyed digest of the user name and password, so a
 * reconnecting fleet does not bind again, and a wrong password is never let in by a right one's answer.
 * Denials are never remembered.
 */
export class LdapAuthenticator implements ChainMember, OnModuleDestroy {
  readonly name = 'ldap';
  private readonly cache = new Map<string, { until: number; verdict: Allow }>();
  /** Keys the digests, so the cache holds nothing a password could be guessed against offline. */
  private readonly cacheKey = randomBytes(32);
  private readonly now: () => number;

  constructor(
    readonly directory: LdapDirectory,
    private readonly options: LdapCacheOptions,
  ) {
    this.now = options.now ?? (() => performance.now());
  }

  /** Allows remembered now. */
  get cached(): number {
    return this.cache.size;
  }

  async check({ username, password, signal }: Credentials): Promise<Verdict> {
    if (username === undefined || username === '') return { kind: 'ignore', reason: 'no user name' };
    // Never sent: an empty password is an unauthenticated bind, which directories answer with success.
    if (password === undefined || password.length === 0) return { kind: 'ignore', reason: 'no password' };
    if (!isWellFormedUtf8(password)) return { kind: 'ignore', reason: 'the password is not text' };
    const key = this.options.cacheTtl > 0 ? this.digest(username, password) : '';
    if (key !== '') {
      const hit = this.cache.get(key);
      if (hit !== undefined && hit.until > this.now()) return { ...hit.verdict, reason: `${hit.verdict.reason} (cached)` };
      if (hit !== undefined) this.cache.delete(key);
    }
    const answer = await this.directory.answer(username, password.toString('utf8'), signal);
    if ('refused' in answer) {
      if (answer.refused === 'wrong-password') return { kind: 'deny', reasonCode: ReasonCode.BadUserNameOrPassword, reason: 'the directory refused the password' };
      return { kind: 'ignore', reason: answer.refused === 'unknown-user' ? 'not in the directory' : NOT_ACCEPTED };
    }
    const user = answer.user;
    const verdict: Allow = { kind: 'allow', username: user.username, ...(this.options.givesRoles && { roles: user.roles }), reason: 'the directory accepted the password' };
    if (key !== '') this.remember(key, verdict);
    return verdict;
  }

  onModuleDestroy(): void {
    this.directory.close();
  }

  private digest(username: string, password: Buffer): string {
    const name = Buffer.from(username, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(name.length);
    return createHmac('sha256', this.cacheKey).update(length).update(name).update(password).digest('base64');
  }

  private remember(key: string, verdict: Allow): void {
    this.cache.delete(key);
    this.cache.set(key, { until: this.now() + this.options.cacheTtl * 1000, verdict });
    while (this.cache.size > this.options.cacheEntries) this.cache.delete(this.cache.keys().next().value!);
  }
}

/** The `ldap` member of AUTH_CHAIN, or null when the chain does not name it. */
export function ldapAuthenticator(config: BrokerConfig): LdapAuthenticator | null {
  if (!config.authChain.includes('ldap') || config.ldapUrl === undefined) return null;
  return new LdapAuthenticator(new LdapDirectory({ ...config, ldapUrl: config.ldapUrl }), {
    cacheTtl: config.ldapCacheTtl,
    cacheEntries: config.ldapCacheEntries,
    givesRoles: config.ldapGroupRoles.length > 0,
  });
}
