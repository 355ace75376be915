import { ReasonCode } from '@nestmq/mqtt-protocol';

/** What a client presents in CONNECT. */
export interface Credentials {
  clientId: string;
  username?: string;
  password?: Buffer;
  remoteAddress: string;
  /** Aborted when the client goes away before the answer: an authenticator should stop waiting for it. */
  signal?: AbortSignal;
}

/** Which count of failed logins refused a CONNECT before its credentials were checked. */
export type ThrottledBy = 'address' | 'username';

/**
 * The decision: Success with the identity to use for ACLs (undefined = anonymous), or a CONNACK refusal;
 * `throttled` when the refusal came from too many failed logins rather than from these credentials.
 */
export type AuthResult =
  | { reasonCode: ReasonCode.Success; username: string | undefined }
  | { reasonCode: Exclude<ReasonCode, ReasonCode.Success>; throttled?: ThrottledBy };

/** Decides whether a client may connect. */
export interface Authenticator {
  authenticate(credentials: Credentials): Promise<AuthResult>;
}

export const AUTHENTICATOR = Symbol('AUTHENTICATOR');
