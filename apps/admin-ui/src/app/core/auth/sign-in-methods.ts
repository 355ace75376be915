import { Injectable } from '@angular/core';
import { SignInMethodsDocument } from '../../graphql/generated';
import { postGraphQL } from '../graphql/post-graphql';

/** Single sign-on as the broker offers it: the button's label and where it goes. */
export interface SsoMethod {
  label: string;
  loginUrl: string;
}

/** Asks the broker, before anyone is signed in, whether it offers single sign-on. */
@Injectable({ providedIn: 'root' })
export class SignInMethods {
  /** The single sign-on offered, or null (none, or the broker could not say: the password form still works). */
  async sso(): Promise<SsoMethod | null> {
    try {
      const data = await postGraphQL(SignInMethodsDocument, {});
      return data.signInMethods.oidc ?? null;
    } catch {
      return null;
    }
  }
}

/**
 * What the login page says for the broker's `?sso_error=` code. The page says it in its own words: the
 * code comes in the address, which anyone can write, so no text of the address is ever shown.
 */
export function ssoFailure(code: string, label: string): string {
  switch (code) {
    case 'cancelled':
      return `The sign-in with ${label} was cancelled.`;
    case 'provider_error':
      return `${label} could not sign you in. Try again, or sign in with your password.`;
    case 'expired':
      return 'That sign-in expired or was already used. Start again.';
    case 'rejected':
      return `The answer from ${label} could not be verified, so you were not signed in. Try again.`;
    case 'unavailable':
      return `${label} cannot be reached right now. Try again later, or sign in with your password.`;
    case 'no_role':
      return `Your ${label} account has neither the admin nor the viewer role on this broker. Ask an administrator to grant you one.`;
    default:
      return `Single sign-on did not complete. Try again.`;
  }
}
