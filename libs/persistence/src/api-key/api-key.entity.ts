import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintAsNumber } from '../column-transformers';

/** A key a script or machine sends as `Authorization: Bearer` to the admin API; only its hash is kept. */
@Entity('api_keys')
@Index('api_keys_by_hash', ['keyHash'], { unique: true })
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  /** admin or viewer, as for a signed-in user. */
  @Column({ type: 'text' })
  role!: string;

  /** SHA-256 of the key, hex: the key itself is never stored. */
  @Column({ name: 'key_hash', type: 'text' })
  keyHash!: string;

  /** The key's first characters, to tell keys apart in a list. */
  @Column({ type: 'text' })
  prefix!: string;

  @Column({ name: 'created_by', type: 'text' })
  createdBy!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @Column({ name: 'last_used_address', type: 'text', nullable: true })
  lastUsedAddress!: string | null;

  @Column({ name: 'use_count', type: 'bigint', default: 0, transformer: bigintAsNumber })
  useCount!: number;
}
