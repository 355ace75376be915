/** Where the data lives: a PostgreSQL server, or the embedded PostgreSQL server the broker runs in a directory. */
export interface DatabaseOptions {
  /** postgres://user:password@host:port/database; unset means the embedded database. */
  url?: string;
  /** Directory of the embedded database (unused with `url`). */
  dataDir: string;
  /**
   * When a running broker owns the embedded database, connect to its server rather than refusing
   * (command-line tools: adding a user, showing migrations). A second broker is always refused.
   */
  attachToRunning?: boolean;
  logging?: boolean;
}

/** A description safe to print: never the password. */
export function describeDatabase(options: DatabaseOptions): string {
  if (options.url === undefined) return `embedded PostgreSQL database in ${options.dataDir}`;
  try {
    const url = new URL(options.url);
    return `PostgreSQL at ${url.hostname}:${url.port || 5432}${url.pathname}`;
  } catch {
    return 'PostgreSQL (DATABASE_URL is not a valid URL)';
  }
}
