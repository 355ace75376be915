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
    return { password: true, oidc: label === undefined ? null : { label, loginUrl: `${OIDC_PATH}/login` } };
  }

  @Public()
  @Mutation(() => LoginResult, { description: 'The tokens of a single sign-on: trades the one-time code the sign-in ended with (/login/sso?code=...); a code works once, for a minute' })
  oidcSignIn(@Args('code') code: string, @ClientAddress() address: string): Promise<LoginResult> {
    return this.signIn.exchange(code, address) as Promise<LoginResult>;
  }
}
