import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One admin API login: renewed by its refresh tokens, ended by a logout or its expiry. */
@Entity('admin_sessions')
@Index('admin_sessions_by_username', ['username'])
export class AdminSessionEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  username!: string;

  /** The id of the one refresh token that may renew the session now. */
  @Column({ name: 'refresh_id', type: 'uuid' })
  refreshId!: string;

  @Column({ type: 'text', nullable: true })
  address!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', default: () => 'now()' })
  lastUsedAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;
}
