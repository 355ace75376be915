// Shared by migrations; outside the folder TypeORM loads migrations from, where every exported function
// would be taken for a migration class.
/**
 * The row size function of `table`, its row in table_usage counted from what it holds now, and the
 * statement triggers that keep that row current: rows counted in (INSERT, transition table `added`) and
 * out (DELETE, `removed`) by the same function.
 */
export function usageTriggers(table: string, rowBytes: string): string[] {
  const sql = [
    `CREATE FUNCTION ${table}_row_bytes(r ${table}) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$ SELECT (${rowBytes})::bigint $$`,
    `INSERT INTO table_usage SELECT '${table}', count(*), coalesce(sum(${table}_row_bytes(r)), 0) FROM ${table} r`,
  ];
  for (const [change, sign] of [['added', '+'], ['removed', '-']] as const) {
    sql.push(`
      CREATE FUNCTION ${table}_usage_${change}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE table_usage u SET rows = u.rows ${sign} s.n, bytes = u.bytes ${sign} s.b
          FROM (SELECT count(*) AS n, coalesce(sum(${table}_row_bytes(r)), 0) AS b FROM ${change} r) s
          WHERE u.table_name = '${table}';
        RETURN NULL;
      END $$`);
  }
  sql.push(
    `
      CREATE FUNCTION ${table}_usage_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE table_usage SET rows = 0, bytes = 0 WHERE table_name = '${table}';
        RETURN NULL;
      END $$`,
    `CREATE TRIGGER ${table}_usage_added AFTER INSERT ON ${table} REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION ${table}_usage_added()`,
    `CREATE TRIGGER ${table}_usage_removed AFTER DELETE ON ${table} REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION ${table}_usage_removed()`,
    `CREATE TRIGGER ${table}_usage_truncated AFTER TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION ${table}_usage_truncated()`,
  );
  return sql;
}

/** Undoes usageTriggers(table). */
export function dropUsageTriggers(table: string): string[] {
  const sql: string[] = [];
  for (const trigger of ['added', 'removed', 'truncated']) {
    sql.push(`DROP TRIGGER ${table}_usage_${trigger} ON ${table}`, `DROP FUNCTION ${table}_usage_${trigger}()`);
  }
  sql.push(`DROP FUNCTION ${table}_row_bytes(${table})`, `DELETE FROM table_usage WHERE table_name = '${table}'`);
  return sql;
}
