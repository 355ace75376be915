import type { Entry } from 'ldapts';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { LdapConfig } from '../../config/ldap-config';
import { AuthBackendError } from '../chain/chain-member';
import { DirectoryConnection, DirectoryConnections, isResultCode } from './directory-connections';
import { GroupRoles } from './group-roles';
import { escapeDnValue, escapeFilterValue, fillTemplate } from './ldap-escape';

/** A user the directory vouches for: its name as the directory spells it, its DN and the roles its groups give. */
export interface DirectoryUser {
  username: string;
  dn: string;
  roles: string[];
}

/**
 * Result codes of a user's bind that mean "not with these credentials": wrong password, unknown DN, an
 * account the directory locks or refuses (ppolicy), a DN the user name made malformed.
 */
const REFUSED_BIND = new Set([
  19, // constraintViolation (ppolicy: locked, expired)
  32, // noSuchObject
  34, // invalidDNSyntax
  48, // inappropriateAuthentication
  49, // invalidCredentials
  50, // insufficientAccessRights
  53, // unwillingToPerform (e.g. a disabled account)
]);

/**
 * What the directory said of a user name and password: the user they prove, or why not. A search finds
 * out whether the name exists (`unknown-user`, `wrong-password`); a direct bind cannot tell (`refused`).
 */
export type DirectoryAnswer = { user: DirectoryUser } | { refused: 'unknown-user' | 'wrong-password' | 'refused' };

/** Group DNs read at most per user. */
const MAX_GROUPS = 1000;

/**
 * The directory as the broker asks it: whether a user name and password are right (a bind as that user),
 * who the user is and which roles its groups give.
 *
 * The user's DN is made from LDAP_BIND_DN_TEMPLATE (direct bind), or found by a search with the service
 * account (search, then bind). Either way the user name is escaped first, for a DN (RFC 4514) or a filter
 * (RFC 4515): it can only ever be one attribute value. An empty password is never sent: the directory
 * would read it as an unauthenticated bind (RFC 4513 §5.1.2), and many answer that with success.
 *
 * An unknown user name and a wrong password take the same steps, so they take the same time: a search
 * that finds nobody is followed by a bind to a DN that does not exist, as a found user's is by its own.
 */
export class LdapDirectory {
  private readonly connections: DirectoryConnections;
  private readonly groupRoles: GroupRoles;

  constructor(private readonly config: LdapConfig & { ldapUrl: string }) {
    const ca = config.ldapTlsCaFile === undefined ? undefined : [readFileSync(config.ldapTlsCaFile)];
    this.connections = new DirectoryConnections({
      url: config.ldapUrl,
      startTls: config.ldapStartTls,
      tls: { rejectUnauthorized: config.ldapTlsVerify, ...(ca && { ca }) },
      timeoutMs: config.ldapTimeout * 1000,
      max: config.ldapMaxConnections,
    });
    this.groupRoles = new GroupRoles(config.ldapGroupRoles);
  }

  /** Connections to the directory open now. */
  get connectionsOpen(): number {
    return this.connections.size;
  }

  /** The most connections to the directory ever open at once. */
  get connectionsPeak(): number {
    return this.connections.peak;
  }

  /**
   * The user these credentials prove, or undefined when the directory does not accept them: an unknown
   * name and a wrong password alike. Throws AuthBackendError when the directory cannot answer.
   */
  async verify(username: string, password: string, signal?: AbortSignal): Promise<DirectoryUser | undefined> {
    const answer = await this.answer(username, password, signal);
    return 'user' in answer ? answer.user : undefined;
  }

  /** As verify, saying why credentials were not accepted. */
  async answer(username: string, password: string, signal?: AbortSignal): Promise<DirectoryAnswer> {
    if (username === '' || password === '') return { refused: 'refused' };
    return this.ask(signal, async (c): Promise<DirectoryAnswer> => {
      let entry: Entry | undefined;
      if (this.config.ldapBindDnTemplate !== undefined) {
        const dn = fillTemplate(this.config.ldapBindDnTemplate, { u: escapeDnValue(username) });
        if (!(await this.bindAs(c, dn, password))) return { refused: 'refused' };
        await this.bindService(c);
        entry = await this.readEntry(c, dn);
        if (entry === undefined) throw new AuthBackendError('bad-answer', 'the user\'s entry cannot be read after its bind');
      } else {
        await this.bindService(c);
        entry = await this.searchUser(c, username);
        // Nobody (or more than one) by that name: a bind all the same, so this takes as long as a wrong password.
        const dn = entry?.dn ?? `cn=${randomBytes(12).toString('hex')},${this.config.ldapSearchBase}`;
        const accepted = await this.bindAs(c, dn, entry === undefined ? randomBytes(12).toString('hex') : password);
        if (entry === undefined) return { refused: 'unknown-user' };
        if (!accepted) return { refused: 'wrong-password' };
      }
      return { user: await this.userOf(c, username, entry) };
    });
  }

  /**
   * The user by that name as the directory knows it now, read with the service account (no password is
   * needed): undefined when it is gone. For an admin login's refresh, which must see a user removed from
   * the directory or from the group that gave the role.
   */
  async find(username: string, signal?: AbortSignal): Promise<DirectoryUser | undefined> {
    if (username === '' || this.config.ldapBindDn === undefined) return undefined;
    return this.ask(signal, async (c) => {
      await this.bindService(c);
      const entry = this.config.ldapBindDnTemplate !== undefined
        ? await this.readEntry(c, fillTemplate(this.config.ldapBindDnTemplate, { u: escapeDnValue(username) }))
        : await this.searchUser(c, username);
      return entry === undefined ? undefined : this.userOf(c, username, entry);
    });
  }

