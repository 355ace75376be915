import { ScramCredentials, ServerSecretRepository, UserRepository, deriveScramCredentials, parseScramCredentials } from '@nestmq/persistence';
import { madeUpCredentials } from './scram-keys';

/** The credentials to check a proof against, and whether they are a real user's. */
export interface ScramLookup {
  credentials: ScramCredentials;
  known: boolean;
}

/** Name of the server secret behind made-up salts. */
const SECRET_NAME = 'scram-unknown-user';

/**
 * The local users' SCRAM-SHA-256 credentials: AUTH_USERS first (derived at start-up, as their bcrypt
 * hashes are), then the users table. A name with none (unknown, disabled, or a user whose password was
 * set before SCRAM credentials existed) gets made-up ones, the same each time for that name, from a
 * secret kept in the database: the same for every broker on it and across restarts, so asking for a
 * salt twice, or after a restart, does not tell a real user from a made-up one.
 */
export class ScramUsers {
  private constructor(
    private readonly staticUsers: ReadonlyMap<string, ScramCredentials>,
    private readonly users: UserRepository,
    private readonly secret: Buffer,
    private readonly iterations: number,
  ) {}

  static async load(staticPasswords: ReadonlyMap<string, string>, users: UserRepository, secrets: ServerSecretRepository, iterations: number): Promise<ScramUsers> {
    const entries = await Promise.all([...staticPasswords].map(async ([name, password]) => [name.normalize('NFKC'), await deriveScramCredentials(password, iterations)] as const));
    return new ScramUsers(new Map(entries), users, await secrets.get(SECRET_NAME), iterations);
  }

  /**
   * Rejects only when the users table cannot be read (and the name is no AUTH_USERS user). The table is
   * read for every name, an AUTH_USERS one included, so that the time an answer takes does not single
   * out the static names.
   */
  async lookup(username: string): Promise<ScramLookup> {
    const fixed = this.staticUsers.get(username);
    let user;
    try {
      user = await this.users.findByUsername(username);
    } catch (e) {
      if (fixed === undefined) throw e;
    }
    if (fixed !== undefined) return { credentials: fixed, known: true };
    user ??= null;
    const credentials = user !== null && user.enabled ? parseScramCredentials(user.scramSha256) : undefined;
    if (credentials !== undefined) return { credentials, known: true };
    return { credentials: madeUpCredentials(this.secret, username, this.iterations), known: false };
  }
}
