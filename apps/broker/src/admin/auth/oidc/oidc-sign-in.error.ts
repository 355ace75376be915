/**
 * Why a single sign-on did not sign anyone in. The callback sends the browser to the login page with
 * the code (never with a message of the provider's, which the page could not trust), and the page says
 * what it means.
 */
export type OidcFailure =
  /** The provider answered `access_denied`: the user cancelled, or the provider would not let them in. */
  | 'cancelled'
  /** The provider answered with another error. */
  | 'provider_error'
  /** The callback's state is unknown, expired, already used, or from another browser. */
  | 'expired'
  /** The provider's answer could not be verified (code refused, ID token not valid, nonce mismatch). */
  | 'rejected'
  /** The provider could not be reached, or did not answer within OIDC_TIMEOUT. */
  | 'unavailable'
  /** Signed in at the provider, but the claims give neither the admin nor the viewer role. */
  | 'no_role';

export class OidcSignInError extends Error {
  constructor(
    readonly failure: OidcFailure,
    message: string,
  ) {
    super(message);
  }
}
