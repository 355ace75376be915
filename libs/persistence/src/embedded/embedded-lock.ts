import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseError } from '../database-error';
import { isAlive } from './postmaster-pid';

/**
 * The embedded database belongs to one process at a time, which starts and stops its server: a pid
 * file in the data directory says which. A file left by a process that died is taken over.
 */
export class EmbeddedDatabaseLock {
  private constructor(private readonly path: string) {}

  /** The live process, other than this one, that holds the database in `dataDir`. */
  static holder(dataDir: string): number | undefined {
    let holder: number;
    try {
      holder = Number(readFileSync(lockFile(dataDir), 'utf8').trim());
    } catch {
      return undefined;
    }
    // A file naming this process was left by an earlier run with the same pid (pid 1 in a container).
    return Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder) ? holder : undefined;
  }

  static acquire(dataDir: string): EmbeddedDatabaseLock {
    mkdirSync(dataDir, { recursive: true });
    const path = lockFile(dataDir);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(path, 'wx');
        writeSync(fd, String(process.pid));
        closeSync(fd);
        return new EmbeddedDatabaseLock(path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const holder = EmbeddedDatabaseLock.holder(dataDir);
        if (holder !== undefined) throw new DatabaseError(`the embedded database in ${dataDir} is in use by process ${holder}; stop it first`);
        rmSync(path, { force: true });
      }
    }
    throw new DatabaseError(`cannot lock the embedded database in ${dataDir}`);
  }

  release(): void {
    rmSync(this.path, { force: true });
  }
}

function lockFile(dataDir: string): string {
  return join(dataDir, 'nestmq.pid');
}
