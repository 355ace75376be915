import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { LoginResult } from '../admin-auth.types';
import { ClientAddress, Public } from '../admin-principal';
import { OIDC_PATH, OidcSignInService } from './oidc-sign-in.service';
import { SignInMethods } from './oidc.types';

@Resolver()
export class OidcResolver {
  constructor(private readonly signIn: OidcSignInService) {}

  @Public()
  @Query(() => SignInMethods, { description: 'How one may sign in: asked by the login page before anyone is signed in' })
  signInMethods(): SignInMethods {
    const label = this.signIn.label;
    // On OIDC_PUBLIC_URL, where the provider sends the browser back: the cookie that ties the sign-in to
    // the browser is set there, even when the page was opened under another name of the same broker.
    return { password: true, oidc: label === undefined ? null : { label, loginUrl: this.signIn.publicUrl(`${OIDC_PATH}/login`) } };
  }

  @Public()
  @Mutation(() => LoginResult, { description: 'The tokens of a single sign-on: trades the one-time code the sign-in ended with (/login/sso?code=...); a code works once, for a minute' })
  oidcSignIn(@Args('code') code: string, @ClientAddress() address: string): Promise<LoginResult> {
    return this.signIn.exchange(code, address) as Promise<LoginResult>;
  }
}
