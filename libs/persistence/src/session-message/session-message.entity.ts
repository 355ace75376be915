import { Column, Entity, Generated, Index, JoinColumn, ManyToOne, PrimaryColumn, Relation } from 'typeorm';
import { bigintAsNumber } from '../column-transformers';
import { SessionEntity } from '../session/session.entity';
import { StoredMessageEntity } from '../stored-message/stored-message.entity';

/**
 * A queued or in-flight QoS 1/2 message for one durable session: a reference to the stored message and
 * the state of this delivery. The message itself is stored once for every session it is queued for.
 */
@Entity('session_messages')
@Index('session_messages_by_session', ['clientId', 'id'])
@Index('session_messages_by_message', ['messageId'])
export class SessionMessageEntity {
  /**
   * Assigned by the broker from its own counter, increasing: the delivery order (hence a number). The
   * column is a bigserial all the same, so TypeORM leaves it out of an INSERT and the sequence numbers
   * the row; the broker writes these rows with COPY and its own ids. (@Generated rather than
   * @PrimaryGeneratedColumn, which takes no transformer.)
   */
  @PrimaryColumn({ type: 'bigint', transformer: bigintAsNumber })
  @Generated('increment')
  id!: number;

  @Column({ name: 'client_id', type: 'text' })
  clientId!: string;

  @Column({ name: 'message_id', type: 'bigint', transformer: bigintAsNumber })
  messageId!: number;

  /** The QoS of this delivery (1 or 2). */
  @Column({ type: 'smallint' })
  qos!: number;

  /** The RETAIN flag of this delivery (Retain As Published). */
  @Column({ type: 'boolean' })
  retain!: boolean;

  @Column({ name: 'subscription_ids', type: 'integer', array: true, nullable: true })
  subscriptionIds!: number[] | null;

  /** Null or 0 while queued. */
  @Column({ name: 'packet_id', type: 'integer', nullable: true })
  packetId!: number | null;

  /** 0 queued, 1 sent (awaiting PUBACK/PUBREC), 2 released (PUBREL sent, awaiting PUBCOMP). */
  @Column({ type: 'smallint', default: 0 })
  state!: number;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  // No foreign key in the database (migration 1764200000000): whoever deletes a session deletes its messages.
  @ManyToOne(() => SessionEntity, (session) => session.messages, { createForeignKeyConstraints: false, nullable: false })
  @JoinColumn({ name: 'client_id', referencedColumnName: 'clientId' })
  session?: Relation<SessionEntity>;

  // Nor to the stored message (migration 1764300000000): whoever deletes its last reference deletes it.
  @ManyToOne(() => StoredMessageEntity, (message) => message.references, { createForeignKeyConstraints: false, nullable: false })
  @JoinColumn({ name: 'message_id', referencedColumnName: 'id' })
  message?: Relation<StoredMessageEntity>;
}
