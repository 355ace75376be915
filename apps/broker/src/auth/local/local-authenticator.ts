import { ReasonCode } from '@nestmq/mqtt-protocol';
import type { Credentials } from '../authenticator';
import { AuthBackendError, ChainMember, Verdict } from '../chain/chain-member';
import { PasswordAuthenticator } from '../password-authenticator';

/**
 * `local` in AUTH_CHAIN: AUTH_USERS, the users table and ALLOW_ANONYMOUS (PasswordAuthenticator). It
 * always answers: it knows every name it will ever know, so after it nothing else is asked. An unknown
 * name and a wrong password get the same answer after the same bcrypt work.
 */
export class LocalAuthenticator implements ChainMember {
  readonly name = 'local';

  constructor(private readonly passwords: PasswordAuthenticator) {}

  /** The same comparison as a check, its answer dropped. */
  async equalize(credentials: Credentials): Promise<void> {
    await this.passwords.authenticate(credentials);
  }

  async check(credentials: Credentials): Promise<Verdict> {
    const result = await this.passwords.authenticate(credentials);
    switch (result.reasonCode) {
      case ReasonCode.Success:
        return { kind: 'allow', username: result.username, ...(result.roles && { roles: result.roles }), reason: result.username === undefined ? 'anonymous access' : 'password matches' };
      case ReasonCode.ServerUnavailable:
        throw new AuthBackendError('unavailable', 'the users table cannot be read');
      case ReasonCode.NotAuthorized:
        return { kind: 'deny', reasonCode: result.reasonCode, reason: 'no user name, and anonymous access is off' };
      default:
        // One reason for an unknown name and a wrong password: the log must not tell them apart either.
        return { kind: 'deny', reasonCode: result.reasonCode, reason: 'unknown user name or wrong password' };
    }
  }
}
