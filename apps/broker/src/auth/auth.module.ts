import { Module } from '@nestjs/common';
import { AdminBootstrap } from './admin-bootstrap';
import { AUTHENTICATOR } from './authenticator';
import { PasswordAuthenticator } from './password-authenticator';

@Module({
  providers: [{ provide: AUTHENTICATOR, useClass: PasswordAuthenticator }, AdminBootstrap],
  exports: [AUTHENTICATOR],
})
export class AuthModule {}
