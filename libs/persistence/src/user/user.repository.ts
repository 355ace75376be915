import { DataSource, IsNull, QueryFailedError, Repository } from 'typeorm';
import { PasswordHasher } from './password-hasher';
import { MIN_SCRAM_ITERATIONS, deriveScramCredentials, formatScramCredentials } from './scram-credentials';
import { UserEntity } from './user.entity';

export class UserExistsError extends Error {
  override readonly name = 'UserExistsError';
  constructor(readonly username: string) {
    super(`user "${username}" already exists`);
  }
}

export interface NewUser {
  username: string;
  /** At most 72 bytes (PasswordHasher.MAX_PASSWORD_BYTES): a longer one is refused with a RangeError. */
  password: string;
  roles?: string[];
  enabled?: boolean;
}

/** What is stored of one password: its bcrypt hash and its SCRAM-SHA-256 credentials (text form). */
export interface StoredPassword {
  passwordHash: string;
  scramSha256: string;
}

/**
 * Users and their passwords, kept as a bcrypt hash and as SCRAM-SHA-256 credentials, both made whenever a
 * password is set. The hashing runs off the event loop (bcrypt on the given hasher, whose owner closes it;
 * PBKDF2 on libuv's pool).
 */
export class UserRepository {
  private readonly users: Repository<UserEntity>;
  /** Compared against when the user does not exist, so an unknown name costs what a wrong password costs. */
  private decoyHash: Promise<string> | undefined;

  constructor(
    dataSource: DataSource,
    private readonly bcryptCost: number,
    private readonly passwords: PasswordHasher,
    /** PBKDF2 iterations of new SCRAM credentials (AUTH_SCRAM_ITERATIONS). */
    private readonly scramIterations = MIN_SCRAM_ITERATIONS,
  ) {
    this.users = dataSource.getRepository(UserEntity);
  }

  /**
   * The bcrypt hash and the SCRAM credentials of a password. Rejects, with a RangeError, what bcrypt
   * refuses (over 72 bytes, not UTF-8) before any SCRAM work is done.
   */
  async storedPassword(password: string): Promise<StoredPassword> {
    const passwordHash = await this.passwords.hash(password, this.bcryptCost);
    const scramSha256 = formatScramCredentials(await deriveScramCredentials(password, this.scramIterations));
    return { passwordHash, scramSha256 };
  }

  async create(user: NewUser): Promise<UserEntity> {
    if (user.username.length === 0) throw new RangeError('a user name may not be empty');
    const entity = this.users.create({
      username: user.username,
      ...(await this.storedPassword(user.password)),
      roles: user.roles ?? [],
      enabled: user.enabled ?? true,
    });
    try {
      return await this.users.save(entity);
    } catch (e) {
      if (e instanceof QueryFailedError && /unique|duplicate/i.test(e.message)) throw new UserExistsError(user.username);
      throw e;
    }
  }

  /**
   * Adds users with bcrypt hashes made elsewhere (users moved from another installation), or replaces
   * existing users' hashes, roles and enabled flags: all in one transaction, so a failure halfway leaves
   * none of them written. A value that is not a bcrypt hash is refused before anything is. SCRAM
   * credentials are replaced with the hash: given with it (a new password), or none (a bare hash, whose
   * user gets them on its next password login), never those of a password that is no longer the user's.
   */
  async upsertWithHashes(
    users: ReadonlyArray<{ username: string; passwordHash: string; scramSha256?: string | null; roles: string[]; enabled: boolean }>,
  ): Promise<{ created: number; updated: number }> {
    for (const u of users) {
      if (u.username.length === 0) throw new RangeError('a user name may not be empty');
      if (PasswordHasher.costOf(u.passwordHash) === undefined) throw new RangeError(`the password hash of "${u.username}" is not a bcrypt hash`);
    }
    return this.users.manager.transaction(async (manager) => {
      const result = { created: 0, updated: 0 };
      for (const u of users) {
        // One statement per user, whoever else writes the same name at the same time.
        const [row] = (await manager.query(
          `INSERT INTO users (username, password_hash, scram_sha_256, roles, enabled) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (username) DO UPDATE SET password_hash = EXCLUDED.password_hash, scram_sha_256 = EXCLUDED.scram_sha_256,
             roles = EXCLUDED.roles, enabled = EXCLUDED.enabled, updated_at = now()
           RETURNING (xmax = 0) AS created`,
          [u.username, u.passwordHash, u.scramSha256 ?? null, u.roles, u.enabled],
        )) as Array<{ created: boolean }>;
        if (row.created) result.created++;
        else result.updated++;
      }
      return result;
    });
  }

