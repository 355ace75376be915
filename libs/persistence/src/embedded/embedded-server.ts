import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { DatabaseError } from '../database-error';
import { EmbeddedDatabaseLock } from './embedded-lock';
import { isAlive, isServerOf, readPostmasterPid } from './postmaster-pid';
import { ServerAccount, serverAccount } from './server-account';
import { serverBinaries } from './server-binaries';

/**
 * Settings of the embedded server, chosen for one broker on a small machine: little shared memory,
 * no replication, no parallel workers, no JIT, no I/O worker processes, quiet logs. Durability is
 * PostgreSQL's default (fsync, synchronous commit), which the broker's acknowledgements rely on.
 */
const SETTINGS: Record<string, string> = {
  listen_addresses: '127.0.0.1',
  unix_socket_directories: '',
  max_connections: '24',
  shared_buffers: '16MB',
  wal_buffers: '4MB',
  wal_level: 'minimal',
  max_wal_senders: '0',
  max_logical_replication_workers: '0',
  max_worker_processes: '4',
  max_parallel_workers_per_gather: '0',
  io_method: 'sync',
  jit: 'off',
  huge_pages: 'off',
  log_min_messages: 'warning',
  log_checkpoints: 'off',
  log_line_prefix: '%m [%p] ',
};

/** How long a server gets to stop on its own (fast shutdown) before it is told to stop at once. */
const STOP_GRACE_MS = 30_000;
/** How long a server gets to accept connections after it was started. */
const START_TIMEOUT_MS = 60_000;

/** Files of the embedded database in DATA_DIR. */
function layout(dataDir: string) {
  const dir = resolve(dataDir);
  return {
    dataDir: dir,
    cluster: join(dir, 'postgres'),
    password: join(dir, 'postgres.password'),
    log: join(dir, 'postgres.log'),
  };
}

export interface EmbeddedServerOptions {
  /**
   * When another process (a running broker) owns the database, connect to its server instead of
   * refusing: for command-line tools that add a user or show migrations while the broker runs.
   */
  attach?: boolean;
}

/**
 * The embedded database: a PostgreSQL server from the binaries of an npm package, with its cluster in
 * DATA_DIR/postgres, listening on an ephemeral port of 127.0.0.1 with a generated password. The process
 * that opens it owns it (a lock file in DATA_DIR says which): it initialises the cluster on first use,
 * stops a server left running by an owner that was killed, starts its own, and stops it on close.
 */
export class EmbeddedServer {
  private constructor(
    /** postgres:// URL of the server's `postgres` database. */
    readonly url: string,
    private readonly stop: () => Promise<void>,
  ) {}

  static async open(dataDir: string, options: EmbeddedServerOptions = {}): Promise<EmbeddedServer> {
    const files = layout(dataDir);
    const holder = EmbeddedDatabaseLock.holder(files.dataDir);
    if (holder !== undefined && options.attach) return EmbeddedServer.attach(files, holder);
    const lock = EmbeddedDatabaseLock.acquire(files.dataDir);
    try {
      const binaries = serverBinaries();
      await initialise(files, binaries.initdb);
      await stopLeftover(files.cluster);
      const password = readPassword(files);
      const server = await startServer(files, binaries.postgres);
      return new EmbeddedServer(urlOf(password, server.port), async () => {
        try {
          await server.stop();
        } finally {
          lock.release();
        }
      });
    } catch (e) {
      lock.release();
      throw e;
    }
  }

  /** Connects to the server of the process holding the lock, once it accepts connections. */
  private static async attach(files: ReturnType<typeof layout>, holder: number): Promise<EmbeddedServer> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      const status = readPostmasterPid(files.cluster);
      if (status?.state === 'ready' && isServerOf(status.pid, files.cluster)) return new EmbeddedServer(urlOf(readPassword(files), status.port), async () => undefined);
      if (!isAlive(holder)) throw new DatabaseError(`process ${holder}, which held the embedded database in ${files.dataDir}, has exited; try again`);
      if (Date.now() > deadline) throw new DatabaseError(`the embedded database in ${files.dataDir} belongs to process ${holder}, whose server did not become ready`);
      await delay(50);
    }
  }

  /** Stops the server this process started (after the last write), or lets go of the one it attached to. */
  close(): Promise<void> {
    return this.stop();
  }
}

