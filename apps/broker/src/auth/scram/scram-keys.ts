import { ScramCredentials, SCRAM_SALT_BYTES } from '@nestmq/persistence';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

const hmac = (key: Buffer, data: string | Buffer): Buffer => createHmac('sha256', key).update(data).digest();
const sha256 = (data: Buffer): Buffer => createHash('sha256').update(data).digest();

/**
 * Whether the ClientProof was made from the password behind `storedKey`: ClientKey = ClientProof XOR
 * HMAC(StoredKey, AuthMessage), then H(ClientKey) must be StoredKey (compared in constant time). Three
 * hashes: the same work whether the proof is right or not.
 */
export function proofMatches(credentials: ScramCredentials, authMessage: string, proof: Buffer): boolean {
  const signature = hmac(credentials.storedKey, authMessage);
  if (proof.length !== signature.length) return false;
  const clientKey = Buffer.alloc(signature.length);
  for (let i = 0; i < signature.length; i++) clientKey[i] = proof[i] ^ signature[i];
  return timingSafeEqual(sha256(clientKey), credentials.storedKey);
}

/** ServerSignature = HMAC(ServerKey, AuthMessage): proves to the client that the server knows its keys. */
export function serverSignature(credentials: ScramCredentials, authMessage: string): Buffer {
  return hmac(credentials.serverKey, authMessage);
}

/**
 * Credentials for a user name that has none (unknown, disabled, or not logged in since SCRAM came):
 * a salt and keys that are the same every time for that name and that server secret, so asking twice
 * does not reveal that the name has no real ones, and a proof is checked against them the same way.
 */
export function madeUpCredentials(secret: Buffer, username: string, iterations: number): ScramCredentials {
  const salt = hmac(secret, `salt\0${username}`).subarray(0, SCRAM_SALT_BYTES);
  return { salt, iterations, storedKey: hmac(secret, `stored\0${username}`), serverKey: hmac(secret, `server\0${username}`) };
}

