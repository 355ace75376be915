import { Module } from '@nestjs/common';
import { BROKER_CONFIG, BrokerConfig } from '../config/broker-config';
import { AdminBootstrap } from './admin-bootstrap';
import { AUTHENTICATOR, Authenticator } from './authenticator';
import { LoginThrottle, ThrottledAuthenticator } from './login-throttle';
import { PasswordAuthenticator } from './password-authenticator';

/** Failed logins are throttled whatever checks the credentials; with every limit off, nothing is counted. */
function throttled(config: BrokerConfig, passwords: PasswordAuthenticator): Authenticator {
  const throttle = new LoginThrottle({
    failuresPerAddress: config.loginFailuresPerAddress,
    failuresPerUser: config.loginFailuresPerUser,
    windowMs: config.loginFailureWindow * 1000,
    maxBytes: config.loginThrottleBytes,
  });
  return throttle.enabled ? new ThrottledAuthenticator(passwords, throttle) : passwords;
}

@Module({
  providers: [
    PasswordAuthenticator,
    { provide: AUTHENTICATOR, useFactory: throttled, inject: [BROKER_CONFIG, PasswordAuthenticator] },
    AdminBootstrap,
  ],
  exports: [AUTHENTICATOR],
})
export class AuthModule {}
