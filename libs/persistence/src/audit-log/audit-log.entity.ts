import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One change made through the admin API. */
@Entity('audit_log')
export class AuditLogEntity {
  /** From the sequence: a string, as `pg` returns a bigint; newest first is highest first. */
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at!: Date;

  /** The admin who made the change. */
  @Column({ type: 'text' })
  actor!: string;

  /** The mutation, e.g. createUser. */
  @Column({ type: 'text' })
  action!: string;

  /** What it changed, e.g. a user name. */
  @Column({ type: 'text', nullable: true })
  target!: string | null;

  /** Before and after, never a secret. */
  @Column({ type: 'jsonb', nullable: true })
  details!: Record<string, unknown> | null;
}
