import { jwtVerify, SignJWT, errors } from 'jose';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const ACCESS_TOKEN_SECONDS = 15 * 60;
export const REFRESH_TOKEN_SECONDS = 7 * 24 * 3600;

export type AdminRole = 'admin' | 'viewer';

/** What an access token says: who, with which role, in which login. */
export interface AccessClaims {
  username: string;
  role: AdminRole;
  session: string;
  /** When the token expires, in epoch milliseconds (set when a token is read, not when one is made). */
  expiresAt?: number;
  /** Set when the request came with an API key rather than a login's token. */
  apiKeyId?: string;
}

/** What a refresh token says: which login, and which of its refresh tokens this is. */
export interface RefreshClaims {
  session: string;
  refreshId: string;
  /** A login whose user has no row here (single sign-on): the role it was given, and when it ends. */
  grant?: ExternalGrant;
}

/** The role a sign-in elsewhere gave, kept for its login until `until` (epoch seconds). */
export interface ExternalGrant {
  role: AdminRole;
  until: number;
}

/** A token that is not ours, was altered, is of the other kind, or has expired. */
export class InvalidToken extends Error {}

const ISSUER = 'nestmq';

/**
 * Signs and checks the admin API's JWTs (HS256) with ADMIN_JWT_SECRET, or with a secret generated once
 * into DATA_DIR/admin-jwt.secret, so tokens outlive a restart without any configuration.
 */
export class AdminTokens {
  private constructor(private readonly key: Uint8Array) {}

  static fromSecret(secret: string): AdminTokens {
    return new AdminTokens(Buffer.from(secret, 'utf8'));
  }

  /** The secret kept in `dataDir`, made on first use (readable by its owner alone). */
  static fromDataDir(dataDir: string): AdminTokens {
    const file = join(dataDir, 'admin-jwt.secret');
    try {
      return AdminTokens.fromSecret(readFileSync(file, 'utf8').trim());
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    mkdirSync(dataDir, { recursive: true });
    const secret = randomBytes(48).toString('base64url');
    writeFileSync(`${file}.new`, `${secret}\n`, { mode: 0o600 });
    renameSync(`${file}.new`, file);
    return AdminTokens.fromSecret(secret);
  }

  access(claims: AccessClaims, now = Date.now()): Promise<string> {
    return this.sign({ typ: 'access', role: claims.role, sid: claims.session }, claims.username, now, ACCESS_TOKEN_SECONDS);
  }

  refresh(username: string, claims: RefreshClaims, now = Date.now()): Promise<string> {
    const grant: Record<string, string | number> = claims.grant === undefined ? {} : { role: claims.grant.role, until: claims.grant.until };
    return this.sign({ typ: 'refresh', sid: claims.session, jti: claims.refreshId, ...grant }, username, now, REFRESH_TOKEN_SECONDS);
  }

  async verifyAccess(token: string): Promise<AccessClaims> {
    const payload = await this.verify(token, 'access');
    if ((payload.role !== 'admin' && payload.role !== 'viewer') || typeof payload.sid !== 'string' || typeof payload.sub !== 'string') throw new InvalidToken('malformed access token');
    return { username: payload.sub, role: payload.role, session: payload.sid, expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : undefined };
  }

  async verifyRefresh(token: string): Promise<RefreshClaims & { username: string }> {
    const payload = await this.verify(token, 'refresh');
    if (typeof payload.sid !== 'string' || typeof payload.jti !== 'string' || typeof payload.sub !== 'string') throw new InvalidToken('malformed refresh token');
    const claims = { username: payload.sub, session: payload.sid, refreshId: payload.jti };
    if (payload.role === undefined) return claims;
    if ((payload.role !== 'admin' && payload.role !== 'viewer') || typeof payload.until !== 'number') throw new InvalidToken('malformed refresh token');
    return { ...claims, grant: { role: payload.role, until: payload.until } };
  }

  private sign(claims: Record<string, string | number>, subject: string, now: number, seconds: number): Promise<string> {
    const issuedAt = Math.floor(now / 1000);
    return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuer(ISSUER).setSubject(subject).setIssuedAt(issuedAt).setExpirationTime(issuedAt + seconds).sign(this.key);
  }

  private async verify(token: string, typ: 'access' | 'refresh'): Promise<Record<string, unknown>> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, algorithms: ['HS256'] });
      if (payload.typ !== typ) throw new InvalidToken(`not an ${typ} token`);
      return payload;
    } catch (e) {
      if (e instanceof InvalidToken) throw e;
      if (e instanceof errors.JWTExpired) throw new InvalidToken('the token has expired');
      throw new InvalidToken('the token is not valid');
    }
  }
}
