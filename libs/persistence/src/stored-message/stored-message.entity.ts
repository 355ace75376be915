import { Column, Entity, OneToMany, PrimaryColumn, Relation } from 'typeorm';
import { bigintAsNumber, bytesAsBuffer } from '../column-transformers';
import { SessionMessageEntity } from '../session-message/session-message.entity';

/**
 * An application message queued for one or more persistent sessions, stored once however many sessions
 * refer to it. Whoever deletes its last reference deletes it, in the same transaction (references have no
 * foreign key: see session-message.entity.ts).
 */
@Entity('stored_messages')
export class StoredMessageEntity {
  /** Assigned by the broker from its own counter, like the session messages' ids. */
  @PrimaryColumn({ type: 'bigint', transformer: bigintAsNumber })
  id!: number;

  @Column({ type: 'text' })
  topic!: string;

  @Column({ type: 'bytea', transformer: bytesAsBuffer })
  payload!: Buffer;

  /** The QoS it was published with; each session's delivery has its own. */
  @Column({ type: 'smallint' })
  qos!: number;

  /** The RETAIN flag it was published with. */
  @Column({ type: 'boolean' })
  retain!: boolean;

  /** Forwarded MQTT 5.0 properties as wire bytes. */
  @Column({ type: 'bytea', nullable: true, transformer: bytesAsBuffer })
  properties!: Buffer | null;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  /** Null for messages the broker itself published. */
  @Column({ name: 'publisher_client_id', type: 'text', nullable: true })
  publisherClientId!: string | null;

  @Column({ name: 'received_at', type: 'timestamptz', default: () => 'now()' })
  receivedAt!: Date;

  @OneToMany(() => SessionMessageEntity, (reference) => reference.message)
  references?: Relation<SessionMessageEntity[]>;
}
