/**
 * Memory benchmark: what the broker and every process it starts hold, idle after start and after a
 * sustained load with the message history on (issue 10: idle at most 200 MiB in total, at most 300 MiB
 * after 10 minutes of 1,000 msg/s).
 *
 *   npm run bench:memory                   # build, then run (10 minutes of load)
 *   BENCH_WRITE=1 npm run bench:memory     # also write bench/results/memory.txt
 *
 * The broker runs with the README's defaults: the embedded database in a fresh DATA_DIR on disk, message
 * history on (HISTORY_TOPICS defaults to #), session events on; only what a benchmark must change is set
 * (its own ports, anonymous clients, $SYS updates every few seconds to read the history counters).
 *
 * Memory is read from /proc for the broker and all its descendants, found again at every sample because
 * a database server and its backends may start, or be replaced, at any time:
 *   VmRSS  (/proc/PID/status)        resident pages; shared pages are counted once per process that maps them
 *   PSS    (/proc/PID/smaps_rollup)  each shared page divided among the processes that map it
 * The targets are judged on the PSS total: with several processes sharing a database's buffers, summing
 * VmRSS counts those buffers once per process. For one process the two differ only by the shared pages
 * of its binary and libraries, which other processes on the machine (this Node process too) also map.
 *
 * Environment (defaults in brackets):
 *   BENCH_MEMORY_MINUTES   minutes of load [10]
 *   BENCH_MEMORY_RATE      messages per second of the publisher [1000]
 *   BENCH_MEMORY_TOPICS    distinct topics bench/t/<n> the messages are spread over [100]
 *   BENCH_MEMORY_ENV       more broker variables, space-separated NAME=value (e.g. "DATABASE_URL=postgres://...")
 *   BENCH_MEMORY_NOTE      a line for the header of the results: why this run differs from the defaults
 *   BENCH_WRITE=1          write bench/results/memory.txt
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import mqtt, { MqttClient } from 'mqtt';
import { cpuModel, envNumber, formatRate, table } from '../codec/harness';
import { NESTMQ_MAIN, benchTempDir, embeddedBinaries, fileSystem, freePort, nestmqRevision, sleep } from './processes';

const MINUTES = envNumber('BENCH_MEMORY_MINUTES', 10);
const RATE = envNumber('BENCH_MEMORY_RATE', 1000);
const TOPICS = Math.round(envNumber('BENCH_MEMORY_TOPICS', 100));
const PAYLOAD_BYTES = 64;
const SYS_INTERVAL = 5;
// Below the broker's default Receive Maximum (1024): the publisher falls behind rather than being disconnected.
const MAX_UNACKED = 256;
const MIB = 1024;
const IDLE_TARGET_MIB = 200;
const AFTER_LOAD_TARGET_MIB = 300;

/** Steady: over the last STEADY_WINDOW_MS the total moved by less than STEADY_TOLERANCE_KIB, with no process coming or going. */
const STEADY_INTERVAL_MS = 500;
const STEADY_WINDOW_MS = 4000;
const STEADY_TOLERANCE_KIB = 2 * 1024;
const STEADY_MAX_MS = 30_000;

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const mib = (kib: number): string => (Number.isFinite(kib) ? (kib / MIB).toFixed(1) : '-');

// ---- the process tree in /proc ------------------------------------------------------------------------------

interface ProcessMemory {
  pid: number;
  name: string;
  rssKiB: number;
  pssKiB: number;
  pssAnonKiB: number;
}

interface TreeSample {
  /** Milliseconds since the broker was started. */
  at: number;
  processes: ProcessMemory[];
  rssKiB: number;
  pssKiB: number;
}

interface StatLine {
  ppid: number;
  name: string;
  /** Clock ticks after boot: tells a process from a later one that got the same pid. */
  startTime: string;
}

