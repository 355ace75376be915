/**
 * Persistence benchmark: NestMQ on PostgreSQL (its embedded default, or a PostgreSQL server), and against a
 * Mosquitto that keeps what it acknowledged.
 *
 *   npm run bench:persistence                  # build, then run both scenarios (also part of npm run bench)
 *   BENCH_WRITE=1 npm run bench:persistence    # also write bench/results/persistence.txt
 *   BENCH_DATABASE=server BENCH_WRITE=1 npm run bench:persistence   # ... bench/results/persistence-server.txt
 *
 * Scenarios (BENCH_SCENARIOS=history,offline):
 *   history   message history of every PUBLISH (HISTORY_TOPICS=#) into PostgreSQL: QoS 0 publishers at fixed
 *             rates up a ladder, one subscriber on bench/#; the highest rate whose every message reached
 *             history_blocks (target: >= 150,000 msg/s of 64 B on the embedded default, >= 50,000 on a
 *             server), then at that rate the broker's CPU per message with recording on and off,
 *             alternately (target: on <= 1.3 x off)
 *   offline   QoS 1 into offline persistent sessions: the sessions subscribe and disconnect, publishers send
 *             QoS 1 for the measured time, the sessions come back and must get every acknowledged message
 *             once. NestMQ on PostgreSQL (PUBACK after the commit) against Mosquitto with `persistence true`,
 *             `autosave_on_changes true`, `autosave_interval 1` (target: more acknowledged messages per second)
 *
 * Environment (defaults in brackets):
 *   BENCH_DATABASE          embedded: NestMQ's default, no DATABASE_URL, the broker starts its embedded
 *                           PostgreSQL server in a fresh DATA_DIR per run (removed after the broker stopped);
 *                           broker CPU includes that server's. server: a database of its own per NestMQ run
 *                           on BENCH_DATABASE_URL; that server's CPU is not counted [embedded]
 *   BENCH_DATABASE_URL      with BENCH_DATABASE=server, the PostgreSQL server
 *                           [postgres://postgres@127.0.0.1:5432/postgres]
 *   BENCH_HISTORY_RATES     the ladder, msg/s [25000,50000,75000,100000,150000,200000]
 *   BENCH_HISTORY_PUBLISHERS [10]; BENCH_OFFLINE_PUBLISHERS [4]; BENCH_OFFLINE_SESSIONS [4]; BENCH_INFLIGHT [64]
 *   BENCH_SECONDS [4], BENCH_WARMUP_SECONDS [1], BENCH_DRAIN_SECONDS [10], BENCH_ROUNDS [2]
 *   BENCH_CPU_PROF=DIR      run NestMQ under node --cpu-prof, one profile per run in DIR
 *   BENCH_NODE_FLAGS        more node flags for NestMQ, space-separated (e.g. --trace-gc)
 *   BENCH_WRITE=1           write bench/results/persistence.txt (embedded) or persistence-server.txt (server)
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cpuModel, formatRate, median, table } from '../codec/harness';
import { BrokerKind, BrokerProcess, benchTempDir, embeddedBinaries, fileSystem, mosquittoConfig, mosquittoDurableLines, mosquittoVersion, sleep, startBroker } from './processes';
import {
  BenchDatabase,
  DatabaseChoice,
  HistoryRateResult,
  OfflineResult,
  createBenchDatabase,
  createEmbeddedBenchDatabase,
  runHistoryRate,
  runOfflineQoS1,
} from './persistence-scenarios';
import { RunSettings } from './scenarios';

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number`);
  return n;
}

const DATABASE = (process.env.BENCH_DATABASE || 'embedded') as DatabaseChoice;
if (DATABASE !== 'embedded' && DATABASE !== 'server') throw new Error(`BENCH_DATABASE: "${DATABASE}" is neither embedded nor server`);
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** Highest clean history rate to reach: the project's target on the embedded default; 50,000 on a server. */
const HISTORY_TARGET = DATABASE === 'embedded' ? 150_000 : 50_000;
const RATES = (process.env.BENCH_HISTORY_RATES ?? '25000,50000,75000,100000,150000,200000').split(',').map(Number);
if (RATES.some((r) => !Number.isFinite(r) || r <= 0)) throw new Error('BENCH_HISTORY_RATES: comma-separated positive numbers');
const HISTORY_PUBLISHERS = Math.round(envNumber('BENCH_HISTORY_PUBLISHERS', 10));
const OFFLINE_PUBLISHERS = Math.round(envNumber('BENCH_OFFLINE_PUBLISHERS', 4));
const OFFLINE_SESSIONS = Math.round(envNumber('BENCH_OFFLINE_SESSIONS', 4));
const ROUNDS = Math.round(envNumber('BENCH_ROUNDS', 2));
const SETTINGS: RunSettings = {
  protocolVersion: 5,
  warmupSeconds: envNumber('BENCH_WARMUP_SECONDS', 1),
  seconds: envNumber('BENCH_SECONDS', 4),
  window: 0,
  ackedWindow: 0,
  inflight: Math.min(65535, Math.round(envNumber('BENCH_INFLIGHT', 64))),
  drainSeconds: envNumber('BENCH_DRAIN_SECONDS', 10),
  stallSeconds: 3,
};
const SCENARIOS = (process.env.BENCH_SCENARIOS ?? 'history,offline').split(',').map((s) => s.trim());
for (const s of SCENARIOS) if (s !== 'history' && s !== 'offline') throw new Error(`BENCH_SCENARIOS: unknown scenario "${s}" (history, offline)`);

