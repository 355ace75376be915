import { Entity, JoinColumn, ManyToOne, PrimaryColumn, Relation } from 'typeorm';
import { SessionEntity } from '../session/session.entity';

/** A QoS 2 PUBLISH received from a durable session's client and answered with PUBREC, awaiting PUBREL. */
@Entity('inbound_qos2')
export class InboundQos2Entity {
  @PrimaryColumn({ name: 'client_id', type: 'text' })
  clientId!: string;

  @PrimaryColumn({ name: 'packet_id', type: 'integer' })
  packetId!: number;

  // The constraint keeps the name PostgreSQL gave the migration's inline REFERENCES.
  @ManyToOne(() => SessionEntity, (session) => session.inboundQos2, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'client_id', referencedColumnName: 'clientId', foreignKeyConstraintName: 'inbound_qos2_client_id_fkey' })
  session?: Relation<SessionEntity>;
}