function readStat(pid: number): StatLine | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The name is in parentheses and may hold spaces or parentheses: the fields go on after the last ')'.
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    return { ppid: Number(fields[1]), name: stat.slice(stat.indexOf('(') + 1, close), startTime: fields[19] };
  } catch {
    return null;
  }
}

/** The root and every process below it, by pid. */
function processTree(root: number): Map<number, StatLine> {
  const children = new Map<number, number[]>();
  const stats = new Map<number, StatLine>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (stat === null) continue;
    stats.set(pid, stat);
    const siblings = children.get(stat.ppid);
    if (siblings) siblings.push(pid);
    else children.set(stat.ppid, [pid]);
  }
  const tree = new Map<number, StatLine>();
  const pending = stats.has(root) ? [root] : [];
  while (pending.length > 0) {
    const pid = pending.pop()!;
    tree.set(pid, stats.get(pid)!);
    pending.push(...(children.get(pid) ?? []));
  }
  return tree;
}

function kibField(text: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return match ? Number(match[1]) : NaN;
}

function processMemory(pid: number, name: string): ProcessMemory | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    let pss = NaN;
    let pssAnon = NaN;
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      pss = kibField(rollup, 'Pss');
      pssAnon = kibField(rollup, 'Pss_Anon');
    } catch {
      // a kernel before 4.14 has no smaps_rollup: PSS stays unknown
    }
    return { pid, name, rssKiB: kibField(status, 'VmRSS'), pssKiB: pss, pssAnonKiB: pssAnon };
  } catch {
    return null; // exited between the walk and the read
  }
}

/** Every process ever seen in the broker's tree, so that none is forgotten when checking they all ended. */
const seen = new Map<number, StatLine>();

function sampleTree(root: number, startedAt: number): TreeSample {
  const processes: ProcessMemory[] = [];
  for (const [pid, stat] of processTree(root)) {
    if (!seen.has(pid)) seen.set(pid, stat);
    const memory = processMemory(pid, stat.name);
    if (memory) processes.push(memory);
  }
  const sum = (f: (p: ProcessMemory) => number) => processes.reduce((n, p) => n + f(p), 0);
  return { at: Date.now() - startedAt, processes, rssKiB: sum((p) => p.rssKiB), pssKiB: sum((p) => p.pssKiB) };
}

/** The figure judged: PSS, or VmRSS where the kernel gives no PSS. */
const judged = (s: TreeSample): number => (Number.isFinite(s.pssKiB) ? s.pssKiB : s.rssKiB);

interface Steady {
  sample: TreeSample;
  steady: boolean;
  waitedSeconds: number;
}

/** Samples every STEADY_INTERVAL_MS until the total holds still (or STEADY_MAX_MS pass): the last sample. */
async function waitSteady(root: number, startedAt: number, isAlive: () => boolean): Promise<Steady> {
  const began = Date.now();
  const window: TreeSample[] = [];
  const needed = STEADY_WINDOW_MS / STEADY_INTERVAL_MS + 1;
  for (;;) {
    if (!isAlive()) throw new Error('the broker exited while its memory was being sampled');
    const sample = sampleTree(root, startedAt);
    window.push(sample);
    if (window.length > needed) window.shift();
    if (window.length === needed) {
      const values = window.map(judged);
      const counts = new Set(window.map((s) => s.processes.length));
      if (Math.max(...values) - Math.min(...values) < STEADY_TOLERANCE_KIB && counts.size === 1) {
        return { sample, steady: true, waitedSeconds: (Date.now() - began) / 1000 };
      }
    }
    if (Date.now() - began >= STEADY_MAX_MS) return { sample, steady: false, waitedSeconds: (Date.now() - began) / 1000 };
    await sleep(STEADY_INTERVAL_MS);
  }
}

// ---- the broker ---------------------------------------------------------------------------------------------

interface Broker {
  child: ChildProcess;
  pid: number;
  startedAt: number;
  dataDir: string;
  env: Record<string, string>;
  exited(): string | null;
  exitPromise: Promise<void>;
  output(): string;
}

let running: Broker | undefined;

