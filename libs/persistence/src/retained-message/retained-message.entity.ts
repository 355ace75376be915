import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bytesAsBuffer } from '../column-transformers';

/** The retained message of one topic. */
@Entity('retained_messages')
export class RetainedMessageEntity {
  @PrimaryColumn({ type: 'text' })
  topic!: string;

  @Column({ type: 'bytea', transformer: bytesAsBuffer })
  payload!: Buffer;

  @Column({ type: 'smallint' })
  qos!: number;

  /** Forwarded MQTT 5.0 properties as wire bytes. */
  @Column({ type: 'bytea', nullable: true, transformer: bytesAsBuffer })
  properties!: Buffer | null;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Column({ name: 'publisher_client_id', type: 'text', nullable: true })
  publisherClientId!: string | null;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
