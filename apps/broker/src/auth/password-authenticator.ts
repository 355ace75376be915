import { Inject, Injectable } from '@nestjs/common';
import { ReasonCode } from '@nestmq/mqtt-protocol';
import { UserRepository, isDatabaseUnavailable } from '@nestmq/persistence';
import { createHash, timingSafeEqual } from 'node:crypto';
import { BROKER_CONFIG, BrokerConfig } from '../config/broker-config';
import { AuthResult, Authenticator, Credentials } from './authenticator';

const digest = (value: Buffer | string): Buffer => createHash('sha256').update(value).digest();

/**
 * User names and passwords: the users table (bcrypt), then the static AUTH_USERS list; anonymous access
 * when ALLOW_ANONYMOUS is on. An unknown user and a wrong password get the same answer after the same
 * work. With anonymous access on, a client presenting a name nobody has is let in as anonymous: the name
 * it claimed gives it no one's ACL rules.
 */
@Injectable()
export class PasswordAuthenticator implements Authenticator {
  private readonly staticUsers: Map<string, Buffer>;

  constructor(
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    private readonly users: UserRepository,
  ) {
    this.staticUsers = new Map([...config.users].map(([name, password]) => [name, digest(password)]));
  }

  async authenticate({ username, password, signal }: Credentials): Promise<AuthResult> {
    if (username === undefined) {
      return this.config.allowAnonymous && password === undefined
        ? { reasonCode: ReasonCode.Success, username: undefined }
        : { reasonCode: ReasonCode.NotAuthorized };
    }
    const secret = password ?? Buffer.alloc(0);
    const staticDigest = this.staticUsers.get(username);
    if (staticDigest !== undefined) {
      return timingSafeEqual(staticDigest, digest(secret))
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
    // bcrypt compares at most 72 bytes; a password is binary in MQTT, read here as UTF-8.
    const user = await this.users.verify(username, secret.toString('utf8'), signal);
    if (user !== null) return { reasonCode: ReasonCode.Success, username };
    if (this.config.allowAnonymous && (await this.users.findByUsername(username)) === null) {
      return { reasonCode: ReasonCode.Success, username: undefined };
    }
    return { reasonCode: ReasonCode.BadUserNameOrPassword };
  }
}