/** Whatever way the benchmark ends, nothing it started outlives it. */
function killTree(): void {
  if (running === undefined) return;
  if (running.exited() === null) running.child.kill('SIGKILL');
  for (const [pid, stat] of seen) {
    if (readStat(pid)?.startTime !== stat.startTime) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  running = undefined;
}
process.on('exit', killTree);

/** Variables set for the run; everything else is the README's default. */
function brokerSettings(mqttPort: number, httpPort: number, dataDir: string): Record<string, string> {
  const extra = Object.fromEntries(
    (process.env.BENCH_MEMORY_ENV ?? '')
      .split(/\s+/)
      .filter((kv) => kv.includes('='))
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
  return {
    MQTT_HOST: '127.0.0.1',
    MQTT_PORT: String(mqttPort),
    WS_PORT: '0',
    // Not read by every version of the broker; where it is, the admin UI stays on, on a port of its own.
    HTTP_PORT: String(httpPort),
    DATA_DIR: dataDir,
    ALLOW_ANONYMOUS: 'true',
    SYS_INTERVAL: String(SYS_INTERVAL),
    ...extra,
  };
}

async function startBroker(): Promise<Broker> {
  const dataDir = path.join(benchTempDir(), 'data');
  mkdirSync(dataDir, { recursive: true });
  const env = brokerSettings(await freePort(), await freePort(), dataDir);
  // Only what a process needs to run: a DATABASE_URL or HISTORY_TOPICS in this shell must not change the defaults measured.
  const inherited = Object.fromEntries(
    ['PATH', 'HOME', 'TMPDIR', 'LANG', 'LC_ALL', 'TZ'].filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]!]),
  );
  const startedAt = Date.now();
  // The working directory holds no .env, which the broker would otherwise read.
  const child = spawn(process.execPath, [NESTMQ_MAIN], { cwd: benchTempDir(), env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  let listening = false;
  let ended: string | null = null;
  let onListening: () => void = () => undefined;
  const listeningPromise = new Promise<void>((resolve) => (onListening = resolve));
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-16384);
    if (!listening && tail.includes('listening on mqtt:')) {
      listening = true;
      onListening();
    }
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      ended = signal !== null ? `killed by ${signal}` : `exited with status ${code}`;
      resolve();
    });
    child.once('error', (e) => {
      ended = `could not start: ${e.message}`;
      resolve();
    });
  });
  const broker: Broker = { child, pid: child.pid ?? -1, startedAt, dataDir, env, exited: () => ended, exitPromise, output: () => tail };
  running = broker;
  const timeout = sleep(60_000).then(() => 'timeout' as const);
  const first = await Promise.race([listeningPromise.then(() => 'listening' as const), exitPromise.then(() => 'exited' as const), timeout]);
  if (first !== 'listening') throw new Error(`the broker ${first === 'exited' ? ended : 'printed no "listening on mqtt:" within 60 s'}:\n${tail}`);
  return broker;
}

interface Stopped {
  exit: string;
  seconds: number;
  /** Processes of the tree still there 10 s after the broker exited (killed then). */
  leftOver: string[];
  dataDirRemoved: boolean;
}

async function stopBroker(broker: Broker): Promise<Stopped> {
  const began = Date.now();
  broker.child.kill('SIGTERM');
  const killed = sleep(30_000).then(() => {
    if (broker.exited() === null) broker.child.kill('SIGKILL');
  });
  await Promise.race([broker.exitPromise, killed]);
  await broker.exitPromise;
  const seconds = (Date.now() - began) / 1000;
  const alive = () => [...seen].filter(([pid, stat]) => readStat(pid)?.startTime === stat.startTime);
  const deadline = Date.now() + 10_000;
  while (alive().length > 0 && Date.now() < deadline) await sleep(200);
  const leftOver = alive().map(([pid, stat]) => `${stat.name} (pid ${pid})`);
  killTree();
  rmSync(broker.dataDir, { recursive: true, force: true });
  return { exit: broker.exited() ?? 'unknown', seconds, leftOver, dataDirRemoved: !existsSync(broker.dataDir) };
}

