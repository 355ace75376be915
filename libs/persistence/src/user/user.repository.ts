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
  password: string;
  roles?: string[];
  enabled?: boolean;
}

/** Users and their bcrypt-hashed passwords. The hashing runs on the given hasher's threads; its owner closes it. */
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

  findByUsername(username: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ username });
  }

  list(): Promise<UserEntity[]> {
    return this.users.find({ order: { username: 'ASC' } });
  }

  async setPassword(username: string, password: string): Promise<boolean> {
    const result = await this.users.update({ username }, { passwordHash: await this.passwords.hash(password, this.bcryptCost), updatedAt: new Date() });
    return (result.affected ?? 0) > 0;
  }

  async setEnabled(username: string, enabled: boolean): Promise<boolean> {
    const result = await this.users.update({ username }, { enabled, updatedAt: new Date() });
    return (result.affected ?? 0) > 0;
  }

  async delete(username: string): Promise<boolean> {
    const result = await this.users.delete({ username });
    return (result.affected ?? 0) > 0;
  }

  /**
   * The enabled user whose password this is, or null. Runs one bcrypt comparison whatever the outcome,
   * so the time taken does not tell whether the name exists.
   */
  /** `signal` cancels the password check (see PasswordHasher.compare). */
  async verify(username: string, password: string, signal?: AbortSignal): Promise<UserEntity | null> {
    const user = await this.findByUsername(username);
    const stored = user?.passwordHash ?? (await this.decoy());
    const matches = await this.passwords.compare(password, stored, signal);
    return matches && user !== null && user.enabled ? user : null;
  }

  private decoy(): Promise<string> {
    if (this.decoyHash === undefined) {
      const decoy = this.passwords.hash('decoy password that no user has', this.bcryptCost);
      // A hash lost with a crashed thread must not fail every later unknown user: the next one retries.
      decoy.catch(() => {
        if (this.decoyHash === decoy) this.decoyHash = undefined;
      });
      this.decoyHash = decoy;
    }
    return this.decoyHash;
  }
}
