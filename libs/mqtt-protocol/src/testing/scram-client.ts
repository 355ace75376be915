import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

/**
 * The client side of SCRAM-SHA-256 (RFC 5802 §3, RFC 7677), for tests and benchmarks of MQTT 5 enhanced
 * authentication (Authentication Data of CONNECT and AUTH), written on its own from the
 * RFC, and sharing nothing with the broker's implementation: a bug in one is not repeated in the other.
 */
export class ScramClient {
  readonly nonce: string;
  private bareFirst = '';
  private expectedServerSignature: Buffer | undefined;
  /** What the server-first-message said, once read. */
  salt: Buffer | undefined;
  iterations: number | undefined;
  combinedNonce: string | undefined;

  constructor(
    readonly username: string,
    readonly password: string,
    options: { nonce?: string; gs2Header?: string } = {},
  ) {
    this.nonce = options.nonce ?? randomBytes(24).toString('base64').replace(/,/g, '.');
    this.gs2Header = options.gs2Header ?? 'n,,';
  }

  readonly gs2Header: string;

  /** client-first-message: gs2 header, `n=` the escaped name, `r=` the client nonce. */
  first(): Buffer {
    const escaped = this.username.replace(/=/g, '=3D').replace(/,/g, '=2C');
    this.bareFirst = `n=${escaped},r=${this.nonce}`;
    return Buffer.from(this.gs2Header + this.bareFirst);
  }

  /** Reads the server-first-message; answers the client-final-message (or one with `tamper` applied to its fields). */
  final(serverFirst: Buffer, tamper: { proof?: (p: Buffer) => Buffer; nonce?: string; channelBinding?: string } = {}): Buffer {
    const text = serverFirst.toString('utf8');
    const fields = new Map(text.split(',').map((kv) => [kv[0], kv.slice(2)] as const));
    const r = fields.get('r');
    const s = fields.get('s');
    const i = fields.get('i');
    if (r === undefined || s === undefined || i === undefined) throw new Error(`not a server-first-message: ${text}`);
    if (!r.startsWith(this.nonce)) throw new Error('the server nonce does not start with ours');
    this.combinedNonce = r;
    this.salt = Buffer.from(s, 'base64');
    this.iterations = Number(i);
    const salted = pbkdf2Sync(Buffer.from(this.password.normalize('NFKC'), 'utf8'), this.salt, this.iterations, 32, 'sha256');
    const clientKey = createHmac('sha256', salted).update('Client Key').digest();
    const storedKey = createHash('sha256').update(clientKey).digest();
    const withoutProof = `c=${tamper.channelBinding ?? Buffer.from(this.gs2Header).toString('base64')},r=${tamper.nonce ?? r}`;
    const authMessage = `${this.bareFirst},${text},${withoutProof}`;
    const clientSignature = createHmac('sha256', storedKey).update(authMessage).digest();
    let proof: Buffer = Buffer.from(clientKey.map((b, k) => b ^ clientSignature[k]));
    if (tamper.proof) proof = tamper.proof(proof);
    const serverKey = createHmac('sha256', salted).update('Server Key').digest();
    this.expectedServerSignature = createHmac('sha256', serverKey).update(authMessage).digest();
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`);
  }

  /** Whether the server-final-message proves the server knows this user's keys. */
  serverIsAuthentic(serverFinal: Buffer | undefined): boolean {
    if (serverFinal === undefined || this.expectedServerSignature === undefined) return false;
    return serverFinal.toString('utf8') === `v=${this.expectedServerSignature.toString('base64')}`;
  }
}
