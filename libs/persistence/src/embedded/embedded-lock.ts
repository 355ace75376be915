import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseError } from '../database-error';

/**
 * The embedded database may be opened by one process at a time (PGlite has no locking of its own): a
 * pid file in the data directory says who holds it. A file left by a process that died is taken over.
 */
export class EmbeddedDatabaseLock {
  private constructor(private readonly path: string) {}

  static acquire(dataDir: string): EmbeddedDatabaseLock {
    mkdirSync(dataDir, { recursive: true });
    const path = join(dataDir, 'nestmq.pid');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(path, 'wx');
        writeSync(fd, String(process.pid));
        closeSync(fd);
        return new EmbeddedDatabaseLock(path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const holder = Number(readFileSync(path, 'utf8').trim());
        if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
          throw new DatabaseError(`the embedded database in ${dataDir} is in use by process ${holder}; stop it first`);
        }
        rmSync(path, { force: true });
      }
    }
    throw new DatabaseError(`cannot lock the embedded database in ${dataDir}`);
  }

  release(): void {
    rmSync(this.path, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
