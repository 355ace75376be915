import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, Relation } from 'typeorm';
import { SessionEntity } from '../session/session.entity';

/** One topic filter of a durable session, with its MQTT 5.0 subscription options. */
@Entity('subscriptions')
export class SubscriptionEntity {
  @PrimaryColumn({ name: 'client_id', type: 'text' })
  clientId!: string;

  @PrimaryColumn({ name: 'topic_filter', type: 'text' })
  topicFilter!: string;

  /** The maximum QoS granted. */
  @Column({ type: 'smallint' })
  qos!: number;

  @Column({ name: 'no_local', type: 'boolean', default: false })
  noLocal!: boolean;

  @Column({ name: 'retain_as_published', type: 'boolean', default: false })
  retainAsPublished!: boolean;

  /** 0 send retained messages on subscribe, 1 only for a new subscription, 2 never. */
  @Column({ name: 'retain_handling', type: 'smallint', default: 0 })
  retainHandling!: number;

  /** The Subscription Identifier; 0 = none (identifiers start at 1). */
  @Column({ name: 'subscription_id', type: 'integer', default: 0 })
  subscriptionId!: number;

  // The constraint keeps the name PostgreSQL gave the migration's inline REFERENCES.
  @ManyToOne(() => SessionEntity, (session) => session.subscriptions, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'client_id', referencedColumnName: 'clientId', foreignKeyConstraintName: 'subscriptions_client_id_fkey' })
  session?: Relation<SessionEntity>;
}
