import { DataSource } from 'typeorm';

/** The tables whose size the database keeps count of (migrations 1764400000000 and 1764500000000). */
export type CountedTable = 'history_blocks' | 'session_events';

export interface TableSize {
  rows: number;
  bytes: number;
}

/** Rows looked at per DELETE when trimming: a large excess goes in several short statements. */
const TRIM_SLICE = 5000;

/**
 * The size of a table clients fill, and its trimming to a byte bound, oldest rows (lowest ids) first.
 * What `bytes` counts is the table's `<table>_row_bytes` function, so rows counted in and counted out
 * always weigh the same.
 */
export class TableUsage {
  constructor(
    private readonly dataSource: DataSource,
    private readonly table: CountedTable,
  ) {}

  async size(): Promise<TableSize> {
    const [row] = (await this.dataSource.query(`SELECT rows, bytes FROM table_usage WHERE table_name = $1`, [this.table])) as Array<{ rows: string; bytes: string }>;
    return row === undefined ? { rows: 0, bytes: 0 } : { rows: Number(row.rows), bytes: Number(row.bytes) };
  }

  /**
   * Deletes the oldest rows until the table holds at most `maxBytes`; returns the rows deleted. Each slice
   * deletes just enough of the oldest TRIM_SLICE rows to cover what is still over.
   */
  async trimTo(maxBytes: number): Promise<number> {
    let deleted = 0;
    for (;;) {
      const excess = (await this.size()).bytes - maxBytes;
      if (excess <= 0) return deleted;
      const [row] = (await this.dataSource.query(
        `WITH oldest AS (
           SELECT id, ${this.table}_row_bytes(t) AS bytes FROM ${this.table} t ORDER BY id LIMIT ${TRIM_SLICE}
         ), covering AS (
           SELECT id FROM (SELECT id, bytes, sum(bytes) OVER (ORDER BY id) AS running FROM oldest) r WHERE running - bytes < $1
         ), gone AS (
           DELETE FROM ${this.table} WHERE id IN (SELECT id FROM covering) RETURNING 1
         )
         SELECT count(*)::int AS n FROM gone`,
        [excess],
      )) as Array<{ n: number }>;
      const n = Number(row.n);
      // Nothing left to delete while the count says otherwise: never spin on it.
      if (n === 0) return deleted;
      deleted += n;
    }
  }
}
