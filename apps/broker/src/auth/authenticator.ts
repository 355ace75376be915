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

/** The decision: Success with the identity to use for ACLs (undefined = anonymous), or a CONNACK refusal. */
export type AuthResult = { reasonCode: ReasonCode.Success; username: string | undefined } | { reasonCode: Exclude<ReasonCode, ReasonCode.Success> };

/** Decides whether a client may connect. */
export interface Authenticator {
  authenticate(credentials: Credentials): Promise<AuthResult>;
}

export const AUTHENTICATOR = Symbol('AUTHENTICATOR');
