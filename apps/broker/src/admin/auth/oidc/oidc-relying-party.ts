import * as oidc from 'openid-client';
import { OidcSignInError } from './oidc-sign-in.error';

export interface RelyingPartyOptions {
  issuer: string;
  clientId: string;
  /** Undefined: a public client, which proves itself with PKCE alone. */
  clientSecret?: string;
  redirectUrl: string;
  scopes: string;
  /** Seconds each request to the provider may take. */
  timeout: number;
}

/** What the authorization request is checked against when the browser comes back. */
export interface AuthorizationChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;

/** After a discovery document could not be read, sign-ins are told the provider is unavailable for this long. */
const DISCOVERY_RETRY_MS = 10_000;

/**
 * The broker as an OpenID Connect client: it reads the provider's discovery document when first needed
 * (a provider down at start-up does not stop the broker; a sign-in 10 s after a failure tries again), sends the browser
 * there with PKCE (S256), state and nonce, and trades the code for an ID token that openid-client checks
 * (signature, issuer, audience, expiry, nonce). Every request is bounded by the timeout.
 */
export class OidcRelyingParty {
  private configuration: Promise<oidc.Configuration> | undefined;

  constructor(private readonly options: RelyingPartyOptions) {}

  /** Where to send the browser to sign in. */
  async authorizationUrl(checks: AuthorizationChecks): Promise<URL> {
    const config = await this.discovered();
    return oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.options.redirectUrl,
      scope: this.options.scopes,
      state: checks.state,
      nonce: checks.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(checks.codeVerifier),
      code_challenge_method: 'S256',
    });
  }

  /**
   * The claims of the user the provider sent back: the ID token's, with the UserInfo answer's added when
   * the ID token lacks one that the broker reads (many providers put groups only there).
   */
  async claims(callbackUrl: URL, checks: AuthorizationChecks, wanted: readonly string[]): Promise<Record<string, unknown>> {
    const config = await this.discovered();
    try {
      const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: checks.codeVerifier,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        idTokenExpected: true,
      });
      const claims: Record<string, unknown> = { ...tokens.claims() };
      const missing = wanted.some((name) => !(name.split('.')[0] in claims));
      if (missing && config.serverMetadata().userinfo_endpoint !== undefined) {
        const info = await oidc.fetchUserInfo(config, tokens.access_token, String(claims.sub));
        // The ID token's claims win: they are signed.
        return { ...info, ...claims };
      }
      return claims;
    } catch (e) {
      throw this.failure(e);
    }
  }

  private discovered(): Promise<oidc.Configuration> {
    this.configuration ??= this.discover().catch((e: unknown) => {
      // Tried again after a pause, not by every sign-in meanwhile: a crowd at the login page while the
      // provider is down would otherwise send it one request (and the log one line) each.
      setTimeout(() => (this.configuration = undefined), DISCOVERY_RETRY_MS).unref();
      throw e;
    });
    return this.configuration;
  }

  private async discover(): Promise<oidc.Configuration> {
    const { issuer, clientId, clientSecret, timeout } = this.options;
    const url = new URL(issuer);
    try {
      return await oidc.discovery(url, clientId, clientSecret, clientSecret === undefined ? oidc.None() : undefined, {
        timeout,
        // Plain http is refused by openid-client; the configuration allows it for loopback addresses only.
        execute: url.protocol === 'http:' && LOOPBACK.test(url.hostname) ? [oidc.allowInsecureRequests] : [],
      });
    } catch (e) {
      throw new OidcSignInError('unavailable', `cannot read the discovery document of ${issuer}: ${reason(e)}`);
    }
  }

  private failure(e: unknown): OidcSignInError {
    if (e instanceof OidcSignInError) return e;
    if (unreachable(e)) return new OidcSignInError('unavailable', `the provider did not answer: ${reason(e)}`);
    if (e instanceof oidc.AuthorizationResponseError) {
      return new OidcSignInError(e.error === 'access_denied' ? 'cancelled' : 'provider_error', `the provider answered ${e.error}`);
    }
    // A refusal by the token or UserInfo endpoint, or an answer that failed a check: nobody is signed in.
    if (e instanceof oidc.ResponseBodyError && e.status >= 500) return new OidcSignInError('unavailable', `the provider failed: ${e.status} ${e.error}`);
    if (e instanceof oidc.ResponseBodyError) return new OidcSignInError('rejected', `the provider refused the code: ${e.error}`);
    // A 5xx page or a proxy's HTML where JSON was due: the provider is not working, rather than saying no.
    if (e instanceof oidc.ClientError && (e.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' || e.code === 'OAUTH_RESPONSE_IS_NOT_JSON')) {
      return new OidcSignInError('unavailable', `the provider's token endpoint is not working: ${e.message}`);
    }
    if (e instanceof oidc.ClientError) return new OidcSignInError('rejected', `the provider's answer failed a check: ${e.message}`);
    return new OidcSignInError('unavailable', `the provider did not answer: ${reason(e)}`);
  }
}

/**
 * Whether the request never got an answer: refused, reset, unresolved, or timed out. openid-client passes
 * fetch's TypeError on, or wraps it (and timeouts) in a ClientError: the cause chain tells either way.
 * Read by name and code, not instanceof: fetch's errors may come from another realm (a VM context).
 */
function unreachable(e: unknown): boolean {
  for (let cause = e, depth = 0; typeof cause === 'object' && cause !== null && depth < 5; cause = (cause as { cause?: unknown }).cause, depth++) {
    const { name, message, code } = cause as { name?: string; message?: string; code?: string };
    if (name === 'TimeoutError' || name === 'AbortError' || code === 'OAUTH_TIMEOUT' || code === 'OAUTH_ABORT') return true;
    if ((name === 'TypeError' && message === 'fetch failed') || /^(E[A-Z]+|UND_ERR_\w+)$/.test(code ?? '')) return true;
  }
  return false;
}

/** A failure's reason, down to the network's (fetch hides it in `cause`). */
function reason(e: unknown): string {
  if (typeof e !== 'object' || e === null || typeof (e as Error).message !== 'string') return String(e);
  const error = e as Error & { cause?: { message?: unknown; cause?: { message?: unknown } } };
  if (error.name === 'TimeoutError' || error.name === 'AbortError' || /timed out|aborted/.test(error.message)) return 'no answer in time';
  const causes = [error.cause?.message, error.cause?.cause?.message].filter((m) => typeof m === 'string');
  return [error.message, ...causes].join(': ');
}
