import { OnModuleDestroy, Provider } from '@nestjs/common';
import { AuthBackendError } from '../../auth/chain/chain-member';
import { LdapDirectory } from '../../auth/ldap/ldap-directory';
import { BROKER_CONFIG, BrokerConfig } from '../../config/broker-config';
import { unauthenticated } from '../admin-error';
import type { AdminRole } from './admin-tokens';

export const ADMIN_LDAP = Symbol('ADMIN_LDAP');

/** How a directory user is named on the admin API: its tokens, the audit log, `me`. */
const PREFIX = 'ldap:';

/** The role LDAP_GROUP_ROLES gives on the admin API: admin before viewer; neither, none. */
function adminRole(roles: readonly string[]): AdminRole | undefined {
  if (roles.includes('admin')) return 'admin';
  if (roles.includes('viewer')) return 'viewer';
  return undefined;
}

/**
 * Admin API sign-in for directory users (ADMIN_LDAP): a name and password the users table does not let
 * in are checked by a bind to the directory, with the LDAP_* settings, and the user's groups give its
 * role (LDAP_GROUP_ROLES: `admin` or `viewer`). A directory user in no such group is refused like a
 * wrong password.
 *
 * Such a user has no row in the users table: it acts as `ldap:<name>` (the directory's spelling), so the
 * audit log tells it from a local user, and names beginning `ldap:` are the directory's (a users-table
 * user so named cannot sign in while ADMIN_LDAP is on). Each refresh reads its groups again with the
 * service account, so a user removed from the directory or from its group loses the admin API within an
 * access token's life (15 minutes).
 */
export class LdapAdminSignIn implements OnModuleDestroy {
  constructor(private readonly directory: LdapDirectory) {}

  /** Whether a token's user name is one this sign-in gave. */
  owns(username: string): boolean {
    return username.startsWith(PREFIX);
  }

  /** The account these credentials prove, or undefined: unknown, wrong password, or no admin API role. */
  async signIn(username: string, password: string): Promise<{ username: string; role: AdminRole } | undefined> {
    const name = this.owns(username) ? username.slice(PREFIX.length) : username;
    const user = await this.ask(() => this.directory.verify(name, password));
    const role = user === undefined ? undefined : adminRole(user.roles);
    return role === undefined ? undefined : { username: `${PREFIX}${user!.username}`, role };
  }

  /** The role a user this sign-in let in has now; undefined when it is gone from the directory or its groups. */
  async currentRole(username: string): Promise<AdminRole | undefined> {
    const user = await this.ask(() => this.directory.find(username.slice(PREFIX.length)));
    return user === undefined ? undefined : adminRole(user.roles);
  }

  onModuleDestroy(): void {
    this.directory.close();
  }

  private async ask<T>(question: () => Promise<T>): Promise<T> {
    try {
      return await question();
    } catch (e) {
      // Not the user's fault: the caller may try again, and nothing is spent or ended.
      if (e instanceof AuthBackendError) throw unauthenticated(`the directory cannot be asked right now (${e.code}); try again later`);
      throw e;
    }
  }
}

/** ADMIN_LDAP: the sign-in, or null when it is off. */
export const ldapAdminSignIn: Provider = {
  provide: ADMIN_LDAP,
  useFactory: (config: BrokerConfig): LdapAdminSignIn | null =>
    config.adminLdap && config.ldapUrl !== undefined ? new LdapAdminSignIn(new LdapDirectory({ ...config, ldapUrl: config.ldapUrl })) : null,
  inject: [BROKER_CONFIG],
};
