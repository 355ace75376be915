import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { printAdminSchema } from '../admin/admin-schema';

/** apps/broker/schema.gql, from the compiled output in apps/broker/dist/src/cli. */
export const SCHEMA_FILE = join(__dirname, '..', '..', '..', 'schema.gql');

/** Writes the admin API's schema beside the broker's sources when it changed. */
async function main(): Promise<void> {
  const schema = await printAdminSchema();
  let current = '';
  try {
    current = readFileSync(SCHEMA_FILE, 'utf8');
  } catch {
    // First build.
  }
  if (current !== schema) writeFileSync(SCHEMA_FILE, schema);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(`nestmq: cannot print the admin schema: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
