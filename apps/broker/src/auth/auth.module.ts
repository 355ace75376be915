import { Module } from '@nestjs/common';
import { AUTHENTICATOR } from './authenticator';
import { StaticAuthenticator } from './static-authenticator';

@Module({
  providers: [{ provide: AUTHENTICATOR, useClass: StaticAuthenticator }],
  exports: [AUTHENTICATOR],
})
export class AuthModule {}
