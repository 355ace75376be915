/** Where the data lives: a PostgreSQL server, or the embedded PGlite database in a directory. */
export interface DatabaseOptions {
  /** postgres://user:password@host:port/database; unset means the embedded database. */
  url?: string;
  /** Directory of the embedded database; `memory://` keeps it in memory (tests). */
  dataDir: string;
  logging?: boolean;
}

/** A description safe to print: never the password. */
export function describeDatabase(options: DatabaseOptions): string {
  if (options.url === undefined) return `embedded PGlite database in ${options.dataDir}`;
  try {
    const url = new URL(options.url);
    return `PostgreSQL at ${url.hostname}:${url.port || 5432}${url.pathname}`;
  } catch {
    return 'PostgreSQL (DATABASE_URL is not a valid URL)';
  }
}
