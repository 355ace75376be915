import { ReasonCode } from '@nestmq/mqtt-protocol';
import { AuthResult, Authenticator, Credentials } from '../authenticator';
import { AuthBackendError, ChainMember } from './chain-member';

/**
 * The authenticators of AUTH_CHAIN, asked in order: each allows (with the identity), denies (with a
 * reason code) or says the credentials are not its kind, and then the next one is asked. The first
 * definite answer wins. When none claims the credentials, the client is refused as the local check
 * alone would refuse it: 0x87 Not authorized without a user name (or let in as anonymous with
 * ALLOW_ANONYMOUS), 0x86 Bad user name or password with one.
 *
 * A backend that cannot answer (timeout, unreachable, an answer it cannot read) ends the chain with 0x88
 * Server unavailable (3.1.1: 3): the client retries later rather than taking its credentials for wrong,
 * and a later authenticator never decides in the place of one that could not. Every authenticator bounds
 * its own wait, so no CONNECT waits without end; nothing a member throws escapes the chain.
 *
 * A denial takes as long as falling through would have: the later members that can (`local`'s bcrypt
 * comparison) do their work on the same credentials before the answer goes out. Otherwise, with
 * `http,local` or `ldap,local`, a wrong password for a name the backend knows would be answered faster
 * than any name it does not know (passed on to `local`), and the time would tell which names exist there.
 */
export class AuthenticatorChain implements Authenticator {
  constructor(
    readonly members: readonly ChainMember[],
    private readonly allowAnonymous: boolean,
  ) {}

  async authenticate(credentials: Credentials): Promise<AuthResult> {
    const passed: string[] = [];
    for (const [i, member] of this.members.entries()) {
      let verdict;
      try {
        verdict = await member.check(credentials);
      } catch (e) {
        // The client left: its answer is nobody's business; the throttle counts the abandoned check.
        if (credentials.signal?.aborted) throw e;
        const reason = e instanceof AuthBackendError ? `${e.code}: ${e.message}` : `error: ${e instanceof Error ? e.name : 'unknown'}`;
        return { reasonCode: ReasonCode.ServerUnavailable, backendFailed: true, decision: { by: member.name, reason } };
      }
      const decision = { by: member.name, reason: verdict.reason };
      if (verdict.kind === 'allow') {
        const { username, roles, acl, expiresAt } = verdict;
        return { reasonCode: ReasonCode.Success, username, ...(roles && { roles }), ...(acl && { acl }), ...(expiresAt !== undefined && { expiresAt }), decision };
      }
      if (verdict.kind === 'deny') {
        await this.equalizeAfter(i, credentials);
        return { reasonCode: verdict.reasonCode, decision };
      }
      passed.push(`${member.name}: ${verdict.reason}`);
    }
    const reason = `no authenticator claimed the credentials (${passed.join('; ')})`;
    if (credentials.username === undefined && credentials.password === undefined && this.allowAnonymous) {
      return { reasonCode: ReasonCode.Success, username: undefined, decision: { by: 'chain', reason: `${reason}; anonymous access` } };
    }
    return { reasonCode: credentials.username === undefined ? ReasonCode.NotAuthorized : ReasonCode.BadUserNameOrPassword, decision: { by: 'chain', reason } };
  }

  private async equalizeAfter(denied: number, credentials: Credentials): Promise<void> {
    for (let j = denied + 1; j < this.members.length; j++) {
      const member = this.members[j];
      if (member.equalize === undefined) continue;
      try {
        await member.equalize(credentials);
      } catch (e) {
        if (credentials.signal?.aborted) throw e;
        // Its answer was never wanted, nor is its trouble: the denial stands.
      }
    }
  }
}
