import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bytesAsBuffer } from '../column-transformers';

/**
 * The messages recorded on one topic in one batch (see HistoryBatch for the encoding of `messages`). The
 * migration sorts both indexes' later columns DESC, which TypeORM's @Index cannot say; its schema
 * comparison looks at index names and columns only, so these declarations match.
 */
@Entity('history_blocks')
@Index('history_blocks_by_topic_time', ['topic', 'lastAt', 'id'])
@Index('history_blocks_by_time', ['lastAt', 'id'])
export class HistoryBlockEntity {
  /** From the sequence: a string, as `pg` returns a bigint. */
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ type: 'text' })
  topic!: string;

  /** When its oldest message was received. */
  @Column({ name: 'first_at', type: 'timestamptz' })
  firstAt!: Date;

  /** When its newest message was received. */
  @Column({ name: 'last_at', type: 'timestamptz' })
  lastAt!: Date;

  /** Messages in the block. */
  @Column({ type: 'integer' })
  count!: number;

  @Column({ type: 'bytea', transformer: bytesAsBuffer })
  messages!: Buffer;
}
