import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { ReasonCode } from '@nestmq/mqtt-protocol';
import { UserRepository, isDatabaseUnavailable } from '@nestmq/persistence';
import { BROKER_CONFIG, BrokerConfig } from '../config/broker-config';
import { AuthResult, Authenticator, Credentials } from './authenticator';

/**
 * User names and passwords: the static AUTH_USERS list, then the users table; anonymous access when
 * ALLOW_ANONYMOUS is on. A password is the CONNECT's bytes as sent (binary data in MQTT), compared with
 * bcrypt; one over 72 bytes never matches.
 *
 * Every refusal of a name costs one bcrypt comparison at BCRYPT_COST, so the time an answer takes tells
 * nothing about which names exist or where: an unknown name is compared against a decoy hash, a static
 * user against its password hashed at start-up, a database user (disabled or not) against its stored
 * hash. With anonymous access on, a client presenting a name nobody has is let in as anonymous (after the
 * same comparison): the name it claimed gives it no one's ACL rules.
 */
@Injectable()
export class PasswordAuthenticator implements Authenticator, OnModuleInit {
  /** The static users' passwords, hashed off the event loop (bcrypt on libuv's thread pool) at start-up. */
  private readonly staticUsers: Promise<Map<string, string>>;

  constructor(
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    private readonly users: UserRepository,
  ) {
    this.staticUsers = Promise.all([...config.users].map(async ([name, password]) => [name, await users.hashPassword(password)] as const)).then(
      (entries) => new Map(entries),
    );
    // Awaited by onModuleInit, which reports a failure; this keeps it from being unhandled before then.
    this.staticUsers.catch(() => undefined);
  }

  /** The broker starts listening only once every static password is hashed. */
  async onModuleInit(): Promise<void> {
    await this.staticUsers;
  }

  async authenticate({ username, password, signal }: Credentials): Promise<AuthResult> {
    if (username === undefined) {
      return this.config.allowAnonymous && password === undefined
        ? { reasonCode: ReasonCode.Success, username: undefined }
        : { reasonCode: ReasonCode.NotAuthorized };
    }
    const secret = password ?? Buffer.alloc(0);
    const staticHash = (await this.staticUsers).get(username);
    if (staticHash !== undefined) {
      return (await this.users.matchesHash(secret, staticHash, signal))
        ? { reasonCode: ReasonCode.Success, username }
        : { reasonCode: ReasonCode.BadUserNameOrPassword };
    }
    try {
      return await this.checkUsersTable(username, secret, signal);
    } catch (e) {
      // The users table cannot be read right now: say so (0x88, 3 in 3.1.1), so the client retries
      // later rather than taking its credentials for wrong.
      if (isDatabaseUnavailable(e)) return { reasonCode: ReasonCode.ServerUnavailable };
      throw e;
    }
  }

  private async checkUsersTable(username: string, secret: Buffer, signal: AbortSignal | undefined): Promise<AuthResult> {
    const user = await this.users.verify(username, secret, signal);
    // The user's roles (the users table's, as the admin API sets them) are what topic rules naming a role match.
    if (user !== null) return { reasonCode: ReasonCode.Success, username, ...(user.roles.length > 0 && { roles: user.roles }) };
    if (this.config.allowAnonymous && (await this.users.findByUsername(username)) === null) {
      return { reasonCode: ReasonCode.Success, username: undefined };
    }
    return { reasonCode: ReasonCode.BadUserNameOrPassword };
  }
}
