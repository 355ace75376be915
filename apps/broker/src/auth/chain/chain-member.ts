import { ReasonCode } from '@nestmq/mqtt-protocol';
import type { Credentials } from '../authenticator';
import type { IdentityAcl } from '../identity-acl';

/** The authenticators AUTH_CHAIN may name, one folder each under auth/. */
export const AUTHENTICATOR_NAMES = ['local', 'jwt', 'http', 'cert', 'ldap'] as const;
export type AuthenticatorName = (typeof AUTHENTICATOR_NAMES)[number];

/** What one authenticator of the chain answers. */
export type Verdict =
  | {
      kind: 'allow';
      username: string | undefined;
      roles?: readonly string[];
      acl?: IdentityAcl;
      expiresAt?: number;
      reason: string;
    }
  | { kind: 'deny'; reasonCode: Exclude<ReasonCode, ReasonCode.Success>; reason: string }
  /** Not mine: these credentials are not of the kind this authenticator checks; the next one is asked. */
  | { kind: 'ignore'; reason: string };

/** Why a backend could not answer: the CONNECT is refused with 0x88 Server unavailable, and counted. */
export type BackendFailure = 'timeout' | 'unreachable' | 'bad-answer' | 'unavailable';

/** A backend could not answer. Its message names the backend's trouble, never a credential. */
export class AuthBackendError extends Error {
  override readonly name = 'AuthBackendError';
  constructor(
    readonly code: BackendFailure,
    message: string,
  ) {
    super(message);
  }
}

/** One authenticator of the chain. */
export interface ChainMember {
  readonly name: AuthenticatorName;
  check(credentials: Credentials): Promise<Verdict>;
  /**
   * Does the work a check of these credentials would cost, and answers nothing: run by the chain when an
   * earlier authenticator denied them (see AuthenticatorChain). Only members whose work is local and free
   * of side effects have it; a backend on the network is never asked for show.
   */
  equalize?(credentials: Credentials): Promise<void>;
}
