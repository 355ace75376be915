import { Module } from '@nestjs/common';
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { BROKER_CONFIG, BrokerConfig } from '../config/broker-config';
import { AdminBootstrap } from './admin-bootstrap';
import { AUTHENTICATOR, Authenticator } from './authenticator';
import { AuthenticatorChain } from './chain/authenticator-chain';
import { AuthenticatorName, ChainMember } from './chain/chain-member';
import { CertAuthenticator } from './cert/cert-authenticator';
import { HttpAuthenticator } from './http/http-authenticator';
import { JwtAuthenticator } from './jwt/jwt-authenticator';
import { ENHANCED_AUTH } from './enhanced/enhanced-auth';
import { enhancedAuthProvider } from './enhanced/enhanced-auth.provider';
import { LdapAuthenticator, ldapAuthenticator } from './ldap/ldap-authenticator';
import { LocalAuthenticator } from './local/local-authenticator';
import { LoginThrottle, ThrottledAuthenticator } from './login-throttle';
import { PasswordAuthenticator } from './password-authenticator';

/** The members of AUTH_CHAIN, in its order. */
function members(config: BrokerConfig, passwords: PasswordAuthenticator, ldap: LdapAuthenticator | null): ChainMember[] {
  return config.authChain.map((name: AuthenticatorName): ChainMember => {
    switch (name) {
      case 'local':
        return new LocalAuthenticator(passwords);
      case 'jwt':
        return new JwtAuthenticator({
          jwksUrl: config.jwtJwksUrl,
          secret: config.jwtSecret,
          publicKey: config.jwtPublicKeyFile === undefined ? undefined : createPublicKey(readFileSync(config.jwtPublicKeyFile)),
          issuer: config.jwtIssuer,
          audience: config.jwtAudience,
          clockTolerance: config.jwtClockTolerance,
          usernameClaim: config.jwtUsernameClaim,
          rolesClaim: config.jwtRolesClaim,
          aclClaim: config.jwtAclClaim,
          expiry: config.jwtExpiry,
          jwksRefreshInterval: config.jwtJwksRefreshInterval,
          jwksTimeout: config.jwtJwksTimeout,
          jwksCacheMaxAge: config.jwtJwksCacheMaxAge,
        });
      case 'http':
        return new HttpAuthenticator({
          url: config.httpUrl!,
          timeout: config.httpTimeout,
          cacheTtl: config.httpCacheTtl,
          cacheEntries: config.httpCacheEntries,
        });
      case 'cert':
        return new CertAuthenticator(config.tlsIdentity!);
      case 'ldap':
        return ldap!;
      default:
        throw new Error(`AUTH_CHAIN: ${name satisfies never} has no implementation`);
    }
  });
}

/**
 * The chain, behind the login throttle: failed logins are throttled whatever checks the credentials;
 * with every limit off, nothing is counted.
 */
function authenticator(config: BrokerConfig, passwords: PasswordAuthenticator, throttle: LoginThrottle, ldap: LdapAuthenticator | null): Authenticator {
  const chain = new AuthenticatorChain(members(config, passwords, ldap), config.allowAnonymous);
  return throttle.enabled ? new ThrottledAuthenticator(chain, throttle) : chain;
}

/** One throttle for every way to log in: the chain's passwords and enhanced authentication count together. */
function loginThrottle(config: BrokerConfig): LoginThrottle {
  return new LoginThrottle({
    failuresPerAddress: config.loginFailuresPerAddress,
    failuresPerUser: config.loginFailuresPerUser,
    windowMs: config.loginFailureWindow * 1000,
    maxBytes: config.loginThrottleBytes,
  });
}

@Module({
  providers: [
    PasswordAuthenticator,
    { provide: LoginThrottle, useFactory: loginThrottle, inject: [BROKER_CONFIG] },
    // A provider of its own, so that its directory connections close when the broker stops.
    { provide: LdapAuthenticator, useFactory: ldapAuthenticator, inject: [BROKER_CONFIG] },
    { provide: AUTHENTICATOR, useFactory: authenticator, inject: [BROKER_CONFIG, PasswordAuthenticator, LoginThrottle, LdapAuthenticator] },
    enhancedAuthProvider,
    AdminBootstrap,
  ],
  exports: [AUTHENTICATOR, ENHANCED_AUTH],
})
export class AuthModule {}