// ---- the load -----------------------------------------------------------------------------------------------

function connect(port: number, clientId: string): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, { protocolVersion: 5, clientId, reconnectPeriod: 0, connectTimeout: 10_000, clean: true });
    client.once('connect', () => resolve(client));
    client.once('error', reject);
  });
}

function end(client: MqttClient): Promise<void> {
  return new Promise((resolve) => client.end(false, {}, () => resolve()));
}

/** The broker's history and session-event counters, from its retained $SYS topics. */
class SysCounters {
  readonly values = new Map<string, number>();
  updatedAt = 0;

  constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload) => {
      this.values.set(topic.slice('$SYS/broker/'.length), Number(payload.toString()));
      if (topic.endsWith('/history/recorded')) this.updatedAt = Date.now();
    });
  }

  static async open(port: number): Promise<SysCounters> {
    const client = await connect(port, 'bench-memory-sys');
    const counters = new SysCounters(client);
    await client.subscribeAsync(['$SYS/broker/history/+', '$SYS/broker/events/+'], { qos: 0 });
    return counters;
  }

  get(name: string): number {
    return this.values.get(name) ?? NaN;
  }
}

interface LoadResult {
  /** When the load began, in milliseconds since the broker was started (as TreeSample.at). */
  began: number;
  seconds: number;
  published: number;
  acknowledged: number;
  received: number;
  samples: TreeSample[];
  problems: string[];
}

/** One QoS 1 publisher at RATE msg/s over TOPICS topics, one QoS 1 subscriber on bench/#; memory every second. */
async function runLoad(broker: Broker, port: number): Promise<LoadResult> {
  const problems: string[] = [];
  const subscriber = await connect(port, 'bench-memory-sub');
  await subscriber.subscribeAsync('bench/#', { qos: 1 });
  const publisher = await connect(port, 'bench-memory-pub');
  let received = 0;
  let published = 0;
  let acknowledged = 0;
  subscriber.on('message', () => void received++);
  for (const [name, client] of [['subscriber', subscriber], ['publisher', publisher]] as const) {
    client.on('close', () => problems.push(`the ${name} was disconnected`));
    client.on('error', (e) => problems.push(`${name}: ${e.message}`));
  }
  const topics = Array.from({ length: TOPICS }, (_, i) => `bench/t/${i}`);
  const samples: TreeSample[] = [];
  const durationMs = MINUTES * 60_000;
  const began = Date.now();
  let behind = 0;
  const tick = () => {
    const due = Math.min(Math.floor(((Date.now() - began) / 1000) * RATE), Math.round((durationMs / 1000) * RATE));
    while (published < due) {
      if (published - acknowledged >= MAX_UNACKED) {
        behind++;
        return;
      }
      // A fresh buffer per message: the client holds it until the PUBACK.
      const payload = Buffer.alloc(PAYLOAD_BYTES, 0x61);
      payload.writeUInt32BE(published, 0);
      publisher.publish(topics[published % TOPICS], payload, { qos: 1 }, (e) => {
        if (e) problems.push(`publish: ${e.message}`);
        else acknowledged++;
      });
      published++;
    }
  };
  const pacer = setInterval(tick, 5);
  let nextReport = began + 60_000;
  while (Date.now() - began < durationMs) {
    if (broker.exited() !== null) throw new Error(`the broker ${broker.exited()} during the load:\n${broker.output()}`);
    samples.push(sampleTree(broker.pid, broker.startedAt));
    if (Date.now() >= nextReport) {
      const s = samples[samples.length - 1];
      log(`  ${Math.round((Date.now() - began) / 60_000)} min: ${formatRate(published)} published, ${formatRate(received)} received; PSS ${mib(s.pssKiB)} MiB, VmRSS ${mib(s.rssKiB)} MiB`);
      nextReport += 60_000;
    }
    await sleep(1000 - ((Date.now() - began) % 1000));
  }
  const seconds = (Date.now() - began) / 1000;
  // The rest of what was due, then every acknowledgement and delivery.
  const drainUntil = Date.now() + 30_000;
  while ((published < Math.round((durationMs / 1000) * RATE) || acknowledged < published || received < published) && Date.now() < drainUntil) {
    await sleep(100);
  }
  clearInterval(pacer);
  if (behind > 0) problems.push(`the publisher waited for acknowledgements ${behind} times (${MAX_UNACKED} unacknowledged)`);
  if (acknowledged < published) problems.push(`${published - acknowledged} of ${published} messages never acknowledged`);
  if (received !== published) problems.push(`${received} messages received of ${published} published`);
  publisher.removeAllListeners('close');
  subscriber.removeAllListeners('close');
  await end(publisher);
  await end(subscriber);
  return { began: began - broker.startedAt, seconds, published, acknowledged, received, samples, problems };
}

