import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A secret the broker makes once and keeps, so every broker on the database and every restart uses the same. */
@Entity('server_secrets')
export class ServerSecretEntity {
  @PrimaryColumn({ type: 'text' })
  name!: string;

  @Column({ type: 'bytea' })
  secret!: Buffer;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
