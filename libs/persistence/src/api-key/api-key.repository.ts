import { DataSource, IsNull, Repository } from 'typeorm';
import { ApiKeyEntity } from './api-key.entity';

export interface NewApiKey {
  name: string;
  role: string;
  keyHash: string;
  prefix: string;
  createdBy: string;
  expiresAt: Date | null;
}

/** What a request made with a key needs to know of it. */
export type UsedApiKey = Pick<ApiKeyEntity, 'id' | 'name' | 'role' | 'expiresAt'>;

/** The admin API's keys. */
export class ApiKeyRepository {
  private readonly keys: Repository<ApiKeyEntity>;

  constructor(private readonly dataSource: DataSource) {
    this.keys = dataSource.getRepository(ApiKeyEntity);
  }

  create(key: NewApiKey): Promise<ApiKeyEntity> {
    return this.keys.save(this.keys.create(key));
  }

  /** Every key, revoked and expired ones too, newest first. */
  list(): Promise<ApiKeyEntity[]> {
    return this.keys.find({ order: { createdAt: 'DESC', id: 'ASC' } });
  }

  findById(id: string): Promise<ApiKeyEntity | null> {
    return this.keys.findOneBy({ id });
  }

  /**
   * Records a use of the key with this hash and returns it, in one statement, if it is neither revoked nor
   * expired; null otherwise. A revocation is therefore seen by the very next request.
   */
  async use(keyHash: string, address: string | null): Promise<UsedApiKey | null> {
    const [rows] = (await this.dataSource.query(
      `UPDATE api_keys SET last_used_at = now(), last_used_address = $2, use_count = use_count + 1
        WHERE key_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
        RETURNING id, name, role, expires_at`,
      [keyHash, address],
    )) as [Array<{ id: string; name: string; role: string; expires_at: Date | null }>, number];
    if (rows.length !== 1) return null;
    const [row] = rows;
    return { id: row.id, name: row.name, role: row.role, expiresAt: row.expires_at };
  }

  /** Revokes a key; returns it as it is now, or null when there is no such key. */
  async revoke(id: string): Promise<ApiKeyEntity | null> {
    await this.keys.update({ id, revokedAt: IsNull() }, { revokedAt: new Date() });
    return this.findById(id);
  }
}
