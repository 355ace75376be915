import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AdminSessionRepository, ApiKeyRepository, UserRepository } from '@nestmq/persistence';
import { LoginThrottle } from '../../auth/login-throttle';
import { BROKER_CONFIG, BrokerConfig } from '../../config/broker-config';
import { badInput, unauthenticated } from '../admin-error';
import { hashKeySecret, isKeySecret } from './api-key-secret';
import { ACCESS_TOKEN_SECONDS, AccessClaims, AdminRole, AdminTokens, ExternalGrant, InvalidToken, REFRESH_TOKEN_SECONDS } from './admin-tokens';
import { ADMIN_LDAP, LdapAdminSignIn } from './ldap-admin-sign-in';

export const ADMIN_TOKENS = Symbol('ADMIN_TOKENS');
export const ADMIN_SESSIONS = Symbol('ADMIN_SESSIONS');

/** A subscription socket, as far as ending it goes. */
export interface ClosableSocket {
  close(code: number, reason: string): void;
  once(event: 'close', listener: () => void): unknown;
}

/** The close code of a subscription socket whose login ended or whose access token expired. */
export const SOCKET_UNAUTHORIZED = 4401;

/** The tokens of a login, with the account they are for. */
export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
  account: { username: string; role: AdminRole };
}

/** What stands for a login in AccessClaims.session when the request came with an API key. */
const apiKeySession = (id: string): string => `apikey:${id}`;

/** The role a user has on the admin API, if any: users with neither role are MQTT users only. */
export function adminRoleOf(roles: readonly string[]): AdminRole | undefined {
  if (roles.includes('admin')) return 'admin';
  if (roles.includes('viewer')) return 'viewer';
  return undefined;
}

/**
 * Admin logins: a user with the admin or viewer role signs in with their password and gets a 15-minute
 * access token and a 7-day refresh token, each refresh token usable once. Logging out ends the login at
 * once, its access tokens included. Failed logins are throttled per address and per user name, as MQTT
 * CONNECTs are, and every refusal reads the same whether the name exists or not.
 */
@Injectable()
export class AdminAuthService implements OnApplicationBootstrap {
  private readonly throttle: LoginThrottle;
  /** Logins ended while access tokens issued to them may still be unexpired, with when they ended. */
  private readonly ended = new Map<string, number>();
  /** Subscription sockets by the login they were opened with: they close when it ends. */
  private readonly sockets = new Map<string, Set<ClosableSocket>>();

  constructor(
    @Inject(BROKER_CONFIG) config: BrokerConfig,
    private readonly users: UserRepository,
    @Inject(ADMIN_SESSIONS) private readonly sessions: AdminSessionRepository,
    @Inject(ADMIN_TOKENS) private readonly tokens: AdminTokens,
    private readonly apiKeys: ApiKeyRepository,
    @Inject(ADMIN_LDAP) private readonly ldap: LdapAdminSignIn | null,
  ) {
    this.throttle = new LoginThrottle({
      failuresPerAddress: config.loginFailuresPerAddress,
      failuresPerUser: config.loginFailuresPerUser,
      windowMs: config.loginFailureWindow * 1000,
      maxBytes: config.loginThrottleBytes,
    });
  }

  /** Logins ended before a restart: their access tokens stay refused. */
  async onApplicationBootstrap(): Promise<void> {
    const since = new Date(Date.now() - ACCESS_TOKEN_SECONDS * 1000);
    for (const id of await this.sessions.revokedSince(since)) this.ended.set(id, Date.now());
  }

  async login(username: string, password: string, address: string): Promise<IssuedTokens> {
    if (this.throttle.refusal(address, username) !== undefined) {
      throw unauthenticated('too many failed logins from this address or for this user name: wait a minute, then try again');
    }
    const user = await this.users.verify(username, password);
    const role = user === null || this.ldap?.owns(username) ? undefined : adminRoleOf(user.roles);
    // What the users table does not let in, the directory may (ADMIN_LDAP).
    const account = role !== undefined ? { username, role } : await this.ldap?.signIn(username, password);
    if (account === undefined) {
      // An unknown name, a wrong password, a disabled user and an MQTT-only user all read the same.
      this.throttle.failed(address, username);
      throw unauthenticated('wrong user name or password, or the user may not use the admin API');
    }
    this.throttle.succeeded(username);
    const session = await this.sessions.open(account.username, address, new Date(Date.now() + REFRESH_TOKEN_SECONDS * 1000));
    return this.issue(account.username, account.role, session.id, session.refreshId);
  }

  /**
   * A login for a user who signed in elsewhere (single sign-on) and has no row here: it keeps the role it
   * was given until `grant.until`, since the broker cannot ask the provider again without the user.
   */
  async openExternal(username: string, grant: ExternalGrant, address: string): Promise<IssuedTokens> {
    const ends = Math.min(Date.now() + REFRESH_TOKEN_SECONDS * 1000, grant.until * 1000);
    const session = await this.sessions.open(username, address, new Date(ends));
    return this.issue(username, grant.role, session.id, session.refreshId, grant);
  }

