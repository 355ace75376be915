/**
 * The SCRAM messages (RFC 5802 §7) a server reads and writes, without channel binding: parsing is strict,
 * bounded and never throws; a message that breaks the grammar is answered with the `e=` error RFC 5802
 * names, which the broker sends back in the refusal's Authentication Data.
 */

/** RFC 5802 §7 server-error-value; `other-error` covers what it has no name for. */
export type ScramErrorValue =
  | 'invalid-encoding'
  | 'extensions-not-supported'
  | 'invalid-proof'
  | 'channel-bindings-dont-match'
  | 'channel-binding-not-supported'
  | 'invalid-username-encoding'
  | 'other-error';

/** Why a message was refused: the `e=` value for the client, and words for the Reason String and the log. */
export class ScramMessageError {
  constructor(
    readonly value: ScramErrorValue,
    readonly detail: string,
  ) {}
}

export interface ClientFirst {
  /** `n,,` or `y,,`: echoed (base64) in the client-final message's `c=`. */
  gs2Header: string;
  /** The user name, unescaped (=2C and =3D) and normalized as SASLprep normalizes it (NFKC). */
  username: string;
  clientNonce: string;
  /** client-first-message-bare, as received: part of the AuthMessage both sides sign. */
  bare: string;
}

export interface ClientFinal {
  /** client-final-message-without-proof, as received: part of the AuthMessage. */
  withoutProof: string;
  proof: Buffer;
}

/** A SCRAM message is a few hundred bytes; a larger one is refused before it is read. */
export const MAX_SCRAM_MESSAGE_BYTES = 4096;
/** SHA-256: a ClientProof is 32 bytes. */
const PROOF_BYTES = 32;

/** printable (RFC 5802 §7): %x21-2B / %x2D-7E, every visible ASCII character but ','. */
const PRINTABLE = /^[\x21-\x2b\x2d-\x7e]+$/;
/** Standard base64 with its padding, nothing else (no line breaks, no URL alphabet). */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The message as text: bounded, UTF-8, without NUL (RFC 5802 §7 forbids it everywhere). */
function text(data: Buffer | undefined, what: string): string | ScramMessageError {
  if (data === undefined || data.length === 0) return new ScramMessageError('invalid-encoding', `the ${what} is missing`);
  if (data.length > MAX_SCRAM_MESSAGE_BYTES) return new ScramMessageError('invalid-encoding', `the ${what} is over ${MAX_SCRAM_MESSAGE_BYTES} bytes`);
  const s = data.toString('utf8');
  if (!Buffer.from(s, 'utf8').equals(data)) return new ScramMessageError('invalid-encoding', `the ${what} is not UTF-8`);
  if (s.includes('\0')) return new ScramMessageError('invalid-encoding', `the ${what} holds a NUL character`);
  return s;
}

/** `name=value` with the expected one-letter name. */
function attribute(part: string | undefined, name: string, what: string): string | ScramMessageError {
  if (part === undefined || !part.startsWith(`${name}=`)) return new ScramMessageError('invalid-encoding', `the ${what} has no ${name}= attribute where one is expected`);
  return part.slice(2);
}

/** Strict base64: what Buffer.from would read leniently (missing padding, stray characters) is refused. */
export function decodeBase64(value: string): Buffer | undefined {
  if (!BASE64.test(value)) return undefined;
  return Buffer.from(value, 'base64');
}

/**
 * saslname (RFC 5802 §5.1): `,` and `=` are written =2C and =3D; any other `=` is an error. The name is
 * then normalized with NFKC, SASLprep's normalization, so that a name typed in another Unicode form
 * finds the same user.
 */
function saslname(value: string): string | ScramMessageError {
  if (value.length === 0) return new ScramMessageError('invalid-username-encoding', 'the user name is empty');
  if (/=(?!2C|3D)/.test(value)) return new ScramMessageError('invalid-username-encoding', 'the user name has an = that is not =2C or =3D');
  return value.replace(/=2C/g, ',').replace(/=3D/g, '=').normalize('NFKC');
}