const CPU_PROF = process.env.BENCH_CPU_PROF ?? '';
const NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
let runs = 0;

const rate = (v: number): string => (Number.isFinite(v) ? formatRate(v) : '-');
const pct = (v: number): string => `${Math.round(v * 100)}%`;
const log = (line: string): void => void process.stderr.write(`${line}\n`);

/**
 * A NestMQ on a database of its own (its embedded server in a fresh DATA_DIR, or a fresh database on the
 * server), or a Mosquitto; `run` gets the broker, everything is removed after.
 */
async function withBroker<T>(
  kind: BrokerKind,
  env: Record<string, string>,
  run: (broker: BrokerProcess, database: BenchDatabase | null) => Promise<T>,
): Promise<T> {
  const database = kind !== 'nestmq' ? null : DATABASE === 'embedded' ? createEmbeddedBenchDatabase(benchTempDir()) : await createBenchDatabase(DATABASE_URL);
  const persistenceDir = kind === 'mosquitto' ? mosquittoPersistenceDir() : '';
  const profile = `--cpu-prof-name=nestmq-${++runs}-${env.HISTORY_TOPICS === '' ? 'off' : 'on'}.cpuprofile`;
  try {
    const broker = await startBroker(kind, {
      protocolVersion: SETTINGS.protocolVersion,
      nodeFlags: kind === 'nestmq' ? [...NODE_FLAGS, ...(CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(CPU_PROF)}`, profile] : [])] : [],
      env: { ...env, ...database?.env },
      dataDir: database?.dataDir,
      mosquittoPersistence: kind === 'mosquitto' ? mosquittoDurableLines(persistenceDir) : undefined,
    });
    try {
      database?.brokerStarted();
      const result = await run(broker, database);
      // Mosquitto logs a failed save and carries on: a run without its file measured no persistence at all.
      if (kind === 'mosquitto' && !existsSync(path.join(persistenceDir, 'mosquitto.db'))) {
        throw new Error(`Mosquitto wrote no mosquitto.db in ${persistenceDir}: ${broker.output().trim().slice(-300)}`);
      }
      return result;
    } finally {
      // The benchmark's own connection first: the broker stops its embedded server as it exits.
      await database?.disconnect();
      await broker.stop();
      await sleep(300);
    }
  } finally {
    await database?.drop();
  }
}

/**
 * A fresh directory for Mosquitto's file. Started as root, Mosquitto drops to its own user before it
 * saves, so the directory must be writable by it and the temporary directory above it traversable.
 */
function mosquittoPersistenceDir(): string {
  const dir = mkdtempSync(path.join(benchTempDir(), 'mosquitto-db-'));
  chmodSync(benchTempDir(), 0o711);
  chmodSync(dir, 0o777);
  return dir;
}

const RECORDING_ON = { HISTORY_TOPICS: '#' };
const RECORDING_OFF = { HISTORY_TOPICS: '' };

/** Clean: no problem, the rate was reached, and every message is in history_blocks. */
function clean(r: HistoryRateResult): boolean {
  return r.problems.length === 0 && r.achieved >= 0.97 * r.rate && r.stored === r.published;
}

interface HistoryFigures {
  ladder: HistoryRateResult[];
  best: number;
  on: HistoryRateResult[];
  off: HistoryRateResult[];
}

async function historyScenario(): Promise<HistoryFigures> {
  log(`history: ${HISTORY_PUBLISHERS} QoS 0 publishers -> 1 subscriber, every message recorded, on ${databaseShort()}`);
  const ladder: HistoryRateResult[] = [];
  let best = NaN;
  for (const r of RATES) {
    const result = await withBroker('nestmq', RECORDING_ON, (b, db) => runHistoryRate(b, r, HISTORY_PUBLISHERS, SETTINGS, db));
    ladder.push(result);
    log(
      `  ${rate(r)} msg/s: achieved ${rate(result.achieved)}, rows ${rate(result.stored)} of ${rate(result.published)}, ` +
        `${result.cpuMicrosPerMessage.toFixed(2)} us CPU/msg, caught up in ${result.catchUpSeconds.toFixed(2)} s${result.problems.length ? `; PROBLEMS: ${result.problems.join('; ')}` : ''}`,
    );
    if (!clean(result)) break;
    best = r;
  }
  const on: HistoryRateResult[] = [];
  const off: HistoryRateResult[] = [];
  if (Number.isFinite(best)) {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const recording of round % 2 === 1 ? [true, false] : [false, true]) {
        const result = await withBroker('nestmq', recording ? RECORDING_ON : RECORDING_OFF, (b, db) =>
          runHistoryRate(b, best, HISTORY_PUBLISHERS, SETTINGS, recording ? db : null),
        );
        (recording ? on : off).push(result);
        const kernel = (result.cpuMicrosPerMessage * result.brokerSystemCpu) / result.brokerCpu;
        log(`  at ${rate(best)} msg/s, recording ${recording ? 'on ' : 'off'}: ${result.cpuMicrosPerMessage.toFixed(2)} us broker CPU per message (${kernel.toFixed(2)} in the kernel), broker CPU ${pct(result.brokerCpu)}`);
      }
    }
  }
  return { ladder, best, on, off };
}

async function offlineScenario(): Promise<Record<BrokerKind, OfflineResult[]>> {
  log(`offline: ${OFFLINE_PUBLISHERS} QoS 1 publishers -> ${OFFLINE_SESSIONS} offline persistent sessions`);
  const results: Record<BrokerKind, OfflineResult[]> = { nestmq: [], mosquitto: [] };
  for (let round = 1; round <= ROUNDS; round++) {
    for (const kind of (round % 2 === 1 ? ['nestmq', 'mosquitto'] : ['mosquitto', 'nestmq']) as BrokerKind[]) {
      const result = await withBroker(kind, {}, (b) => runOfflineQoS1(b, OFFLINE_PUBLISHERS, OFFLINE_SESSIONS, SETTINGS));
      results[kind].push(result);
      log(
        `  ${kind.padEnd(9)} ${rate(result.acknowledgedPerSecond)} acknowledged msg/s, ${rate(result.acknowledgedPerCpuSecond)} per broker-CPU-s, ` +
          `${rate(result.acknowledged)} acknowledged, ${result.lost} lost${result.problems.length ? `; PROBLEMS: ${result.problems.join('; ')}` : ''}`,
      );
    }
  }
  return results;
}

function historyReport(h: HistoryFigures): string[] {
  const rows = h.ladder.map((r) => [
    rate(r.rate),
    rate(r.achieved),
    `${rate(r.stored)} / ${rate(r.published)}`,
    Number.isFinite(r.catchUpSeconds) ? `${r.catchUpSeconds.toFixed(2)} s` : '-',
    r.cpuMicrosPerMessage.toFixed(2),
    pct(r.brokerCpu),
    pct(r.otherCpu),
    clean(r) ? 'yes' : 'no',
  ]);
  const lines = [
    `history: every message recorded (HISTORY_TOPICS=#) into ${databaseShort()}; the ladder stops at the first rate not clean`,
    '',
    table(
      ['target msg/s', 'achieved', 'rows stored / published', 'caught up after', 'broker CPU us/msg', 'broker CPU', 'other CPU', 'clean'],
      rows,
      [true, true, true, true, true, true, true, false],
    ),
    '',
  ];
  if (!Number.isFinite(h.best)) return [...lines, `no rate was clean: highest rate target (>= ${rate(HISTORY_TARGET)}) MISSED`, ''];
  const on = median(h.on.map((r) => r.cpuMicrosPerMessage));
  const off = median(h.off.map((r) => r.cpuMicrosPerMessage));
  const ratio = on / off;
  return [
    ...lines,
    `highest clean rate: ${rate(h.best)} msg/s (target >= ${rate(HISTORY_TARGET)}${DATABASE === 'embedded' ? ' on the embedded default' : ''}: ${h.best >= HISTORY_TARGET ? 'ok' : 'MISSED'})`,
    `broker CPU per message at that rate, medians of ${ROUNDS} alternating rounds: recording on ${on.toFixed(2)} us ` +
      `(${h.on.map((r) => r.cpuMicrosPerMessage.toFixed(2)).join(', ')}), off ${off.toFixed(2)} us (${h.off.map((r) => r.cpuMicrosPerMessage.toFixed(2)).join(', ')})`,
    `on / off = ${ratio.toFixed(2)}x (target <= 1.30x: ${ratio <= 1.3 ? 'ok' : 'MISSED'})`,
    '',
  ];
}

function offlineReport(results: Record<BrokerKind, OfflineResult[]>): string[] {
  const m = (kind: BrokerKind, f: (r: OfflineResult) => number): number => median(results[kind].map(f));
  const figures: Array<[string, (r: OfflineResult) => number, (v: number) => string]> = [
    ['acknowledged msgs/s (wall clock)', (r) => r.acknowledgedPerSecond, rate],
    ['acknowledged msgs per broker-CPU-s', (r) => r.acknowledgedPerCpuSecond, rate],
    ['broker CPU', (r) => r.brokerCpu, pct],
    ['other CPU on the machine', (r) => r.otherCpu, pct],
    ['lost after reconnect (all rounds)', (r) => r.lost, rate],
  ];
  const rows = figures.map(([label, f, format]) => {
    const ours = label.includes('all rounds') ? results.nestmq.reduce((n, r) => n + f(r), 0) : m('nestmq', f);
    const theirs = label.includes('all rounds') ? results.mosquitto.reduce((n, r) => n + f(r), 0) : m('mosquitto', f);
    const ratio = label.startsWith('acknowledged') && theirs > 0 ? `${(ours / theirs).toFixed(2)}x` : '';
    return [label, format(ours), format(theirs), ratio];
  });
  const ours = m('nestmq', (r) => r.acknowledgedPerSecond);
  const theirs = m('mosquitto', (r) => r.acknowledgedPerSecond);
  return [
    `offline: ${OFFLINE_PUBLISHERS} QoS 1 publishers (${SETTINGS.inflight} in flight each) -> ${OFFLINE_SESSIONS} offline persistent sessions on bench/#,`,
    '  then the sessions reconnect and must receive every acknowledged message once; medians of the rounds',
    '',
    table(['figure', DATABASE === 'embedded' ? 'NestMQ (embedded PG)' : 'NestMQ (PG server)', 'Mosquitto (autosave)', 'ours/mosq'], rows, [false, true, true, true]),
    '',
    `acknowledged msgs/s: ${(ours / theirs).toFixed(2)}x that Mosquitto (target: faster: ${ours > theirs ? 'ok' : 'MISSED'})`,
    '',
  ];
}

/** The database NestMQ runs on, in a few words. */
function databaseShort(): string {
  return DATABASE === 'embedded' ? 'the embedded PostgreSQL' : `PostgreSQL at ${new URL(DATABASE_URL).host}`;
}

/** The `database:` lines of the report. */
function databaseLines(): string[] {
  if (DATABASE === 'server') {
    return [`database: PostgreSQL server at ${new URL(DATABASE_URL).host} (BENCH_DATABASE=server, BENCH_DATABASE_URL), a fresh database per NestMQ run`];
  }
  return [
    `database: NestMQ's embedded default (BENCH_DATABASE=embedded, no DATABASE_URL): the broker starts PostgreSQL from ${embeddedBinaries()}`,
    `          in DATA_DIR, a fresh temporary directory per NestMQ run on ${fileSystem(benchTempDir())}, removed after the broker stopped;`,
    '          the rows are counted on that running server (attached to, as user:add does)',
  ];
}

async function main(): Promise<void> {
  const started = new Date();
  const startLoad = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  const sections: string[] = [];
  const problems: string[] = [];
  if (SCENARIOS.includes('history')) {
    const h = await historyScenario();
    sections.push(...historyReport(h));
    for (const r of [...h.ladder, ...h.on, ...h.off]) problems.push(...r.problems.map((p) => `history at ${rate(r.rate)} msg/s: ${p}`));
  }
  if (SCENARIOS.includes('offline')) {
    const o = await offlineScenario();
    sections.push(...offlineReport(o));
    for (const kind of ['nestmq', 'mosquitto'] as const) for (const r of o[kind]) problems.push(...r.problems.map((p) => `offline, ${kind}: ${p}`));
  }
  const endLoad = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  const out = [
    `NestMQ persistence benchmark, against Mosquitto ${mosquittoVersion()} with its persistence saved on every change`,
    `command: ${Object.keys(process.env).filter((k) => k.startsWith('BENCH_')).sort().map((k) => `${k}=${process.env[k]}`).join(' ')} npm run bench:persistence`.replace('command:  ', 'command: '),
    `date:    ${started.toISOString()}`,
    `node:    ${process.version}, ${os.platform()} ${os.arch()}; cpu: ${cpuModel()}, ${os.cpus().length} logical CPUs; load average at start ${startLoad}, at end ${endLoad}`,
    ...databaseLines(),
    `method:  MQTT 5.0, 64-byte payloads, one broker process at a time, ${SETTINGS.warmupSeconds} s warm-up then ${SETTINGS.seconds} s measured;`,
    ...(DATABASE === 'embedded'
      ? [
          '         broker CPU = utime + stime of the broker process and of every process it started (all their threads: for NestMQ',
          '         the embedded PostgreSQL server and its backends, for Mosquitto itself alone); the load generator is this one Node process.',
        ]
      : [
          '         broker CPU = utime + stime of the broker process (all its threads; the PostgreSQL server\'s own CPU is not included);',
          '         the load generator is this one Node process.',
        ]),
    '',
    ...sections,
    `problems (must not happen): ${problems.length === 0 ? 'none' : ''}`,
    ...problems.map((p) => `  ${p}`),
    '',
    `Mosquitto's file: ${mosquittoConfig('PORT', mosquittoDurableLines('<temporary directory>')).trimEnd().split('\n').join('; ')}`,
    '',
  ].join('\n');
  process.stdout.write(`\n${out}`);
  if (process.env.BENCH_WRITE === '1') {
    const file = path.resolve(__dirname, `../../results/${DATABASE === 'embedded' ? 'persistence' : 'persistence-server'}.txt`);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, out);
    log(`written to ${path.relative(process.cwd(), file)}`);
  }
  process.exitCode = problems.length > 0 ? 1 : 0;
}

main().catch((e: unknown) => {
  process.stderr.write(`persistence benchmark: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
