import { Inject, Injectable } from '@nestjs/common';
import { ReasonCode } from '@nestmq/mqtt-protocol';
import { createHash, timingSafeEqual } from 'node:crypto';
import { BROKER_CONFIG, BrokerConfig } from '../config/broker-config';
import { Authenticator, Credentials } from './authenticator';

const digest = (value: Buffer | string): Buffer => createHash('sha256').update(value).digest();

/**
 * Anonymous access (when allowed) and the static AUTH_USERS list. Passwords are compared as digests with
 * a constant-time comparison, and an unknown user costs the same as a wrong password.
 */
@Injectable()
export class StaticAuthenticator implements Authenticator {
  private readonly users: Map<string, Buffer>;
  private readonly decoy = digest('no such user');

  constructor(@Inject(BROKER_CONFIG) private readonly config: BrokerConfig) {
    this.users = new Map([...config.users].map(([name, password]) => [name, digest(password)]));
  }

  async authenticate({ username, password }: Credentials): Promise<ReasonCode> {
    if (username === undefined) {
      return this.config.allowAnonymous && password === undefined ? ReasonCode.Success : ReasonCode.NotAuthorized;
    }
    // With no user list, anonymous mode takes whatever credentials a client presents (as Mosquitto does).
    if (this.users.size === 0) return this.config.allowAnonymous ? ReasonCode.Success : ReasonCode.BadUserNameOrPassword;
    const expected = this.users.get(username);
    const given = digest(password ?? Buffer.alloc(0));
    const match = timingSafeEqual(given, expected ?? this.decoy) && expected !== undefined;
    return match ? ReasonCode.Success : ReasonCode.BadUserNameOrPassword;
  }
}