  /** New tokens for a refresh token; the old one is spent. A spent one coming back ends the login. */
  async refresh(refreshToken: string): Promise<IssuedTokens> {
    const claims = await this.tokens.verifyRefresh(refreshToken).catch((e: unknown) => {
      throw unauthenticated(`the refresh token is not accepted: ${e instanceof InvalidToken ? e.message : 'invalid'}; sign in again`);
    });
    // The role as it is now: a user demoted or disabled since gets no new tokens of the old kind. Read
    // before the token is spent, so a directory that cannot answer leaves the login as it was. A single
    // sign-on login carries its role until its end instead.
    const role = claims.grant === undefined ? await this.roleNow(claims.username) : undefined;
    const next = await this.sessions.renew(claims.session, claims.refreshId, new Date(Date.now() + REFRESH_TOKEN_SECONDS * 1000));
    if (next === null) {
      // Either the login ended, or this token was already traded: a copy exists, so the login ends now.
      await this.end(claims.session);
      throw unauthenticated('the refresh token was already used or the login has ended; sign in again');
    }
    if (claims.grant !== undefined) {
      if (claims.grant.until * 1000 <= Date.now()) {
        await this.end(claims.session);
        throw unauthenticated('this single sign-on login has reached its end; sign in again');
      }
      return this.issue(claims.username, claims.grant.role, claims.session, next, claims.grant);
    }
    if (role === undefined) {
      await this.end(claims.session);
      throw unauthenticated('this user may no longer use the admin API');
    }
    return this.issue(claims.username, role, claims.session, next);
  }

  /** Ends the login the access token belongs to: its refresh token and its access tokens stop working. */
  async logout(admin: AccessClaims): Promise<boolean> {
    if (admin.apiKeyId !== undefined) throw badInput('an API key is not a login: revoke it with revokeApiKey');
    await this.end(admin.session);
    return true;
  }

  /** Who is signed in with these claims. */
  account(admin: AccessClaims): IssuedTokens['account'] {
    return { username: admin.username, role: admin.role };
  }

  /**
   * The claims of a valid access token of a login that has not ended, or of an API key neither revoked
   * nor expired (each use of a key is recorded, with the address it came from).
   */
  async authenticate(accessToken: string, address?: string): Promise<AccessClaims> {
    if (isKeySecret(accessToken)) {
      const key = await this.apiKeys.use(hashKeySecret(accessToken), address ?? null);
      if (key === null) throw unauthenticated('the API key is not accepted: it is unknown, revoked or expired');
      return { username: `key:${key.name}`, role: key.role as AdminRole, session: apiKeySession(key.id), expiresAt: key.expiresAt?.getTime(), apiKeyId: key.id };
    }
    const claims = await this.tokens.verifyAccess(accessToken).catch((e: unknown) => {
      throw unauthenticated(`the access token is not accepted: ${e instanceof InvalidToken ? e.message : 'invalid'}; refresh it or sign in again`);
    });
    if (this.ended.has(claims.session)) throw unauthenticated('this login has ended; sign in again');
    return claims;
  }

  /**
   * Keeps a subscription socket only as long as the access token it was opened with: it is closed (4401)
   * when the token expires or its login ends, and the client reconnects with a fresh token.
   */
  holdSocket(claims: AccessClaims, socket: ClosableSocket): void {
    const close = (reason: string): void => socket.close(SOCKET_UNAUTHORIZED, reason);
    const held = this.sockets.get(claims.session) ?? new Set<ClosableSocket>();
    this.sockets.set(claims.session, held);
    held.add(socket);
    const timer = claims.expiresAt === undefined ? undefined : setTimeout(() => close('the access token expired: reconnect with a fresh one'), Math.max(0, claims.expiresAt - Date.now()));
    timer?.unref();
    socket.once('close', () => {
      clearTimeout(timer);
      held.delete(socket);
      if (held.size === 0 && this.sockets.get(claims.session) === held) this.sockets.delete(claims.session);
    });
  }

  /** A key was revoked: the subscription sockets opened with it close now. */
  keyRevoked(id: string): void {
    for (const socket of this.sockets.get(apiKeySession(id)) ?? []) socket.close(SOCKET_UNAUTHORIZED, 'the API key was revoked');
  }

  private async roleNow(username: string): Promise<AdminRole | undefined> {
    if (this.ldap?.owns(username)) return this.ldap.currentRole(username);
    const user = await this.users.findByUsername(username);
    return user !== null && user.enabled ? adminRoleOf(user.roles) : undefined;
  }

  private async end(session: string): Promise<void> {
    await this.sessions.revoke(session);
    const now = Date.now();
    this.ended.set(session, now);
    for (const socket of this.sockets.get(session) ?? []) socket.close(SOCKET_UNAUTHORIZED, 'this login has ended');
    // Past an access token's lifetime, an ended login needs no entry: its tokens have expired anyway.
    for (const [id, at] of this.ended) if (now - at > ACCESS_TOKEN_SECONDS * 1000) this.ended.delete(id);
  }

  private async issue(username: string, role: AdminRole, session: string, refreshId: string, grant?: ExternalGrant): Promise<IssuedTokens> {
    const now = Date.now();
    return {
      accessToken: await this.tokens.access({ username, role, session }, now),
      refreshToken: await this.tokens.refresh(username, { session, refreshId, grant }, now),
      expiresAt: new Date(Math.floor(now / 1000) * 1000 + ACCESS_TOKEN_SECONDS * 1000),
      account: { username, role },
    };
  }
}
