import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';

/** Secrets of the broker's own, by name: made on first use, the same ever after. Never shown anywhere. */
export class ServerSecretRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The secret called `name`; 32 random bytes written the first time (the first writer wins a race). */
  async get(name: string): Promise<Buffer> {
    await this.dataSource.query(`INSERT INTO server_secrets (name, secret) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [name, randomBytes(32)]);
    const [row] = (await this.dataSource.query(`SELECT secret FROM server_secrets WHERE name = $1`, [name])) as Array<{ secret: Buffer }>;
    return Buffer.from(row.secret);
  }
}
