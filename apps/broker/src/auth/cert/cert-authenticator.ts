import { ReasonCode } from '@nestmq/mqtt-protocol';
import type { Credentials } from '../authenticator';
import type { ChainMember, Verdict } from '../chain/chain-member';
import type { CertificateIdentityKind } from './certificate-identity';

/**
 * `cert` in AUTH_CHAIN: a client certificate verified against TLS_CA_FILE names the user (TLS_IDENTITY),
 * and no password is needed; a password sent with it is not checked. No verified certificate: not mine,
 * the next authenticator is asked.
 *
 * A CONNECT user name that differs from the certificate's identity is refused with 0x86 rather than
 * replaced: a device configured with one name and holding another's certificate is a mistake (or an
 * attempt) someone should see, and a silent swap would give it rules written for a name it never sent.
 * No user name at all is the usual case: the certificate's is used.
 */
export class CertAuthenticator implements ChainMember {
  readonly name = 'cert';

  constructor(private readonly kind: CertificateIdentityKind) {}

  check({ username, certificateIdentity }: Credentials): Promise<Verdict> {
    if (certificateIdentity === undefined) return Promise.resolve({ kind: 'ignore', reason: 'no verified client certificate' });
    if (username !== undefined && username !== certificateIdentity) {
      return Promise.resolve({
        kind: 'deny',
        reasonCode: ReasonCode.BadUserNameOrPassword,
        reason: `the user name differs from the certificate's ${this.kind} ${certificateIdentity}`,
      });
    }
    return Promise.resolve({ kind: 'allow', username: certificateIdentity, reason: `certificate verified, ${this.kind} ${certificateIdentity}` });
  }
}
