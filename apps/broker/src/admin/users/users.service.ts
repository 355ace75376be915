import { Injectable } from '@nestjs/common';
import { PasswordHasher, UserEntity, UserExistsError, UserRepository } from '@nestmq/persistence';
import { badInput, notFound } from '../admin-error';
import { AuditService } from '../audit/audit.service';
import { ChangeQueue } from '../change-queue';
import { CreateUserInput, MqttUserType, UpdateUserInput, UserExportType, UserImportInput, UserImportResultType } from './users.types';

const noUser = (username: string): Error => notFound(`no user "${username}"`);

/** A user as the admin API shows it: never its password hash. */
const toUser = (u: UserEntity): MqttUserType => ({ username: u.username, roles: u.roles, enabled: u.enabled, scram: u.scramSha256 !== null, createdAt: u.createdAt, updatedAt: u.updatedAt });

/** What the audit log keeps of a user: never the password or its hash. */
const visible = (u: Pick<UserEntity, 'roles' | 'enabled'>): Record<string, unknown> => ({ roles: u.roles, enabled: u.enabled });

function checkPassword(password: string): void {
  const bytes = Buffer.byteLength(password);
  if (bytes === 0) throw badInput('password: may not be empty');
  if (bytes > PasswordHasher.MAX_PASSWORD_BYTES) throw badInput(`password: ${bytes} bytes; at most ${PasswordHasher.MAX_PASSWORD_BYTES} are allowed (bcrypt ignores the rest)`);
}

const isAdmin = (u: Pick<UserEntity, 'roles' | 'enabled'>): boolean => u.enabled && u.roles.includes('admin');

/** Users one import may hold: each new password costs a bcrypt hash. */
const MAX_IMPORT = 10_000;

/** The broker's users, managed by admins; every change is in the audit log. */
@Injectable()
export class UsersService {
  /** Two admins demoting each other at once must not both pass the "another admin is left" check. */
  private readonly changes = new ChangeQueue();

  constructor(
    private readonly users: UserRepository,
    private readonly audit: AuditService,
  ) {}

  /** Every user, by name. */
  async list(): Promise<MqttUserType[]> {
    return (await this.users.list()).map(toUser);
  }

  /** One user, or NOT_FOUND. */
  async get(username: string): Promise<MqttUserType> {
    const user = await this.users.findByUsername(username);
    if (user === null) throw noUser(username);
    return toUser(user);
  }

  create(actor: string, input: CreateUserInput): Promise<MqttUserType> {
    return this.changes.run(async () => toUser(await this.doCreate(actor, input)));
  }

  update(actor: string, username: string, input: UpdateUserInput): Promise<MqttUserType> {
    return this.changes.run(async () => toUser(await this.doUpdate(actor, username, input)));
  }

  delete(actor: string, username: string): Promise<boolean> {
    return this.changes.run(() => this.doDelete(actor, username));
  }

  import(actor: string, users: readonly UserImportInput[]): Promise<UserImportResultType> {
    return this.changes.run(() => this.doImport(actor, users));
  }

  private async doCreate(actor: string, input: CreateUserInput): Promise<UserEntity> {
    const username = input.username.trim();
    if (username.length === 0 || username !== input.username) throw badInput('username: may not be empty or start or end with spaces');
    checkPassword(input.password);
    let user: UserEntity;
    try {
      user = await this.users.create({ username, password: input.password, roles: input.roles ?? [], enabled: input.enabled ?? true });
    } catch (e) {
      if (e instanceof UserExistsError) throw badInput(`username: "${username}" already exists`);
      throw e;
    }
    await this.audit.record({ actor, action: 'createUser', target: username, details: { after: visible(user) } });
    return user;
  }

  private async doUpdate(actor: string, username: string, input: UpdateUserInput): Promise<UserEntity> {
    const before = await this.users.findByUsername(username);
    if (before === null) throw noUser(username);
    if (input.password != null) checkPassword(input.password);
    const after = { roles: input.roles ?? before.roles, enabled: input.enabled ?? before.enabled };
    if (isAdmin(before) && !isAdmin(after)) await this.keepAnAdmin(username);
    if (input.password != null) await this.users.setPassword(username, input.password);
    if (input.roles != null) await this.users.setRoles(username, input.roles);
    if (input.enabled != null) await this.users.setEnabled(username, input.enabled);
    const details = { before: visible(before), after, ...(input.password != null ? { passwordChanged: true } : {}) };
    await this.audit.record({ actor, action: 'updateUser', target: username, details });
    return (await this.users.findByUsername(username))!;
  }

  private async doDelete(actor: string, username: string): Promise<boolean> {
    const before = await this.users.findByUsername(username);
    if (before === null) throw noUser(username);
    if (isAdmin(before)) await this.keepAnAdmin(username);
    await this.users.delete(username);
    await this.audit.record({ actor, action: 'deleteUser', target: username, details: { before: visible(before) } });
    return true;
  }

  /** Every user with its bcrypt hash, to import elsewhere; the export itself is audited. */
  async export(actor: string): Promise<UserExportType[]> {
    const users = await this.users.list();
    await this.audit.record({ actor, action: 'exportUsers', target: null, details: { users: users.length } });
    return users.map((u) => ({ username: u.username, roles: u.roles, enabled: u.enabled, passwordHash: u.passwordHash }));
  }

  /**
   * Adds or replaces users from an export (bcrypt hashes) or with new passwords, all checked before any is
   * written. The import may not leave the broker without an enabled admin.
   */
  private async doImport(actor: string, users: readonly UserImportInput[]): Promise<UserImportResultType> {
    if (users.length === 0 || users.length > MAX_IMPORT) throw badInput(`users: 1 to ${MAX_IMPORT} at a time`);
    const names = new Set<string>();
    for (const u of users) {
      if (u.username.length === 0 || u.username.trim() !== u.username) throw badInput('username: may not be empty or start or end with spaces');
      if (names.has(u.username)) throw badInput(`username: "${u.username}" is in the import twice`);
      names.add(u.username);
      if ((u.passwordHash == null) === (u.password == null)) throw badInput(`"${u.username}": give either passwordHash or password`);
      if (u.password != null) checkPassword(u.password);
      if (u.passwordHash != null && PasswordHasher.costOf(u.passwordHash) === undefined) throw badInput(`"${u.username}": passwordHash is not a bcrypt hash`);
    }
    const current = await this.users.list();
    const admins = new Set(current.filter(isAdmin).map((u) => u.username));
    for (const u of users) {
      if (isAdmin(u)) admins.add(u.username);
      else admins.delete(u.username);
    }
    if (admins.size === 0) throw badInput('the import would leave no enabled admin');
    const withHashes = [];
    // A new password gets its SCRAM credentials with its hash; a bare hash gets none until its user's next password login.
    for (const u of users) {
      const stored = u.passwordHash != null ? { passwordHash: u.passwordHash, scramSha256: null } : await this.users.storedPassword(u.password!);
      withHashes.push({ username: u.username, roles: u.roles, enabled: u.enabled, ...stored });
    }
    const result = await this.users.upsertWithHashes(withHashes);
    await this.audit.record({ actor, action: 'importUsers', target: null, details: { ...result, users: users.map((u) => u.username) } });
    return result;
  }

  /** Nobody could sign in to the admin API again: the last enabled admin stays one. */
  private async keepAnAdmin(losing: string): Promise<void> {
    const others = (await this.users.list()).filter((u) => u.username !== losing && isAdmin(u));
    if (others.length === 0) throw badInput(`"${losing}" is the last enabled admin: make another user an admin first`);
  }
}
