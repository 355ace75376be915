import { ReasonCode } from '@nestmq/mqtt-protocol';
import { isDatabaseUnavailable } from '@nestmq/persistence';
import { randomBytes } from 'node:crypto';
import type { AuthExchange, ExchangeContext, ExchangeStep } from '../enhanced/enhanced-auth';
import type { LoginThrottle } from '../login-throttle';
import { ClientFirst, ScramMessageError, parseClientFinal, parseClientFirst, serverError, serverFinal, serverFirst } from './scram-messages';
import { proofMatches, serverSignature } from './scram-keys';
import type { ScramLookup } from './scram-users';

/** Where an exchange finds a user's credentials (ScramUsers; a test's own table). */
export interface ScramUserSource {
  lookup(username: string): Promise<ScramLookup>;
}

/** Milliseconds a credential lookup may take: a users table that hangs answers 0x88, as one that fails. */
export const SCRAM_LOOKUP_TIMEOUT_MS = 5000;

/** The users table did not answer in time. */
class LookupTimeout extends Error {}

/** Bytes of randomness the server adds to the client's nonce. */
const SERVER_NONCE_BYTES = 18;

const BY = 'scram';
/** One reason for every failed proof: the log must not tell an unknown name from a wrong password either. */
const WRONG = 'unknown user name, wrong password, or no SCRAM credentials yet';

/**
 * One SCRAM-SHA-256 exchange, server side (RFC 5802 §3): client-first -> server-first (AUTH 0x18),
 * client-final -> server-final (CONNACK or AUTH 0x00 with `v=`), or a refusal with `e=`.
 *
 * A proof is checked with three hashes whether the name is known or not, against made-up credentials for
 * an unknown one, so the answer and its timing are those of a wrong password. Failed proofs count in the
 * login throttle like failed passwords, and a throttled name or address is refused (0x9F) before its
 * credentials are looked up.
 */
export class ScramExchange implements AuthExchange {
  private first: ClientFirst | undefined;
  private nonce = '';
  private serverFirstMessage = '';
  private user: ScramLookup | undefined;
  private done = false;

  constructor(
    private readonly users: ScramUserSource,
    private readonly throttle: LoginThrottle | null,
    private readonly context: ExchangeContext,
    private readonly lookupTimeoutMs = SCRAM_LOOKUP_TIMEOUT_MS,
  ) {}

  async step(data: Buffer | undefined): Promise<ExchangeStep> {
    if (this.done) return { kind: 'failure', reasonCode: ReasonCode.ProtocolError, reasonString: 'the SCRAM exchange is over' };
    try {
      return this.first === undefined ? await this.clientFirst(data) : this.clientFinal(data);
    } catch (e) {
      this.done = true;
      // The users table cannot be read: the client retries later rather than doubting its password.
      if (e instanceof LookupTimeout) {
        const reason = `timeout: the users table did not answer within ${this.lookupTimeoutMs} ms`;
        return { kind: 'failure', reasonCode: ReasonCode.ServerUnavailable, reasonString: 'the users cannot be read now', decision: { by: BY, reason }, backendFailed: true };
      }
      if (isDatabaseUnavailable(e)) {
        return { kind: 'failure', reasonCode: ReasonCode.ServerUnavailable, reasonString: 'the users cannot be read now', decision: { by: BY, reason: 'unavailable: the users table cannot be read' }, backendFailed: true };
      }
      return { kind: 'failure', reasonCode: ReasonCode.UnspecifiedError, reasonString: 'SCRAM failed', decision: { by: BY, reason: `error: ${e instanceof Error ? e.name : 'unknown'}` } };
    }
  }

  private async clientFirst(data: Buffer | undefined): Promise<ExchangeStep> {
    const first = parseClientFirst(data);
    if (first instanceof ScramMessageError) return this.malformed(first);
    const { reauthenticating } = this.context;
    if (reauthenticating !== undefined && reauthenticating.username !== first.username) {
      this.done = true;
      return { kind: 'failure', reasonCode: ReasonCode.NotAuthorized, data: Buffer.from(serverError('other-error')), reasonString: 're-authentication must be for the connected user', username: first.username, decision: { by: BY, reason: 're-authentication for another user name' } };
    }
    const throttled = this.throttle?.refusal(this.context.remoteAddress, first.username);
    if (throttled !== undefined) {
      this.done = true;
      return { kind: 'failure', reasonCode: ReasonCode.ConnectionRateExceeded, reasonString: 'too many failed logins', username: first.username, throttled };
    }
    this.user = await this.lookup(first.username);
    this.first = first;
    this.nonce = first.clientNonce + randomBytes(SERVER_NONCE_BYTES).toString('base64');
    this.serverFirstMessage = serverFirst(this.nonce, this.user.credentials.salt, this.user.credentials.iterations);
    return { kind: 'continue', data: Buffer.from(this.serverFirstMessage) };
  }

  private clientFinal(data: Buffer | undefined): ExchangeStep {
    this.done = true;
    const first = this.first!;
    const final = parseClientFinal(data, first.gs2Header, this.nonce);
    if (final instanceof ScramMessageError) return this.malformed(final);
    const authMessage = `${first.bare},${this.serverFirstMessage},${final.withoutProof}`;
    const { credentials, known } = this.user!;
    // Both checks run whatever the first says: the same work for an unknown name as for a wrong password.
    const matches = proofMatches(credentials, authMessage, final.proof);
    if (!matches || !known) {
      this.throttle?.failed(this.context.remoteAddress, first.username);
      return { kind: 'failure', reasonCode: ReasonCode.BadUserNameOrPassword, data: Buffer.from(serverError('invalid-proof')), reasonString: 'bad user name or password', username: first.username, decision: { by: BY, reason: WRONG } };
    }
    this.throttle?.succeeded(first.username);
    return { kind: 'success', username: first.username, data: Buffer.from(serverFinal(serverSignature(credentials, authMessage))), decision: { by: BY, reason: 'SCRAM-SHA-256 proof matches' } };
  }

  private lookup(username: string): Promise<ScramLookup> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new LookupTimeout()), this.lookupTimeoutMs)));
    return Promise.race([this.users.lookup(username), timeout]).finally(() => clearTimeout(timer));
  }

  /** A message that breaks SCRAM's grammar: refused with its `e=` value, never counted as a guess. */
  private malformed(error: ScramMessageError): ExchangeStep {
    this.done = true;
    return {
      kind: 'failure',
      ...(this.first && { username: this.first.username }),
      reasonCode: ReasonCode.NotAuthorized,
      data: Buffer.from(serverError(error.value)),
      reasonString: `SCRAM: ${error.detail}`,
      decision: { by: BY, reason: `malformed SCRAM message: ${error.detail}` },
    };
  }
}