  close(): void {
    this.connections.close();
  }

  private async ask<T>(signal: AbortSignal | undefined, work: (c: DirectoryConnection) => Promise<T>): Promise<T> {
    try {
      return await this.connections.run(signal, work);
    } catch (e) {
      if (signal?.aborted) throw e;
      throw backendError(e);
    }
  }

  /** Whether the directory accepts the bind; its refusal of these credentials is not an error. */
  private async bindAs(c: DirectoryConnection, dn: string, password: string): Promise<boolean> {
    try {
      await c.bind(dn, password);
      return true;
    } catch (e) {
      if (isResultCode(e) && REFUSED_BIND.has(e.code)) return false;
      throw e;
    }
  }

  /** The connection bound as the service account, when there is one (a connection keeps it from one check to the next). */
  private async bindService(c: DirectoryConnection): Promise<void> {
    const { ldapBindDn: dn, ldapBindPassword: password } = this.config;
    if (dn === undefined || password === undefined || c.boundAs === dn) return;
    try {
      await c.bind(dn, password);
    } catch (e) {
      if (isResultCode(e) && REFUSED_BIND.has(e.code)) throw new AuthBackendError('unavailable', `the directory refused the service account's bind (LDAP_BIND_DN, result ${e.code})`);
      throw e;
    }
  }

  /** The one entry LDAP_SEARCH_FILTER finds for the name; none when it finds none or several. */
  private async searchUser(c: DirectoryConnection, username: string): Promise<Entry | undefined> {
    const { searchEntries } = await c.search(this.config.ldapSearchBase!, {
      scope: 'sub',
      filter: fillTemplate(this.config.ldapSearchFilter, { u: escapeFilterValue(username) }),
      attributes: this.attributes(),
      sizeLimit: 2,
    });
    return searchEntries.length === 1 ? searchEntries[0] : undefined;
  }

  private async readEntry(c: DirectoryConnection, dn: string): Promise<Entry | undefined> {
    try {
      const { searchEntries } = await c.search(dn, { scope: 'base', attributes: this.attributes() });
      return searchEntries[0];
    } catch (e) {
      if (isResultCode(e) && e.code === 32) return undefined; // noSuchObject
      throw e;
    }
  }

  private attributes(): string[] {
    const c = this.config;
    return c.ldapGroupRoles.length > 0 && c.ldapGroupSearchBase === undefined ? [c.ldapUsernameAttribute, c.ldapGroupAttribute] : [c.ldapUsernameAttribute];
  }

  private async userOf(c: DirectoryConnection, presented: string, entry: Entry): Promise<DirectoryUser> {
    const names = values(entry, this.config.ldapUsernameAttribute);
    if (names.length === 0) throw new AuthBackendError('bad-answer', `the user's entry has no ${this.config.ldapUsernameAttribute} (LDAP_USERNAME_ATTRIBUTE)`);
    // The directory's spelling: `Alice` and `alice` are one directory user, so they must be one MQTT identity.
    const username = names.find((n) => n.toLowerCase() === presented.toLowerCase()) ?? names[0];
    if (this.groupRoles.empty) return { username, dn: entry.dn, roles: [] };
    let groups: string[];
    if (this.config.ldapGroupSearchBase === undefined) {
      groups = values(entry, this.config.ldapGroupAttribute);
    } else {
      await this.bindService(c);
      const { searchEntries } = await c.search(this.config.ldapGroupSearchBase, {
        scope: 'sub',
        filter: fillTemplate(this.config.ldapGroupSearchFilter, { u: escapeFilterValue(username), d: escapeFilterValue(entry.dn) }),
        attributes: ['1.1'],
        sizeLimit: MAX_GROUPS,
      });
      groups = searchEntries.map((g) => g.dn);
    }
    return { username, dn: entry.dn, roles: this.groupRoles.rolesOf(groups) };
  }
}

/** An attribute's values as text, whatever the case the directory spells its name in. */
function values(entry: Entry, attribute: string): string[] {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === attribute.toLowerCase());
  if (key === undefined || key === 'dn') return [];
  const value = entry[key];
  return (Array.isArray(value) ? value : [value]).map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : v)).filter((v) => v !== '');
}

/** TLS failures of the directory's certificate, by Node's error codes. */
const CERTIFICATE_ERRORS = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME|LEAF_SIGNATURE/;

/** What went wrong, in words for the session log: never a message the server or a socket wrote, which may quote a DN. */
function backendError(e: unknown): AuthBackendError {
  if (e instanceof AuthBackendError) return e;
  if (isResultCode(e)) {
    if (e.code === 51 || e.code === 52) return new AuthBackendError('unavailable', `the directory is busy or unavailable (result ${e.code})`);
    return new AuthBackendError('bad-answer', `the directory refused an operation (result ${e.code}): check LDAP_SEARCH_BASE, the filters and the service account's rights`);
  }
  const code = typeof (e as { code?: unknown })?.code === 'string' ? (e as { code: string }).code : undefined;
  const message = e instanceof Error ? e.message : '';
  if (code !== undefined && CERTIFICATE_ERRORS.test(code)) return new AuthBackendError('unreachable', `TLS: the directory's certificate is not trusted (${code}); check LDAP_TLS_CA_FILE`);
  if (/timed out|timeout/i.test(message)) return new AuthBackendError('timeout', 'the directory did not answer in time');
  if (code !== undefined) return new AuthBackendError('unreachable', `the directory could not be reached (${code})`);
  return new AuthBackendError('unreachable', 'the connection to the directory failed');
}
