import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../column-transformers';

/**
 * Rows and bytes of a table that clients fill (message_history, session_events), kept current by the
 * triggers of migration 1764400000000: reading the size is one row, not a scan.
 */
@Entity('table_usage')
export class TableUsageEntity {
  @PrimaryColumn({ name: 'table_name', type: 'text' })
  tableName!: string;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  rows!: number;

  /** As `<table>_row_bytes(row)` counts them: the row's texts and payload plus a fixed share per row. */
  @Column({ type: 'bigint', transformer: bigintAsNumber })
  bytes!: number;
}
