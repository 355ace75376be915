import { Module } from '@nestjs/common';
import { AdminAuthModule } from '../admin-auth.module';
import { OidcController } from './oidc.controller';
import { OidcResolver } from './oidc.resolver';
import { OidcSignInService } from './oidc-sign-in.service';

/** Admin single sign-on with OpenID Connect; the routes answer 404 and signInMethods says so when it is not configured. */
@Module({
  imports: [AdminAuthModule],
  controllers: [OidcController],
  providers: [OidcSignInService, OidcResolver],
})
export class OidcModule {}
