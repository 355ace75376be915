import { ReasonCode } from '@nestmq/mqtt-protocol';

/** What a client presents in CONNECT. */
export interface Credentials {
  clientId: string;
  username?: string;
  password?: Buffer;
  remoteAddress: string;
}

/** Decides whether a client may connect: Success, or the CONNACK reason code to refuse with. */
export interface Authenticator {
  authenticate(credentials: Credentials): Promise<ReasonCode>;
}

export const AUTHENTICATOR = Symbol('AUTHENTICATOR');
