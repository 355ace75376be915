import { Column, Entity, OneToMany, PrimaryColumn, Relation } from 'typeorm';
import { bigintAsNumber, bytesAsBuffer } from '../column-transformers';
import { InboundQos2Entity } from '../inbound-qos2/inbound-qos2.entity';
import { SessionMessageEntity } from '../session-message/session-message.entity';
import { SubscriptionEntity } from '../subscription/subscription.entity';

/**
 * A durable session (Session Expiry Interval > 0) and its pending will. Deleting it deletes its
 * subscriptions and QoS 2 state (ON DELETE CASCADE in the database); its queued messages must be deleted
 * with it, in the same transaction (they have no foreign key: see session-message.entity.ts).
 */
@Entity('sessions')
export class SessionEntity {
  @PrimaryColumn({ name: 'client_id', type: 'text' })
  clientId!: string;

  @Column({ type: 'text', nullable: true })
  username!: string | null;

  /** 3 (MQTT 3.1), 4 (3.1.1) or 5. */
  @Column({ name: 'protocol_version', type: 'smallint' })
  protocolVersion!: number;

  /** Seconds. */
  @Column({ name: 'expiry_interval', type: 'bigint', transformer: bigintAsNumber })
  expiryInterval!: number;

  @Column({ name: 'will_topic', type: 'text', nullable: true })
  willTopic!: string | null;

  @Column({ name: 'will_payload', type: 'bytea', nullable: true, transformer: bytesAsBuffer })
  willPayload!: Buffer | null;

  @Column({ name: 'will_qos', type: 'smallint', nullable: true })
  willQos!: number | null;

  @Column({ name: 'will_retain', type: 'boolean', nullable: true })
  willRetain!: boolean | null;

  /** The will's MQTT 5.0 properties as wire bytes. */
  @Column({ name: 'will_properties', type: 'bytea', nullable: true, transformer: bytesAsBuffer })
  willProperties!: Buffer | null;

  /** Seconds. */
  @Column({ name: 'will_delay_interval', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  willDelayInterval!: number | null;

  @Column({ name: 'last_connect_at', type: 'timestamptz', default: () => 'now()' })
  lastConnectAt!: Date;

  @Column({ name: 'last_disconnect_at', type: 'timestamptz', nullable: true })
  lastDisconnectAt!: Date | null;

  @OneToMany(() => SubscriptionEntity, (subscription) => subscription.session)
  subscriptions?: Relation<SubscriptionEntity[]>;

  @OneToMany(() => SessionMessageEntity, (message) => message.session)
  messages?: Relation<SessionMessageEntity[]>;

  @OneToMany(() => InboundQos2Entity, (inbound) => inbound.session)
  inboundQos2?: Relation<InboundQos2Entity[]>;
}