  findByUsername(username: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ username });
  }

  list(): Promise<UserEntity[]> {
    return this.users.find({ order: { username: 'ASC' } });
  }

  /** Refuses, with a RangeError, a password over 72 bytes: bcrypt would silently ignore the rest. */
  async setPassword(username: string, password: string): Promise<boolean> {
    const result = await this.users.update({ username }, { ...(await this.storedPassword(password)), updatedAt: new Date() });
    return (result.affected ?? 0) > 0;
  }

  async setEnabled(username: string, enabled: boolean): Promise<boolean> {
    const result = await this.users.update({ username }, { enabled, updatedAt: new Date() });
    return (result.affected ?? 0) > 0;
  }

  async setRoles(username: string, roles: string[]): Promise<boolean> {
    const result = await this.users.update({ username }, { roles, updatedAt: new Date() });
    return (result.affected ?? 0) > 0;
  }

  async delete(username: string): Promise<boolean> {
    const result = await this.users.delete({ username });
    return (result.affected ?? 0) > 0;
  }

  /**
   * The enabled user whose password this is, or null. Runs one bcrypt comparison at the configured cost
   * whatever the outcome (an unknown user, a disabled one, a wrong password, a password over 72 bytes),
   * so the time taken does not tell whether the name exists. `signal` cancels the check (see
   * PasswordHasher.compare). A hash made at another cost is made again at the configured one on the next
   * successful login, so that this user's refusals too take as long as everyone's. A user without SCRAM
   * credentials (its password set before they existed, or imported as a bare hash) gets them on its next
   * successful login, the one moment the broker holds the password.
   */
  async verify(username: string, password: Buffer | string, signal?: AbortSignal): Promise<UserEntity | null> {
    const user = await this.findByUsername(username);
    // A stored value that is not a bcrypt hash (a locked account marked by hand) would be refused without
    // any work: it is compared as the decoy is, and never matches.
    const usable = user !== null && PasswordHasher.costOf(user.passwordHash) !== undefined;
    const stored = usable ? user.passwordHash : await this.decoy();
    const matches = (await this.passwords.compare(password, stored, signal)) && usable;
    if (!matches || user === null || !user.enabled) return null;
    if (PasswordHasher.costOf(stored) !== this.bcryptCost) this.rehash(user, password);
    else if (user.scramSha256 === null) this.addScram(user, password);
    return user;
  }

  /**
   * A hash of the password at the configured cost, for credentials kept outside the users table (a
   * static list read at start-up), so that they are checked at the same cost as the table's.
   */
  hashPassword(password: Buffer | string): Promise<string> {
    return this.passwords.hash(password, this.bcryptCost);
  }

  /** One bcrypt comparison against a hash made by hashPassword; `signal` as in verify. */
  matchesHash(password: Buffer | string, hash: string, signal?: AbortSignal): Promise<boolean> {
    return this.passwords.compare(password, hash, signal);
  }

  /**
   * Replaces the hash with one at the configured cost, in the background: the login it follows does not
   * wait for it. Only if the hash is still the one checked, so a password set meanwhile is kept.
   */
  private rehash(user: UserEntity, password: Buffer | string): void {
    this.passwords
      .hash(password, this.bcryptCost)
      .then(async (passwordHash) => {
        const scram = user.scramSha256 === null ? { scramSha256: formatScramCredentials(await deriveScramCredentials(password.toString(), this.scramIterations)) } : {};
        return this.users.update({ username: user.username, passwordHash: user.passwordHash }, { passwordHash, ...scram, updatedAt: new Date() });
      })
      // Nothing is lost: the old hash still works, and the next login tries again.
      .catch(() => undefined);
  }

  /**
   * Fills in the SCRAM credentials of a user that has none, in the background, as rehash does: only if
   * the hash is still the one checked and nobody filled them in meanwhile. A password that is not UTF-8
   * text was never set through the broker and gets none.
   */
  private addScram(user: UserEntity, password: Buffer | string): void {
    const text = typeof password === 'string' ? password : password.toString('utf8');
    if (typeof password !== 'string' && !Buffer.from(text, 'utf8').equals(password)) return;
    deriveScramCredentials(text, this.scramIterations)
      .then((c) => this.users.update({ username: user.username, passwordHash: user.passwordHash, scramSha256: IsNull() }, { scramSha256: formatScramCredentials(c) }))
      // Nothing is lost: the next password login tries again.
      .catch(() => undefined);
  }

  private decoy(): Promise<string> {
    if (this.decoyHash === undefined) {
      const decoy = this.passwords.hash('decoy password that no user has', this.bcryptCost);
      // A failed hash (the hasher closing, bcrypt refusing) must not fail every later unknown user: the next one retries.
      decoy.catch(() => {
        if (this.decoyHash === decoy) this.decoyHash = undefined;
      });
      this.decoyHash = decoy;
    }
    return this.decoyHash;
  }
}
