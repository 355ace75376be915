import { createHash, createHmac, pbkdf2, randomBytes } from 'node:crypto';

/**
 * What the server keeps of a password for SCRAM-SHA-256 (RFC 5802 §3, RFC 7677): the salt, the iteration
 * count, StoredKey = H(HMAC(SaltedPassword, "Client Key")) and ServerKey = HMAC(SaltedPassword,
 * "Server Key"). Neither key lets anyone log in by itself, but both let whoever holds them guess the
 * password offline at PBKDF2's cost, and ServerKey lets them pose as the server: they are secrets.
 */
export interface ScramCredentials {
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

/** RFC 7677 §4: at least 4096 iterations. */
export const MIN_SCRAM_ITERATIONS = 4096;
/** Salt bytes of new credentials, and of the made-up ones an unknown user name gets. */
export const SCRAM_SALT_BYTES = 16;

const KEY_BYTES = 32;
const hmac = (key: Buffer, data: string | Buffer): Buffer => createHmac('sha256', key).update(data).digest();
const sha256 = (data: Buffer): Buffer => createHash('sha256').update(data).digest();

/**
 * The password as SCRAM hashes it: NFKC-normalized (SASLprep's normalization; ASCII passwords are
 * unchanged), as UTF-8. Clients that implement SASLprep fully send the same bytes for every password
 * without control or unassigned characters.
 */
export function scramPassword(password: string): Buffer {
  return Buffer.from(password.normalize('NFKC'), 'utf8');
}

/** Hi() is PBKDF2-HMAC-SHA-256, run on libuv's thread pool: the event loop never waits for it. */
function saltedPassword(password: string, salt: Buffer, iterations: number): Promise<Buffer> {
  return new Promise((resolve, reject) => pbkdf2(scramPassword(password), salt, iterations, KEY_BYTES, 'sha256', (e, key) => (e ? reject(e) : resolve(key))));
}

/** New credentials for a password, with a fresh salt. */
export async function deriveScramCredentials(password: string, iterations: number, salt: Buffer = randomBytes(SCRAM_SALT_BYTES)): Promise<ScramCredentials> {
  if (!Number.isInteger(iterations) || iterations < MIN_SCRAM_ITERATIONS) throw new RangeError(`SCRAM iterations: at least ${MIN_SCRAM_ITERATIONS}, got ${iterations}`);
  const salted = await saltedPassword(password, salt, iterations);
  return { salt, iterations, storedKey: sha256(hmac(salted, 'Client Key')), serverKey: hmac(salted, 'Server Key') };
}

/**
 * The text form stored beside the bcrypt hash, PostgreSQL's: `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`
 * (base64), so a users table can be moved to or from PostgreSQL's own roles.
 */
export function formatScramCredentials(c: ScramCredentials): string {
  return `SCRAM-SHA-256$${c.iterations}:${c.salt.toString('base64')}$${c.storedKey.toString('base64')}:${c.serverKey.toString('base64')}`;
}

const STORED = /^SCRAM-SHA-256\$(\d{1,10}):([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2}):([A-Za-z0-9+/]+={0,2})$/;

/** The stored text form read back; undefined when it is not one (then the user has no usable credentials). */
export function parseScramCredentials(stored: string | null | undefined): ScramCredentials | undefined {
  const m = stored == null ? null : STORED.exec(stored);
  if (m === null) return undefined;
  const iterations = Number(m[1]);
  const [salt, storedKey, serverKey] = [m[2], m[3], m[4]].map((b) => Buffer.from(b, 'base64'));
  if (iterations < 1 || salt.length === 0 || storedKey.length !== KEY_BYTES || serverKey.length !== KEY_BYTES) return undefined;
  return { salt, iterations, storedKey, serverKey };
}