// ---- the report ---------------------------------------------------------------------------------------------

/** Processes of a sample grouped by name: how the total is made up. */
function breakdown(sample: TreeSample): string {
  const groups = new Map<string, { n: number; rss: number; pss: number; anon: number }>();
  for (const p of sample.processes) {
    const g = groups.get(p.name) ?? { n: 0, rss: 0, pss: 0, anon: 0 };
    g.n++;
    g.rss += p.rssKiB;
    g.pss += p.pssKiB;
    g.anon += p.pssAnonKiB;
    groups.set(p.name, g);
  }
  return [...groups]
    .sort((a, b) => b[1].pss - a[1].pss)
    .map(([name, g]) => `${name} x${g.n}: VmRSS ${mib(g.rss)}, PSS ${mib(g.pss)} (anonymous ${mib(g.anon)})`)
    .join('; ');
}

const verdict = (s: TreeSample, target: number): string => (judged(s) <= target * MIB ? 'ok' : 'MISSED');

async function main(): Promise<void> {
  const started = new Date();
  const startLoad = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  const problems: string[] = [];
  log(`memory: NestMQ with its defaults, ${MINUTES} min of ${formatRate(RATE)} msg/s QoS 1 with history on`);

  const broker = await startBroker();
  const port = Number(broker.env.MQTT_PORT);
  const startSeconds = (Date.now() - broker.startedAt) / 1000;
  log(`  listening after ${startSeconds.toFixed(1)} s; waiting for the memory to settle`);
  const alive = () => broker.exited() === null;
  const idle = await waitSteady(broker.pid, broker.startedAt, alive);
  if (!idle.steady) problems.push(`idle memory not steady within ${STEADY_MAX_MS / 1000} s`);
  log(`  idle: ${idle.sample.processes.length} process(es), PSS ${mib(idle.sample.pssKiB)} MiB, VmRSS ${mib(idle.sample.rssKiB)} MiB`);

  const sys = await SysCounters.open(port);
  const load = await runLoad(broker, port);
  problems.push(...load.problems);
  const peakPss = load.samples.reduce((a, b) => (judged(b) > judged(a) ? b : a));
  const peakRss = load.samples.reduce((a, b) => (b.rssKiB > a.rssKiB ? b : a));
  const peakProcesses = Math.max(...load.samples.map((s) => s.processes.length));
  log(`  load done: ${formatRate(load.published)} published in ${load.seconds.toFixed(0)} s; peak PSS ${mib(peakPss.pssKiB)} MiB; waiting for the memory to settle`);

  const after = await waitSteady(broker.pid, broker.startedAt, alive);
  if (!after.steady) problems.push(`memory after the load not steady within ${STEADY_MAX_MS / 1000} s`);
  log(`  after load: ${after.sample.processes.length} process(es), PSS ${mib(after.sample.pssKiB)} MiB, VmRSS ${mib(after.sample.rssKiB)} MiB`);

  // The counters of a $SYS update published after the history had every message (or the last one in time).
  const settledAt = Date.now();
  const sysDeadline = Date.now() + (3 * SYS_INTERVAL + 30) * 1000;
  while (Date.now() < sysDeadline && (sys.updatedAt <= settledAt || sys.get('history/recorded') + sys.get('history/dropped') < load.published)) await sleep(250);
  const recorded = sys.get('history/recorded');
  const dropped = sys.get('history/dropped');
  const events = sys.get('events/recorded');
  const eventsDropped = sys.get('events/dropped');
  await end(sys.client);
  if (!(recorded >= load.published)) problems.push(`history recorded ${recorded} of ${load.published} messages`);
  if (dropped !== 0) problems.push(`history dropped ${dropped} messages`);
  if (eventsDropped !== 0) problems.push(`session events dropped ${eventsDropped}`);

  const stopped = await stopBroker(broker);
  if (stopped.exit !== 'exited with status 0') problems.push(`after SIGTERM the broker ${stopped.exit}`);
  if (stopped.leftOver.length > 0) problems.push(`still running 10 s after the broker exited (killed): ${stopped.leftOver.join(', ')}`);
  if (!stopped.dataDirRemoved) problems.push('DATA_DIR could not be removed');
  log(`  stopped: ${stopped.exit} after ${stopped.seconds.toFixed(1)} s`);

  const endLoad = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  const rows = [
    ['idle after start', String(idle.sample.processes.length), mib(idle.sample.rssKiB), mib(idle.sample.pssKiB), `<= ${IDLE_TARGET_MIB}`, verdict(idle.sample, IDLE_TARGET_MIB)],
    ['peak during load', String(peakProcesses), mib(peakRss.rssKiB), mib(peakPss.pssKiB), '-', '-'],
    ['after load', String(after.sample.processes.length), mib(after.sample.rssKiB), mib(after.sample.pssKiB), `<= ${AFTER_LOAD_TARGET_MIB}`, verdict(after.sample, AFTER_LOAD_TARGET_MIB)],
  ];
  const every = Math.max(10, Math.round((MINUTES * 60) / 12));
  const timeline = load.samples
    .filter((_, i) => i % every === every - 1 || i === load.samples.length - 1)
    .map((s) => [
      `${Math.round((s.at - load.began) / 1000)} s`,
      String(s.processes.length),
      mib(s.rssKiB),
      mib(s.pssKiB),
    ]);
  const settings = Object.entries(broker.env)
    .map(([k, v]) => `${k}=${k === 'DATA_DIR' ? '<fresh temporary directory>' : v}`)
    .join(' ');
  const note = process.env.BENCH_MEMORY_NOTE?.trim();
  const command = Object.keys(process.env)
    .filter((k) => k.startsWith('BENCH_') && k !== 'BENCH_MEMORY_NOTE')
    .sort()
    .map((k) => `${k}=${process.env[k]} `)
    .join('');
  const out = [
    `NestMQ memory benchmark: the broker and every process it starts, idle and under ${formatRate(RATE)} msg/s with history on (issue 10)`,
    `command: ${command}npm run bench:memory`,
    `date:    ${started.toISOString()}`,
    `commit:  ${nestmqRevision()}`,
    `node:    ${process.version} (V8 ${process.versions.v8}), ${os.platform()} ${os.arch()}, kernel ${os.release()}`,
    `cpu:     ${cpuModel()}, ${os.cpus().length} logical CPUs, ${mib(os.totalmem() / 1024)} MiB of RAM; load average at start ${startLoad}, at end ${endLoad}`,
    ...(MINUTES !== 10 ? [`length:  ${MINUTES} min of load, not the 10 min issue 10 names`] : []),
    ...(note ? [`note:    ${note}`] : []),
    `broker:  node apps/broker/dist/src/main.js, embedded database (${embeddedBinaries()}) in a fresh DATA_DIR on ${fileSystem(benchTempDir())};`,
    `         README defaults (HISTORY_TOPICS=#, SESSION_EVENTS=true, ...) except ${settings}`,
    'method:  the broker\'s pid and every process below it (parent pids from /proc/*/stat, walked again at every sample);',
    '         per process VmRSS from /proc/PID/status and PSS from /proc/PID/smaps_rollup, summed.',
    `         idle: once "listening on mqtt:" is printed, samples every ${STEADY_INTERVAL_MS} ms until the PSS total of the last ${STEADY_WINDOW_MS / 1000} s varies by`,
    `         less than ${STEADY_TOLERANCE_KIB / 1024} MiB with no process coming or going (at most ${STEADY_MAX_MS / 1000} s); no client connected before.`,
    `         load: one MQTT 5 publisher at ${formatRate(RATE)} msg/s QoS 1 (${PAYLOAD_BYTES}-byte payloads, round robin over ${TOPICS} topics bench/t/<n>,`,
    `         at most ${MAX_UNACKED} unacknowledged), one subscriber on bench/# QoS 1, one client reading $SYS/broker/history/+ and events/+;`,
    '         the `mqtt` package in this one Node process (not counted). A sample every second; peak VmRSS and peak PSS are the',
    '         highest of each, maybe from different samples. after load: publisher and subscriber disconnected, then settled as idle.',
    '         Judged on the PSS total: it divides pages shared between processes (a database server\'s shared buffers) among',
    '         them, where summing VmRSS counts them once per process. For a single process PSS is a little below VmRSS: the',
    '         pages of the node binary and shared libraries are divided with other processes mapping them (this one too).',
    '',
    table(['phase', 'processes', 'VmRSS total MiB', 'PSS total MiB', 'target MiB (PSS)', 'ok/MISSED'], rows, [false, true, true, true, true, false]),
    '',
    `by process: idle          ${breakdown(idle.sample)}`,
    `            peak PSS      ${breakdown(peakPss)}`,
    `            after load    ${breakdown(after.sample)}`,
    `settled:    idle after ${idle.waitedSeconds.toFixed(1)} s${idle.steady ? '' : ' (NOT steady)'}, after load after ${after.waitedSeconds.toFixed(1)} s${after.steady ? '' : ' (NOT steady)'}; broker listening ${startSeconds.toFixed(1)} s after spawn`,
    '',
    'during the load (samples):',
    table(['time', 'processes', 'VmRSS MiB', 'PSS MiB'], timeline, [true, true, true, true]),
    '',
    `load:       ${formatRate(load.published)} published (${formatRate(load.published / load.seconds)} msg/s over ${load.seconds.toFixed(0)} s), ${formatRate(load.acknowledged)} acknowledged, ${formatRate(load.received)} received`,
    `history:    $SYS/broker/history/recorded ${formatRate(recorded)}, dropped ${formatRate(dropped)} (messages published: ${formatRate(load.published)})`,
    `events:     $SYS/broker/events/recorded ${formatRate(events)}, dropped ${formatRate(eventsDropped)}`,
    `stop:       SIGTERM: the broker ${stopped.exit} after ${stopped.seconds.toFixed(1)} s; processes of its tree left: ${stopped.leftOver.length === 0 ? 'none' : stopped.leftOver.join(', ')}; DATA_DIR removed: ${stopped.dataDirRemoved ? 'yes' : 'NO'}`,
    '',
    `problems (must not happen): ${problems.length === 0 ? 'none' : ''}`,
    ...problems.map((p) => `  ${p}`),
    '',
  ].join('\n');
  process.stdout.write(`\n${out}`);
  if (process.env.BENCH_WRITE === '1') {
    const file = path.resolve(__dirname, '../../results/memory.txt');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, out);
    log(`written to ${path.relative(process.cwd(), file)}`);
  }
  process.exitCode = problems.length > 0 ? 1 : 0;
}

main().catch((e: unknown) => {
  process.stderr.write(`memory benchmark: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
