import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Something that happened to a client's session (connect, disconnect, subscribe, ...), for the admin
 * audit trail. The migration sorts `at` DESC in both indexes, which TypeORM's @Index cannot say; its
 * schema comparison looks at index names and columns only, so these declarations match.
 */
@Entity('session_events')
@Index('session_events_by_client_time', ['clientId', 'at'])
@Index('session_events_by_time', ['at'])
export class SessionEventEntity {
  /** From the sequence, never computed with: a string, as `pg` returns a bigint. */
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ type: 'text', nullable: true })
  username!: string | null;

  /** Not a reference to sessions: events outlive their session, and clean sessions have none stored. */
  @Column({ name: 'client_id', type: 'text' })
  clientId!: string;

  @Column({ type: 'text' })
  action!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at!: Date;

  @Column({ type: 'jsonb', nullable: true })
  details!: Record<string, unknown> | null;
}