/**
 * client-first-message = gs2-header client-first-message-bare. Only `n` (the client does not support
 * channel binding) and `y` (it does, and thinks the server does not) are accepted, without an authzid:
 * the broker has no channel binding to offer (`p=` is refused) and lets a user act only as itself.
 */
export function parseClientFirst(data: Buffer | undefined): ClientFirst | ScramMessageError {
  const message = text(data, 'client-first-message');
  if (message instanceof ScramMessageError) return message;
  const parts = message.split(',');
  const [flag, authzid] = parts;
  if (flag.startsWith('p=')) return new ScramMessageError('channel-binding-not-supported', 'channel binding (p=) is not supported: use the gs2 header n,,');
  if (flag !== 'n' && flag !== 'y') return new ScramMessageError('invalid-encoding', 'the gs2 header does not start with n, y or p=');
  if (authzid === undefined || parts.length < 4) return new ScramMessageError('invalid-encoding', 'the client-first-message is not gs2-header,n=user,r=nonce');
  if (authzid !== '') return new ScramMessageError('other-error', 'an authorization identity (a=) is not supported: use the gs2 header n,,');
  if (parts[2].startsWith('m=')) return new ScramMessageError('extensions-not-supported', 'the m= extension is not supported');
  const name = attribute(parts[2], 'n', 'client-first-message');
  if (name instanceof ScramMessageError) return name;
  const username = saslname(name);
  if (username instanceof ScramMessageError) return username;
  const clientNonce = attribute(parts[3], 'r', 'client-first-message');
  if (clientNonce instanceof ScramMessageError) return clientNonce;
  if (!PRINTABLE.test(clientNonce)) return new ScramMessageError('invalid-encoding', 'the client nonce is empty or has characters outside printable ASCII');
  if (parts.length > 4) return new ScramMessageError('extensions-not-supported', 'the client-first-message has attributes after the nonce');
  return { gs2Header: `${flag},,`, username, clientNonce, bare: parts.slice(2).join(',') };
}

/** server-first-message: the combined nonce, the salt and the iteration count. */
export function serverFirst(nonce: string, salt: Buffer, iterations: number): string {
  return `r=${nonce},s=${salt.toString('base64')},i=${iterations}`;
}

/**
 * client-final-message = c=base64(gs2-header),r=nonce,p=proof. The channel binding must be the gs2
 * header of the client-first-message, byte for byte, and the nonce the one the server sent.
 */
export function parseClientFinal(data: Buffer | undefined, gs2Header: string, nonce: string): ClientFinal | ScramMessageError {
  const message = text(data, 'client-final-message');
  if (message instanceof ScramMessageError) return message;
  const parts = message.split(',');
  const binding = attribute(parts[0], 'c', 'client-final-message');
  if (binding instanceof ScramMessageError) return binding;
  const header = decodeBase64(binding);
  if (header === undefined) return new ScramMessageError('invalid-encoding', 'the channel binding (c=) is not base64');
  if (header.toString('latin1') !== gs2Header) return new ScramMessageError('channel-bindings-dont-match', 'the channel binding (c=) is not the gs2 header of the client-first-message');
  const r = attribute(parts[1], 'r', 'client-final-message');
  if (r instanceof ScramMessageError) return r;
  if (r !== nonce) return new ScramMessageError('invalid-proof', 'the nonce (r=) is not the one the server sent');
  if (parts.length !== 3) return new ScramMessageError(parts.length > 3 ? 'extensions-not-supported' : 'invalid-encoding', 'the client-final-message is not c=...,r=...,p=...');
  const p = attribute(parts[2], 'p', 'client-final-message');
  if (p instanceof ScramMessageError) return p;
  const proof = decodeBase64(p);
  if (proof === undefined || proof.length !== PROOF_BYTES) return new ScramMessageError('invalid-encoding', `the proof (p=) is not ${PROOF_BYTES} bytes in base64`);
  return { withoutProof: `${parts[0]},${parts[1]}`, proof };
}

/** server-final-message: `v=` the server's signature, or `e=` an error. */
export function serverFinal(signature: Buffer): string {
  return `v=${signature.toString('base64')}`;
}

export function serverError(value: ScramErrorValue): string {
  return `e=${value}`;
}
