import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bytesAsBuffer } from '../column-transformers';

/**
 * One recorded PUBLISH. The migration sorts both indexes' later columns DESC, which TypeORM's @Index
 * cannot say; its schema comparison looks at index names and columns only, so these declarations match.
 */
@Entity('message_history')
@Index('message_history_by_topic_time', ['topic', 'receivedAt', 'id'])
@Index('message_history_by_time', ['receivedAt', 'id'])
export class MessageHistoryEntity {
  /** From the sequence, handed to admins as an opaque cursor: a string, as `pg` returns a bigint. */
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ type: 'text' })
  topic!: string;

  @Column({ type: 'bytea', transformer: bytesAsBuffer })
  payload!: Buffer;

  @Column({ type: 'smallint' })
  qos!: number;

  @Column({ type: 'boolean' })
  retain!: boolean;

  /** MQTT 5.0 properties as JSON (binary values base64), for reading in the admin UI. */
  @Column({ type: 'jsonb', nullable: true })
  properties!: Record<string, unknown> | null;

  @Column({ name: 'publisher_client_id', type: 'text', nullable: true })
  publisherClientId!: string | null;

  @Column({ name: 'publisher_username', type: 'text', nullable: true })
  publisherUsername!: string | null;

  @Column({ name: 'received_at', type: 'timestamptz', default: () => 'now()' })
  receivedAt!: Date;
}
