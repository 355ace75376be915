import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** An MQTT (and admin) user: a bcrypt password hash and SCRAM credentials, never the password. */
@Entity('users')
export class UserEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text', unique: true })
  username!: string;

  @Column({ name: 'password_hash', type: 'text' })
  passwordHash!: string;

  /**
   * SCRAM-SHA-256 credentials of the same password (see scram-credentials.ts), a secret like the hash;
   * null for a user whose password was set before they existed, or imported as a bare bcrypt hash.
   */
  @Column({ name: 'scram_sha_256', type: 'text', nullable: true })
  scramSha256!: string | null;

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  roles!: string[];

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
