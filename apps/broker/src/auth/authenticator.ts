import { ReasonCode } from '@nestmq/mqtt-protocol';
import type { IdentityAcl } from './identity-acl';

/** What a client presents in CONNECT. */
export interface Credentials {
  clientId: string;
  username?: string;
  password?: Buffer;
  remoteAddress: string;
  /** The identity of the client's TLS certificate, verified against TLS_CA_FILE (TLS_IDENTITY); undefined without one. */
  certificateIdentity?: string;
  /** 3, 4 or 5; undefined where no CONNECT is behind the check. */
  protocolVersion?: number;
  /** Aborted when the client goes away before the answer: an authenticator should stop waiting for it. */
  signal?: AbortSignal;
}

/** Which count of failed logins refused a CONNECT before its credentials were checked. */
export type ThrottledBy = 'address' | 'username';

/** Which authenticator decided, and why, in words for the session log (never a secret). */
export interface AuthDecision {
  /** `local`, `jwt`, `http`, `cert`, or `chain` when none claimed the credentials; `scram` for enhanced authentication. */
  by: string;
  reason: string;
}

/**
 * The decision: Success with the identity to use for ACLs (undefined = anonymous), or a CONNACK refusal;
 * `throttled` when the refusal came from too many failed logins rather than from these credentials;
 * `backendFailed` when a backend could not answer (0x88), so the refusal is counted as such.
 */
export type AuthResult =
  | {
      reasonCode: ReasonCode.Success;
      username: string | undefined;
      /** Roles the authenticator gave the identity (a JWT claim, the HTTP hook's answer, LDAP groups, the users table's roles for `local`; none for AUTH_USERS). */
      roles?: readonly string[];
      /** The identity's own topic lists: a restriction on top of the broker's rules (see IdentityAcl). */
      acl?: IdentityAcl;
      /** Epoch ms after which the credentials are no longer valid (a token's `exp`): the connection is then closed. */
      expiresAt?: number;
      decision?: AuthDecision;
    }
  | { reasonCode: Exclude<ReasonCode, ReasonCode.Success>; throttled?: ThrottledBy; backendFailed?: boolean; decision?: AuthDecision };

/** Decides whether a client may connect. */
export interface Authenticator {
  authenticate(credentials: Credentials): Promise<AuthResult>;
}

export const AUTHENTICATOR = Symbol('AUTHENTICATOR');
