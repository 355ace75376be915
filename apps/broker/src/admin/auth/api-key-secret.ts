import { createHash, randomBytes } from 'node:crypto';

/** Every key starts so, which tells it from a JWT (`eyJ...`) at a glance and to secret scanners. */
const PREFIX = 'nmq_';

export interface NewKeySecret {
  /** The key, shown once. */
  secret: string;
  /** What is stored. */
  hash: string;
  /** What a list shows of it. */
  prefix: string;
}

/** 256 random bits: a key needs no slow hash, a SHA-256 of it cannot be walked back. */
export function newKeySecret(): NewKeySecret {
  const secret = `${PREFIX}${randomBytes(32).toString('base64url')}`;
  return { secret, hash: hashKeySecret(secret), prefix: secret.slice(0, PREFIX.length + 6) };
}

export function isKeySecret(token: string): boolean {
  return token.startsWith(PREFIX);
}

export function hashKeySecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
