import { Body, Get, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { Problems, RestController } from '../rest/rest-controller';
import { RestInput } from '../rest/rest-input.pipe';
import { AccessClaims } from './admin-tokens';
import { AdminAccount, Credentials, LoginResult, RefreshTokenInput } from './admin-auth.types';
import { AdminAuthService } from './admin-auth.service';
import { ClientAddress, CurrentAdmin, Public } from './admin-principal';

@RestController('auth')
export class AdminAuthController {
  constructor(private readonly auth: AdminAuthService) {}

  @Public()
  @Post('login')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Signs in a user with the admin or viewer role; failures are throttled per address and user name, and every refusal reads the same' })
  @ApiOkResponse({ type: LoginResult, description: 'Signed in' })
  @Problems(HttpStatus.BAD_REQUEST, [HttpStatus.UNAUTHORIZED, 'A wrong user name or password, a user without the admin or viewer role, or too many failed logins'])
  login(@Body(RestInput) credentials: Credentials, @ClientAddress() address: string): Promise<LoginResult> {
    return this.auth.login(credentials.username, credentials.password, address) as Promise<LoginResult>;
  }

  @Public()
  @Post('refresh')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'New tokens for a refresh token, which is spent; a spent one used again ends the login' })
  @ApiOkResponse({ type: LoginResult, description: 'New tokens' })
  @Problems(HttpStatus.BAD_REQUEST, [HttpStatus.UNAUTHORIZED, 'The refresh token is not valid, has expired, was already used (which ends its login), or its user may no longer sign in'])
  refresh(@Body(RestInput) input: RefreshTokenInput): Promise<LoginResult> {
    return this.auth.refresh(input.refreshToken) as Promise<LoginResult>;
  }

  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Ends this login: its refresh token and access tokens stop working' })
  @ApiNoContentResponse({ description: 'The login has ended' })
  async logout(@CurrentAdmin() admin: AccessClaims): Promise<void> {
    await this.auth.logout(admin);
  }

  @Get('me')
  @ApiOperation({ summary: 'Who is signed in' })
  @ApiOkResponse({ type: AdminAccount, description: 'The signed-in user' })
  me(@CurrentAdmin() admin: AccessClaims): AdminAccount {
    return this.auth.account(admin) as AdminAccount;
  }
}
