import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type AclPermission = 'allow' | 'deny';
/** `subscribe` covers receiving too: a message is delivered only where it may be read. */
export type AclAction = 'publish' | 'subscribe' | 'all';

/**
 * A topic rule managed through the admin API. Rules are read in `position` order and the first that
 * applies to a client, an action and a topic decides.
 */
@Entity('acl_rules')
@Index('acl_rules_position', ['position'])
export class AclRuleEntity {
  /** From the sequence: a string, as `pg` returns a bigint. */
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  /** 1 for the first rule; the rules' positions are 1..n with no gaps. */
  @Column({ type: 'integer' })
  position!: number;

  @Column({ type: 'text' })
  permission!: AclPermission;

  @Column({ type: 'text' })
  action!: AclAction;

  /** A topic filter; %c and %u stand for the client identifier and user name. */
  @Column({ type: 'text' })
  topic!: string;

  /** Only this user's clients; null: any client (unless `anonymous`). */
  @Column({ type: 'text', nullable: true })
  username!: string | null;

  /** Only the client with this identifier; null: any. */
  @Column({ name: 'client_id', type: 'text', nullable: true })
  clientId!: string | null;

  /** Only clients without a user name. */
  @Column({ type: 'boolean', default: false })
  anonymous!: boolean;

  /** Only clients whose authenticator gave them this role; null: any. */
  @Column({ type: 'text', nullable: true })
  role!: string | null;

  @Column({ type: 'text', nullable: true })
  comment!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
