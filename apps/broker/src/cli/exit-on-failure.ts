/**
 * Ends a command-line tool that failed with one line on stderr and exit code 1: the message of a
 * configuration or database error already names the variable or the database and the cause.
 */
export function exitOnFailure(e: unknown): never {
  const message = e instanceof Error ? e.message || e.name : String(e);
  console.error(`nestmq: ${message.split('\n')[0]}`);
  process.exit(1);
}
