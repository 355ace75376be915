import { readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { join } from 'node:path';

/** What a running PostgreSQL server says about itself in its data directory's `postmaster.pid`. */
export interface PostmasterStatus {
  pid: number;
  port: number;
  /** `starting`, `ready`, `stopping` or `standby`, once the server has got that far. */
  state: string;
}

/** Reads DATA/postmaster.pid; undefined when there is none or it is not (yet) complete. */
export function readPostmasterPid(clusterDir: string): PostmasterStatus | undefined {
  let text: string;
  try {
    text = readFileSync(join(clusterDir, 'postmaster.pid'), 'utf8');
  } catch {
    return undefined;
  }
  // Lines: pid, data directory, start time, port, socket directory, listen address, shared memory key, state.
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port)) return undefined;
  return { pid, port, state: (lines[7] ?? '').trim() };
}

/** Whether `pid` is a live process (of any user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether `pid` is a live process; on Linux, also that it is a PostgreSQL server and not a reused pid. */
export function isPostgresProcess(pid: number): boolean {
  if (!isAlive(pid)) return false;
  if (process.platform !== 'linux') return true;
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres';
  } catch {
    return false;
  }
}

/**
 * Whether `pid` is the PostgreSQL server of `clusterDir`: on Linux, a server's working directory is its
 * data directory, so a pid the system gave to another server since is not taken for ours.
 */
export function isServerOf(pid: number, clusterDir: string): boolean {
  if (!isPostgresProcess(pid)) return false;
  if (process.platform !== 'linux') return true;
  try {
    return readlinkSync(`/proc/${pid}/cwd`) === realpathSync(clusterDir);
  } catch {
    return false;
  }
}
