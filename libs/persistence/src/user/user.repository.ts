import { DataSource, QueryFailedError, Repository } from 'typeorm';
import { PasswordHasher } from './password-hasher';
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

/** Users and their bcrypt-hashed passwords. The hashing runs on the given hasher, off the event loop; its owner closes it. */
export class UserRepository {
  private readonly users: Repository<UserEntity>;
  /** Compared against when the user does not exist, so an unknown name costs what a wrong password costs. */
  private decoyHash: Promise<string> | undefined;

  constructor(
    dataSource: DataSource,
    private readonly bcryptCost: number,
    private readonly passwords: PasswordHasher,
  ) {
    this.users = dataSource.getRepository(UserEntity);
  }

  async create(user: NewUser): Promise<UserEntity> {
    if (user.username.length === 0) throw new RangeError('a user name may not be empty');
    const entity = this.users.create({
      username: user.username,
      passwordHash: await this.passwords.hash(user.password, this.bcryptCost),
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
   * none of them written. A value that is not a bcrypt hash is refused before anything is.
   */
  async upsertWithHashes(users: ReadonlyArray<{ username: string; passwordHash: string; roles: string[]; enabled: boolean }>): Promise<{ created: number; updated: number }> {
    for (const u of users) {
      if (u.username.length === 0) throw new RangeError('a user name may not be empty');
      if (PasswordHasher.costOf(u.passwordHash) === undefined) throw new RangeError(`the password hash of "${u.username}" is not a bcrypt hash`);
    }
    return this.users.manager.transaction(async (manager) => {
      const result = { created: 0, updated: 0 };
      for (const u of users) {
        // One statement per user, whoever else writes the same name at the same time.
        const [row] = (await manager.query(
          `INSERT INTO users (username, password_hash, roles, enabled) VALUES ($1, $2, $3, $4)
           ON CONFLICT (username) DO UPDATE SET password_hash = EXCLUDED.password_hash, roles = EXCLUDED.roles, enabled = EXCLUDED.enabled, updated_at = now()
           RETURNING (xmax = 0) AS created`,
          [u.username, u.passwordHash, u.roles, u.enabled],
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
    const result = await this.users.update({ username }, { passwordHash: await this.passwords.hash(password, this.bcryptCost), updatedAt: new Date() });
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
   * successful login, so that this user's refusals too take as long as everyone's.
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
      .then((passwordHash) => this.users.update({ username: user.username, passwordHash: user.passwordHash }, { passwordHash, updatedAt: new Date() }))
      // Nothing is lost: the old hash still works, and the next login tries again.
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
