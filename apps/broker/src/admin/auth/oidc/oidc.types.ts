import { Field, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'Single sign-on with an OpenID Connect provider' })
export class OidcSignInMethod {
  @Field({ description: 'The provider\'s name, for a "Sign in with <label>" button (OIDC_LABEL)' })
  label!: string;

  @Field({ description: 'Where the browser goes to sign in (on OIDC_PUBLIC_URL); it comes back to /login/sso?code=..., traded with oidcSignIn' })
  loginUrl!: string;
}

@ObjectType({ description: 'How one may sign in to the admin API, for the login page to offer' })
export class SignInMethods {
  @Field({ description: 'A user name and password (the login mutation): always offered' })
  password!: boolean;

  @Field(() => OidcSignInMethod, { nullable: true, description: 'Single sign-on, when configured' })
  oidc!: OidcSignInMethod | null;
}
