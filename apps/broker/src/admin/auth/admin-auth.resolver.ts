import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { AccessClaims } from './admin-tokens';
import { AdminAccount, LoginResult } from './admin-auth.types';
import { AdminAuthService } from './admin-auth.service';
import { ClientAddress, CurrentAdmin, Public } from './admin-principal';

@Resolver()
export class AdminAuthResolver {
  constructor(private readonly auth: AdminAuthService) {}

  @Public()
  @Mutation(() => LoginResult, { description: 'Signs in a user with the admin or viewer role' })
  login(@Args('username') username: string, @Args('password') password: string, @ClientAddress() address: string): Promise<LoginResult> {
    return this.auth.login(username, password, address) as Promise<LoginResult>;
  }

  @Public()
  @Mutation(() => LoginResult, { description: 'New tokens for a refresh token, which is spent' })
  refreshToken(@Args('token') token: string): Promise<LoginResult> {
    return this.auth.refresh(token) as Promise<LoginResult>;
  }

  @Mutation(() => Boolean, { description: 'Ends this login: its refresh token and access tokens stop working' })
  logout(@CurrentAdmin() admin: AccessClaims): Promise<boolean> {
    return this.auth.logout(admin);
  }

  @Query(() => AdminAccount, { description: 'Who is signed in' })
  me(@CurrentAdmin() admin: AccessClaims): AdminAccount {
    return this.auth.account(admin) as AdminAccount;
  }
}
