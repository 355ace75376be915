import { ReasonCode } from '@nestmq/mqtt-protocol';
import type { AuthDecision, ThrottledBy } from '../authenticator';

/** Who is authenticating, for one exchange (at CONNECT, or a re-authentication of a live connection). */
export interface ExchangeContext {
  clientId: string;
  remoteAddress: string;
  /**
   * Set for a re-authentication: the identity the connection already has. The exchange must prove the
   * same one: a connection never changes user halfway, with another user's ACLs and sessions.
   */
  reauthenticating?: { username: string | undefined };
}

/**
 * What one step of an exchange answers. `continue`: AUTH 0x18 with this Authentication Data, and the
 * client's next AUTH is the next step. `success`: the client is who it says (CONNACK 0x00 or AUTH 0x00,
 * with the final data). `failure`: refused with `reasonCode` (a CONNACK code; a re-authentication ends
 * with the DISCONNECT nearest to it), the method's error in `data`, and words for the Reason String.
 */
export type ExchangeStep =
  | { kind: 'continue'; data: Buffer }
  | { kind: 'success'; username: string; data?: Buffer; decision: AuthDecision }
  | {
      kind: 'failure';
      reasonCode: Exclude<ReasonCode, ReasonCode.Success>;
      data?: Buffer;
      reasonString: string;
      /** The user name the client claimed in the exchange, for the login audit trail. */
      username?: string;
      decision?: AuthDecision;
      throttled?: ThrottledBy;
      backendFailed?: boolean;
    };

/** One enhanced authentication exchange (MQTT 5.0 §4.12), fed the Authentication Data of each client packet. */
export interface AuthExchange {
  /** Never rejects: whatever goes wrong is a `failure` step. */
  step(data: Buffer | undefined): Promise<ExchangeStep>;
}

/** An Authentication Method the broker offers. */
export interface EnhancedAuthMethod {
  /** As it appears in the Authentication Method property: compared exactly. */
  readonly name: string;
  begin(context: ExchangeContext): AuthExchange;
}

/** The methods of AUTH_METHODS, by name. */
export class EnhancedAuthMethods {
  private readonly byName: ReadonlyMap<string, EnhancedAuthMethod>;

  constructor(methods: readonly EnhancedAuthMethod[]) {
    this.byName = new Map(methods.map((m) => [m.name, m]));
  }

  /** A new exchange, or undefined when the method is not offered (CONNACK 0x8C). */
  begin(method: string, context: ExchangeContext): AuthExchange | undefined {
    return this.byName.get(method)?.begin(context);
  }
}

export const ENHANCED_AUTH = Symbol('ENHANCED_AUTH');
