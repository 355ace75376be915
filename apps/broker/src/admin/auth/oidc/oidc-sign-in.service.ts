import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import * as oidc from 'openid-client';
import { BROKER_CONFIG, BrokerConfig } from '../../../config/broker-config';
import { unauthenticated } from '../../admin-error';
import { API_PREFIX } from '../../rest/rest-controller';
import { AdminAuthService, IssuedTokens } from '../admin-auth.service';
import { AdminRole } from '../admin-tokens';
import { ClaimMapping, roleOfClaims, userNameOfClaims } from './oidc-claims';
import { AuthorizationChecks, OidcRelyingParty } from './oidc-relying-party';
import { OidcSignInError } from './oidc-sign-in.error';
import { SingleUseStore } from './single-use-store';

/** Where the provider sends the browser back, under OIDC_PUBLIC_URL; also the path of the browser cookie. */
export const OIDC_PATH = `${API_PREFIX}/auth/oidc`;
export const CALLBACK_PATH = `${OIDC_PATH}/callback`;

/** Sign-ins started and not yet back: ten minutes to sign in at the provider, a few thousand at once. */
const PENDING_SECONDS = 600;
const MAX_PENDING = 5000;
/** The one-time code the login page trades for tokens: a minute, used once. */
const CODE_SECONDS = 60;
const MAX_CODES = 1000;

interface PendingSignIn extends AuthorizationChecks {
  /** The browser that started it (its cookie): a callback from another browser is refused. */
  browser: string;
}

interface SignedIn {
  username: string;
  role: AdminRole;
}

const random = (): string => randomBytes(32).toString('base64url');

/** Whether two strings are equal, in time that does not depend on where they differ. */
function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Admin single sign-on with OpenID Connect. A sign-in starts in the browser (start), comes back from
 * the provider (finish) with a code the broker trades for the user's claims, and ends in the login page,
 * which trades a one-time code of ours for the broker's own access and refresh tokens (exchange): tokens
 * never travel in a URL. The user is `oidc:<name>`, with the role the claims give, and has no row in the
 * users table; the login lasts OIDC_SESSION_LIFETIME at most.
 */
@Injectable()
export class OidcSignInService {
  private readonly logger = new Logger('AdminSignIn');
  private readonly party: OidcRelyingParty | undefined;
  private readonly mapping: ClaimMapping;
  private readonly pending = new SingleUseStore<PendingSignIn>(MAX_PENDING, PENDING_SECONDS * 1000);
  private readonly codes = new SingleUseStore<SignedIn>(MAX_CODES, CODE_SECONDS * 1000);

  constructor(
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    private readonly auth: AdminAuthService,
  ) {
    this.mapping = { usernameClaim: config.oidcUsernameClaim, roleClaim: config.oidcRoleClaim, adminValues: config.oidcAdminValues, viewerValues: config.oidcViewerValues };
    if (config.oidcIssuer !== undefined && config.oidcClientId !== undefined && config.oidcPublicUrl !== undefined) {
      this.party = new OidcRelyingParty({
        issuer: config.oidcIssuer,
        clientId: config.oidcClientId,
        clientSecret: config.oidcClientSecret,
        redirectUrl: this.publicUrl(CALLBACK_PATH),
        scopes: config.oidcScopes,
        timeout: config.oidcTimeout,
      });
    }
  }

  /** The button's label when single sign-on is configured, else undefined. */
  get label(): string | undefined {
    return this.party === undefined ? undefined : this.config.oidcLabel;
  }

  /** An address under OIDC_PUBLIC_URL (which may have a path of its own). */
  publicUrl(path: string): string {
    const base = this.config.oidcPublicUrl ?? '';
    return `${base.replace(/\/+$/, '')}${path}`;
  }

  /** Starts a sign-in for the browser with this cookie value (a new one when it has none): where to send it. */
  async start(browser: string | undefined): Promise<{ url: string; browser: string }> {
    const party = this.required();
    const checks = { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier() };
    const owner = browser !== undefined && /^[\w-]{43}$/.test(browser) ? browser : random();
    const url = await party.authorizationUrl(checks).catch((e: unknown) => this.failed(e));
    this.pending.put(checks.state, { ...checks, browser: owner });
    return { url: url.href, browser: owner };
  }

  /**
   * The provider sent the browser back: checks that this browser started the sign-in and the state is
   * unused and fresh, trades the code, and maps the claims to a role. Returns the one-time code.
   */
  async finish(callbackUrl: URL, browser: string | undefined): Promise<string> {
    const party = this.required();
    const params = callbackUrl.searchParams;
    const state = params.get('state');
    const started = state === null ? undefined : this.pending.take(state);
    if (params.has('error')) {
      const error = params.get('error') ?? '';
      throw new OidcSignInError(error === 'access_denied' ? 'cancelled' : 'provider_error', `the provider answered ${error.slice(0, 100)}`);
    }
    if (started === undefined || browser === undefined || !same(started.browser, browser)) {
      throw new OidcSignInError('expired', 'the state is missing, unknown, expired, already used, or from another browser');
    }
    const wanted = [this.mapping.roleClaim, this.mapping.usernameClaim];
    const claims = await party.claims(callbackUrl, started, wanted).catch((e: unknown) => this.failed(e));
    const username = userNameOfClaims(claims, this.mapping);
    const role = roleOfClaims(claims, this.mapping);
    if (role === undefined) {
      this.logger.warn(`single sign-on refused for ${username}: the claim ${this.mapping.roleClaim} gives neither the admin nor the viewer role`);
      throw new OidcSignInError('no_role', `${username} has neither the admin nor the viewer role`);
    }
    const code = random();
    this.codes.put(code, { username, role });
    return code;
  }

  /** The broker's tokens for a one-time code from finish: once, within a minute. */
  async exchange(code: string, address: string): Promise<IssuedTokens> {
    const signedIn = this.party === undefined ? undefined : this.codes.take(code);
    if (signedIn === undefined) throw unauthenticated('the sign-in code is not valid, has expired or was already used; sign in again');
    const until = Math.floor(Date.now() / 1000 + this.config.oidcSessionLifetime);
    return this.auth.openExternal(signedIn.username, { role: signedIn.role, until }, address);
  }

  private required(): OidcRelyingParty {
    if (this.party === undefined) throw new OidcSignInError('unavailable', 'single sign-on is not configured (OIDC_ISSUER)');
    return this.party;
  }

  /** Logs a failure of the provider (never a token or the client secret: neither is in these messages). */
  private failed(e: unknown): never {
    const failure = e instanceof OidcSignInError ? e : new OidcSignInError('unavailable', e instanceof Error ? e.message : String(e));
    this.logger.warn(`single sign-on failed (${failure.failure}): ${failure.message}`);
    throw failure;
  }
}
