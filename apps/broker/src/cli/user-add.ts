import 'reflect-metadata';
import { DatabaseError, PasswordHasher, UserExistsError, UserRepository, describeDatabase, openDatabase } from '@nestmq/persistence';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { ConfigError, loadBrokerConfig } from '../config/broker-config';
import { loadDotEnv } from '../config/dot-env';

const USAGE = 'usage: npm run user:add -- <username> [password] [--role <role>]...  (a password is generated when omitted)';

/** Adds a user to the broker's database (the one DATABASE_URL / DATA_DIR name). */
async function main(): Promise<number> {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { role: { type: 'string', multiple: true } } });
  const [username, given] = positionals;
  if (!username || positionals.length > 2) {
    console.error(USAGE);
    return 2;
  }
  // bcrypt reads 72 bytes: a longer password would be stored cut short, and is never accepted at CONNECT.
  if (given !== undefined && Buffer.byteLength(given) > PasswordHasher.MAX_PASSWORD_BYTES) {
    console.error(`nestmq: the password has ${Buffer.byteLength(given)} bytes; at most ${PasswordHasher.MAX_PASSWORD_BYTES} are allowed (bcrypt ignores the rest)`);
    return 2;
  }
  loadDotEnv();
  const config = loadBrokerConfig();
  // While a broker runs on the embedded database, the user is added through its server.
  const options = { url: config.databaseUrl, dataDir: config.dataDir, attachToRunning: true };
  const dataSource = await openDatabase(options);
  const passwords = new PasswordHasher({ threads: config.bcryptThreads });
  try {
    const password = given ?? randomBytes(12).toString('base64url');
    await new UserRepository(dataSource, config.bcryptCost, passwords, config.scramIterations).create({ username, password, roles: values.role ?? [] });
    console.log(`added user "${username}" to the ${describeDatabase(options)}${given ? '' : ` with password ${password}`}`);
    return 0;
  } finally {
    await passwords.close();
    await dataSource.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof ConfigError || e instanceof DatabaseError || e instanceof UserExistsError) {
      console.error(`nestmq: ${e.message}`);
      process.exit(1);
    }
    throw e;
  },
);
