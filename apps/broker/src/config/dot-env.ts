import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './broker-config';

/**
 * Reads `.env` from the working directory into the environment, if the file is there: a deployment's
 * settings in one file beside the data directory. Variables already set in the environment win.
 */
export function loadDotEnv(directory = process.cwd()): void {
  const file = join(directory, '.env');
  if (!existsSync(file)) return;
  try {
    process.loadEnvFile(file);
  } catch (e) {
    throw new ConfigError(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
