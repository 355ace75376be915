import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { PasswordHasher, UserRepository } from '@nestmq/persistence';
import { randomBytes } from 'node:crypto';
import { BROKER_CONFIG, BrokerConfig } from '../config/broker-config';

export const ADMIN_ROLE = 'admin';

/**
 * Creates the first admin user when no admin exists: ADMIN_USERNAME with ADMIN_PASSWORD, or a generated
 * password printed this once. A fresh install can connect straight away with it.
 */
@Injectable()
export class AdminBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('Users');

  constructor(
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    private readonly users: UserRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Checked whether or not an admin is created now: a password bcrypt would cut short is a mistake in
    // the configuration either way, and the broker refuses one over 72 bytes at CONNECT.
    const given = this.config.adminPassword;
    if (given !== undefined && Buffer.byteLength(given) > PasswordHasher.MAX_PASSWORD_BYTES) {
      throw new Error(`ADMIN_PASSWORD has ${Buffer.byteLength(given)} bytes; at most ${PasswordHasher.MAX_PASSWORD_BYTES} are allowed (bcrypt ignores the rest)`);
    }
    const all = await this.users.list();
    if (all.some((u) => u.roles.includes(ADMIN_ROLE))) return;
    const existing = all.find((u) => u.username === this.config.adminUsername);
    if (existing) {
      this.logger.warn(`no admin user: "${existing.username}" exists without the admin role; none was created`);
      return;
    }
    const generated = this.config.adminPassword === undefined;
    const password = this.config.adminPassword ?? randomBytes(12).toString('base64url');
    await this.users.create({ username: this.config.adminUsername, password, roles: [ADMIN_ROLE] });
    if (generated) {
      // The one secret the broker ever logs, once, on purpose: whoever starts it must learn it. A warning,
      // so that LOG_LEVEL=warn still shows it; ADMIN_PASSWORD keeps it out of the logs altogether.
      this.logger.warn(`created admin user "${this.config.adminUsername}" with password ${password} (shown once; set ADMIN_PASSWORD to choose it)`);
    } else {
      this.logger.log(`created admin user "${this.config.adminUsername}" with the password from ADMIN_PASSWORD`);
    }
  }
}