function readPassword(files: ReturnType<typeof layout>): string {
  try {
    return readFileSync(files.password, 'utf8').trim();
  } catch {
    throw new DatabaseError(`the embedded database in ${files.dataDir} has lost its password file ${files.password}; move ${files.cluster} away to start a new one`);
  }
}

function urlOf(password: string, port: number): string {
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
}

/**
 * Creates the cluster on first use. initdb writes into a directory of its own that is renamed into
 * place when complete, so a run killed halfway leaves nothing that looks like a database.
 */
async function initialise(files: ReturnType<typeof layout>, initdb: string): Promise<void> {
  if (existsSync(join(files.cluster, 'PG_VERSION'))) return;
  if (existsSync(files.cluster) && readdirSync(files.cluster).length > 0) {
    throw new DatabaseError(`${files.cluster} is not a PostgreSQL data directory; move it away or set DATA_DIR elsewhere`);
  }
  const building = `${files.cluster}.init`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true, mode: 0o700 });
  const password = randomBytes(24).toString('base64url');
  writeFileSync(`${files.password}.new`, `${password}\n`, { mode: 0o600 });
  renameSync(`${files.password}.new`, files.password);
  const account = serverAccount(building);
  // initdb reads the password from a file that must be its server account's to open.
  const passwordFile = `${files.cluster}.pwfile`;
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  if (account) {
    chownSync(building, account.uid, account.gid);
    chownSync(passwordFile, account.uid, account.gid);
  }
  const place = new ServerPlace(building, account);
  let failure: string | undefined;
  try {
    failure = await run(initdb, [
      '-D', place.path,
      '-U', 'postgres',
      `--pwfile=${place.file(passwordFile)}`,
      '--auth=scram-sha-256',
      '-E', 'UTF8',
      '--no-locale',
      '--no-instructions',
    ], place);
  } finally {
    place.close();
    rmSync(passwordFile, { force: true });
  }
  if (failure !== undefined) throw new DatabaseError(`cannot create the embedded database in ${files.cluster}: ${failure}`);
  rmSync(files.cluster, { recursive: true, force: true });
  renameSync(building, files.cluster);
}

/**
 * A server left running by a previous owner that was killed (SIGKILL, a crash) still holds the
 * cluster: it is asked to stop, as a shutdown would have, before this process starts its own. A pid
 * file naming a process that is not that server (the machine restarted, the pid went to another
 * program) would make PostgreSQL refuse to start: it goes.
 */
async function stopLeftover(cluster: string): Promise<void> {
  const status = readPostmasterPid(cluster);
  if (status === undefined) return;
  if (isServerOf(status.pid, cluster)) await stopProcess(status.pid, () => !isAlive(status.pid));
  else if (isAlive(status.pid)) rmSync(join(cluster, 'postmaster.pid'), { force: true });
}

async function stopProcess(pid: number, stopped: () => boolean): Promise<void> {
  signal(pid, 'SIGINT');
  if (await waitFor(stopped, STOP_GRACE_MS)) return;
  signal(pid, 'SIGQUIT');
  if (await waitFor(stopped, 5000)) return;
  signal(pid, 'SIGKILL');
  await waitFor(stopped, 5000);
}

interface StartedServer {
  port: number;
  stop(): Promise<void>;
}

async function startServer(files: ReturnType<typeof layout>, postgres: string): Promise<StartedServer> {
  // Another program may take the chosen port between the check and the server's bind: try again.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await startOn(files, postgres, port);
    } catch (e) {
      if (!(e instanceof PortTaken) || attempt === 3) throw e;
    }
  }
}

class PortTaken extends Error {}

