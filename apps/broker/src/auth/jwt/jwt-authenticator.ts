import { ReasonCode } from '@nestmq/mqtt-protocol';
import { JWTPayload, createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import type { KeyObject } from 'node:crypto';
import type { Credentials } from '../authenticator';
import { AuthBackendError, ChainMember, Verdict } from '../chain/chain-member';
import { IdentityAcl, IdentityAclError } from '../identity-acl';

export interface JwtOptions {
  /** Exactly one of jwksUrl, secret, publicKey. */
  jwksUrl?: string;
  secret?: string;
  publicKey?: KeyObject;
  issuer?: string;
  audience?: string;
  /** Seconds of clock skew allowed on `exp` and `nbf`. */
  clockTolerance: number;
  /** Claim names; a dotted name reads a nested claim (`realm_access.roles`). */
  usernameClaim: string;
  rolesClaim: string;
  aclClaim: string;
  /** `disconnect`: the connection ends when the token expires; `ignore`: it stays. */
  expiry: 'disconnect' | 'ignore';
  /** Seconds between two fetches of the JWKS at least, however many unknown `kid`s come. */
  jwksRefreshInterval: number;
  /** Seconds a JWKS fetch may take. */
  jwksTimeout: number;
  /** Seconds the JWKS is used before it is fetched again anyway. */
  jwksCacheMaxAge: number;
}

const HMAC = ['HS256', 'HS384', 'HS512'];
const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
/** A compact JWS: three base64url parts. */
const COMPACT_JWS = /^[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*$/;
/** Longer than any token a sane issuer makes: such a password is not a token. */
const MAX_TOKEN_BYTES = 16 * 1024;
/** jose's codes for a token that is wrong (as opposed to a backend that could not answer). */
const TOKEN_FAULTS = new Set([
  'ERR_JWT_EXPIRED',
  'ERR_JWT_CLAIM_VALIDATION_FAILED',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
  'ERR_JWS_INVALID',
  'ERR_JWT_INVALID',
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JOSE_NOT_SUPPORTED',
  'ERR_JWK_INVALID',
]);

/**
 * `jwt` in AUTH_CHAIN: a JSON Web Token as the MQTT password, verified with a key from a JWKS URL (kept
 * for AUTH_JWT_JWKS_CACHE_MAX_AGE, fetched again on an unknown `kid`, but never more often than
 * AUTH_JWT_JWKS_REFRESH_INTERVAL, so random `kid`s cannot hammer the JWKS server), a static secret (HS*)
 * or a static public key. `iss` and `aud` are checked when configured, `exp` (required) and `nbf` with a
 * small clock tolerance. The identity is the user name claim's, not the CONNECT's user name (which 3.1.1
 * requires alongside a password, so clients put anything there).
 *
 * A password that is not a compact JWS is not this authenticator's: the next one is asked, so
 * `AUTH_CHAIN=jwt,local` lets devices with passwords and services with tokens share a broker. A token that
 * does not verify is refused with 0x86 (3.1.1: 4); a JWKS that cannot be fetched answers 0x88.
 */
export class JwtAuthenticator implements ChainMember {
  readonly name = 'jwt';
  private readonly key: Parameters<typeof jwtVerify>[1];
  private readonly algorithms: string[];

  constructor(private readonly options: JwtOptions) {
    if (options.jwksUrl !== undefined) {
      this.key = createRemoteJWKSet(new URL(options.jwksUrl), {
        cooldownDuration: options.jwksRefreshInterval * 1000,
        timeoutDuration: options.jwksTimeout * 1000,
        cacheMaxAge: options.jwksCacheMaxAge * 1000,
      });
      this.algorithms = ASYMMETRIC;
    } else if (options.secret !== undefined) {
      this.key = new TextEncoder().encode(options.secret);
      this.algorithms = HMAC;
    } else if (options.publicKey !== undefined) {
      this.key = options.publicKey;
      this.algorithms = ASYMMETRIC;
    } else {
      throw new Error('jwt: no key configured');
    }
  }

  async check({ password }: Credentials): Promise<Verdict> {
    if (password === undefined || password.length === 0) return { kind: 'ignore', reason: 'no password' };
    if (password.length > MAX_TOKEN_BYTES) return { kind: 'ignore', reason: 'the password is not a token' };
    const token = password.toString('latin1');
    if (!COMPACT_JWS.test(token)) return { kind: 'ignore', reason: 'the password is not a token' };
    try {
      if (typeof decodeProtectedHeader(token).alg !== 'string') return { kind: 'ignore', reason: 'the password is not a token' };
    } catch {
      return { kind: 'ignore', reason: 'the password is not a token' };
    }
    const o = this.options;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.key as never, {
        algorithms: this.algorithms,
        issuer: o.issuer,
        audience: o.audience,
        clockTolerance: o.clockTolerance,
        requiredClaims: ['exp'],
      }));
    } catch (e) {
      if (e instanceof errors.JWKSTimeout) throw new AuthBackendError('timeout', 'the JWKS request timed out');
      if (e instanceof errors.JOSEError && TOKEN_FAULTS.has(e.code)) {
        return { kind: 'deny', reasonCode: ReasonCode.BadUserNameOrPassword, reason: `token refused (${e.code})` };
      }
      if (e instanceof errors.JOSEError) throw new AuthBackendError('bad-answer', `the JWKS could not be used (${e.code})`);
      throw new AuthBackendError('unreachable', 'the JWKS could not be fetched');
    }
    const username = claim(payload, o.usernameClaim);
    if (typeof username !== 'string' || username === '' || username.includes('\0') || username.length > 65535) {
      return { kind: 'deny', reasonCode: ReasonCode.BadUserNameOrPassword, reason: `token refused (no user name in claim ${o.usernameClaim})` };
    }
    let acl: IdentityAcl | undefined;
    const aclClaim = claim(payload, o.aclClaim);
    if (aclClaim !== undefined) {
      try {
        acl = IdentityAcl.parse(aclClaim);
      } catch (e) {
        if (!(e instanceof IdentityAclError)) throw e;
        return { kind: 'deny', reasonCode: ReasonCode.NotAuthorized, reason: `token refused (claim ${o.aclClaim}: ${e.message})` };
      }
    }
    const roles = stringList(claim(payload, o.rolesClaim));
    const expiresAt = o.expiry === 'disconnect' && typeof payload.exp === 'number' ? (payload.exp + o.clockTolerance) * 1000 : undefined;
    return {
      kind: 'allow',
      username,
      ...(roles && { roles }),
      ...(acl && { acl }),
      ...(expiresAt !== undefined && { expiresAt }),
      reason: 'token verified',
    };
  }
}

/** A claim by name; a dotted name reads nested objects when no claim has the whole name. */
function claim(payload: JWTPayload, name: string): unknown {
  if (name in payload) return payload[name];
  let value: unknown = payload;
  for (const part of name.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Roles as a list of strings, or a space-separated string (as OAuth's `scope`); anything else: none. */
export function stringList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return value.split(/\s+/).filter((r) => r !== '');
  if (Array.isArray(value) && value.every((r) => typeof r === 'string')) return value as string[];
  return undefined;
}