async function startOn(files: ReturnType<typeof layout>, postgres: string, port: number): Promise<StartedServer> {
  const account = serverAccount(files.cluster);
  const place = new ServerPlace(files.cluster, account);
  const log = openSync(files.log, 'a', 0o600);
  const logStart = fileSize(files.log);
  const args = ['-D', place.path, '-p', String(port)];
  for (const [name, value] of Object.entries(SETTINGS)) args.push('-c', `${name}=${value}`);
  let child: ChildProcess;
  try {
    // A process group of its own: Ctrl-C in a terminal reaches the broker, which stops the server
    // itself after its last write, instead of the server stopping under that write.
    child = spawn(postgres, args, { ...place.spawnOptions(), stdio: ['ignore', log, log, ...place.fds], detached: true });
  } finally {
    place.close();
    closeSync(log);
  }
  let exited = false;
  const exit = new Promise<void>((done) => child.once('exit', () => {
    exited = true;
    done();
  }));
  child.once('error', () => undefined);
  // The server never keeps this process alive by itself: a tool that is done exits (stopping it on the way).
  child.unref();
  // If this process ends without closing the database (an uncaught error, process.exit), the server
  // still gets its fast shutdown; a SIGKILL leaves it running, for the next owner to stop.
  const stopOnExit = (): void => signal(child.pid, 'SIGINT');
  process.once('exit', stopOnExit);
  const ready = await waitFor(() => {
    if (exited) return true;
    const status = readPostmasterPid(files.cluster);
    return status !== undefined && status.pid === child.pid && status.state === 'ready';
  }, START_TIMEOUT_MS);
  if (!ready || exited) {
    process.removeListener('exit', stopOnExit);
    if (!exited && child.pid !== undefined) await stopProcess(child.pid, () => exited);
    const output = logSince(files.log, logStart);
    if (/could not bind|Address already in use/i.test(output)) throw new PortTaken();
    throw new DatabaseError(`the embedded PostgreSQL server in ${files.cluster} did not start: ${lastLines(output) || 'no output'} (full log: ${files.log})`);
  }
  return {
    port,
    stop: async () => {
      process.removeListener('exit', stopOnExit);
      if (!exited && child.pid !== undefined) await stopProcess(child.pid, () => exited);
      await exit;
    },
  };
}

/**
 * Where the server finds its cluster. As this process's own user, the path. As another account
 * (when this process is root), a directory descriptor passed to the server: the cluster may lie below
 * a directory that account cannot enter (root's home), and `/proc/self/fd/N` reaches it without
 * entering the directories above.
 */
class ServerPlace {
  readonly fds: number[] = [];
  readonly path: string;

  constructor(
    dir: string,
    private readonly account: ServerAccount | undefined,
  ) {
    this.path = this.file(dir);
  }

  /** The path under which the server reaches `path`. */
  file(path: string): string {
    if (!this.account || process.platform !== 'linux') return path;
    this.fds.push(openSync(path, 'r'));
    return `/proc/self/fd/${2 + this.fds.length}`;
  }

  spawnOptions(): { uid?: number; gid?: number; cwd: string; env: NodeJS.ProcessEnv } {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, LC_ALL: 'C', TZ: process.env.TZ };
    return this.account ? { uid: this.account.uid, gid: this.account.gid, cwd: '/', env } : { cwd: '/', env };
  }

  close(): void {
    for (const fd of this.fds) closeSync(fd);
    this.fds.length = 0;
  }
}

/** Runs a program to its end; undefined when it succeeded, else what it said. */
function run(program: string, args: string[], place: ServerPlace): Promise<string | undefined> {
  return new Promise((done) => {
    const child = spawn(program, args, { ...place.spawnOptions(), stdio: ['ignore', 'pipe', 'pipe', ...place.fds] });
    let output = '';
    const collect = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-8192);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('error', (e) => done(e.message));
    child.once('close', (code, signal) => done(code === 0 ? undefined : `${lastLines(output) || 'no output'} (exit ${code ?? signal})`));
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((listening, failed) => {
    server.once('error', failed);
    server.listen(0, '127.0.0.1', listening);
  });
  const { port } = server.address() as { port: number };
  await new Promise((closed) => server.close(closed));
  return port;
}

/** Polls `condition` every 25 ms; whether it held before `timeoutMs`. */
async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await delay(25);
  }
  return true;
}

function delay(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

function signal(pid: number | undefined, name: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** What the server wrote to its log after `offset` (at most the last 8 KiB). */
function logSince(path: string, offset: number): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return '';
  }
  try {
    const size = fstatSync(fd).size;
    const start = Math.max(offset, size - 8192);
    const buffer = Buffer.alloc(Math.max(0, size - start));
    readSync(fd, buffer, 0, buffer.length, start);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** The server's own words, for an error message: its FATAL/ERROR lines, else its last lines. */
function lastLines(output: string): string {
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  const serious = lines.filter((l) => /FATAL|PANIC|ERROR|error|cannot|could not/.test(l));
  return (serious.length > 0 ? serious : lines).slice(-3).join(' / ');
}
