/**
 * Password CONNECT benchmark: how many CONNECTs with a user name and password NestMQ answers per second
 * when many clients log in at once, with the right password and with a wrong one (a password guesser).
 *
 *   npm run bench:auth                  # build, then run
 *   BENCH_WRITE=1 npm run bench:auth    # also write bench/results/auth.txt
 *
 * The broker runs as a child process on its embedded database, with one user in its users table added
 * before it starts by the same code as `npm run user:add`, at BCRYPT_COST 10. Each client has a loopback
 * address of its own (127.0.1.N), as devices would, so the per-address bound on pending CONNECTs is not
 * what limits the rate; the login throttle is off (LOGIN_FAILURES_PER_ADDRESS=0, LOGIN_FAILURES_PER_USER=0)
 * so that every wrong password is checked rather than refused unchecked. A client connects, waits for its
 * CONNACK, sends DISCONNECT (or is closed by the broker after a refusal), waits for the close, and connects
 * again, until the phase ends. Beside them one connected client sends PINGREQ every 20 ms: its round trips
 * show whether the broker's event loop keeps turning while passwords are checked.
 *
 * Environment (defaults in brackets): BENCH_CLIENTS [50]; BENCH_SECONDS measured per phase [10];
 * BENCH_WARMUP_SECONDS before it [2]; BENCH_ROUNDS [2], each a right-password then a wrong-password phase,
 * medians reported; BENCH_BCRYPT_COST [10]; BENCH_NESTMQ_ENV extra broker variables ("BCRYPT_THREADS=1").
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { cpuModel, envNumber, formatRate, median, table } from '../codec/harness';
import { LoginLoad, Pinger, connectPacket, login, percentile, pinger } from './connect-load';
import { BrokerProcess, NESTMQ_ENV, benchTempDir, machineBusySeconds, sleep, startBroker } from './processes';

const REPO = path.resolve(__dirname, '../../..');
const USER_ADD = path.join(REPO, 'apps/broker/dist/src/cli/user-add.js');

const CLIENTS = Math.round(envNumber('BENCH_CLIENTS', 50));
const SECONDS = envNumber('BENCH_SECONDS', 10);
const WARMUP_SECONDS = envNumber('BENCH_WARMUP_SECONDS', 2);
const ROUNDS = Math.round(envNumber('BENCH_ROUNDS', 2));
const COST = Math.round(envNumber('BENCH_BCRYPT_COST', 10));
if (CLIENTS > 250) throw new Error('BENCH_CLIENTS: at most 250 (one address each in 127.0.1.0/24)');

const USERNAME = 'bench-user';
const PASSWORD = 'bench-password-right';
const WRONG = 'bench-password-wrong';

const BROKER_ENV: Record<string, string> = {
  BCRYPT_COST: String(COST),
  LOGIN_FAILURES_PER_ADDRESS: '0',
  LOGIN_FAILURES_PER_USER: '0',
  // A fixed admin password: a generated one would be printed, and is hashed at start-up either way.
  ADMIN_PASSWORD: 'bench-admin-password',
};

const log = (line: string): void => void process.stderr.write(`${line}\n`);

interface PhaseResult {
  password: 'right' | 'wrong';
  /** CONNACKs by reason code within the measured window. */
  counts: Map<number, number>;
  seconds: number;
  latencies: number[];
  pings: number[];
  brokerCpu: number;
  machineCpu: number;
}

async function phase(broker: BrokerProcess, ping: Pinger, password: 'right' | 'wrong'): Promise<PhaseResult> {
  const load = new LoginLoad(CLIENTS, (i) =>
    login({ port: broker.port, localAddress: `127.0.1.${i + 1}` }, connectPacket(`bench-auth-${i}`, USERNAME, password === 'right' ? PASSWORD : WRONG)),
  );
  await sleep(WARMUP_SECONDS * 1000);
  ping.window();
  const cpu0 = broker.cpu();
  const machine0 = machineBusySeconds();
  const t0 = performance.now();
  load.measuring = true;
  await sleep(SECONDS * 1000);
  load.measuring = false;
  const seconds = (performance.now() - t0) / 1000;
  const brokerCpu = (broker.cpu() - cpu0) / seconds;
  const machineCpu = (machineBusySeconds() - machine0) / seconds;
  const pings = ping.window();
  await load.stop();
  if (broker.exited() !== null) throw new Error(`the broker ${broker.exited()}:\n${broker.output()}`);
  if (load.failures.length > 0) log(`  ${load.failures.length} logins failed: ${load.failures.slice(0, 3).join('; ')}`);
  return { password, counts: load.counts, seconds, latencies: load.latencies, pings, brokerCpu, machineCpu };
}

const ms = (v: number): string => (Number.isFinite(v) ? v.toFixed(1) : '-');

function hashing(): string {
  const deps = (JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {};
  return ['bcrypt', 'bcryptjs'].filter((name) => deps[name] !== undefined).map((name) => `${name}@${deps[name]}`).join(', ') || 'unknown';
}

function revision(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: REPO, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head} with uncommitted changes` : head;
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const startLoad = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  const dataDir = path.join(benchTempDir(), 'data');
  mkdirSync(dataDir, { recursive: true });
  const env = { ...NESTMQ_ENV, ...BROKER_ENV };
  execFileSync(process.execPath, [USER_ADD, USERNAME, PASSWORD], { env: { ...process.env, ...env, DATA_DIR: dataDir }, stdio: ['ignore', 'ignore', 'inherit'] });
  const broker = await startBroker('nestmq', { protocolVersion: 5, env: BROKER_ENV });
  const results: PhaseResult[] = [];
  try {
    const ping = await pinger({ port: broker.port }, connectPacket('bench-pinger', USERNAME, PASSWORD));
    try {
      for (let round = 1; round <= ROUNDS; round++) {
        for (const password of ['right', 'wrong'] as const) {
          const r = await phase(broker, ping, password);
          results.push(r);
          const total = [...r.counts.values()].reduce((a, b) => a + b, 0);
          log(`round ${round}, ${password} password: ${formatRate(total / r.seconds)} CONNACK/s (${[...r.counts].map(([c, n]) => `0x${c.toString(16).padStart(2, '0')}: ${n}`).join(', ')})`);
        }
      }
    } finally {
      ping.stop();
    }
  } finally {
    await broker.stop();
  }
  const endLoad = os.loadavg().map((l) => l.toFixed(2)).join(' ');

  const rows = (['right', 'wrong'] as const).map((password) => {
    const of = results.filter((r) => r.password === password);
    const rate = (code: number) => median(of.map((r) => (r.counts.get(code) ?? 0) / r.seconds));
    const others = median(of.map((r) => [...r.counts].filter(([c]) => c !== 0x00 && c !== 0x86).reduce((a, [, n]) => a + n, 0)));
    const latencies = of.flatMap((r) => r.latencies);
    const pings = of.flatMap((r) => r.pings);
    return [
      password,
      formatRate(rate(0x00)),
      formatRate(rate(0x86)),
      String(others),
      ms(percentile(latencies, 0.5)),
      ms(percentile(latencies, 0.99)),
      ms(percentile(pings, 0.5)),
      ms(percentile(pings, 0.99)),
      ms(Math.max(...pings)),
      `${Math.round(median(of.map((r) => r.brokerCpu)) * 100)}%`,
      `${Math.round(median(of.map((r) => r.machineCpu)) * 100)}%`,
    ];
  });
  const out = [
    'NestMQ password CONNECT benchmark',
    `command: BENCH_WRITE=1 npm run bench:auth`,
    `date:    ${new Date().toISOString()}; revision ${revision()}; password hashing: ${hashing()}`,
    `node:    ${process.version}, ${os.platform()} ${os.arch()}; cpu: ${cpuModel()}, ${os.cpus().length} logical CPUs; load average at start ${startLoad}, at end ${endLoad}`,
    `method:  MQTT 5.0, ${CLIENTS} clients at once, each from its own 127.0.1.N address, connecting as one users-table user`,
    `         (embedded database, BCRYPT_COST ${COST}, broker defaults otherwise; login throttle off), CONNECT -> CONNACK ->`,
    `         DISCONNECT -> close -> again; ${WARMUP_SECONDS} s warm-up then ${SECONDS} s measured per phase, ${ROUNDS} rounds, medians of the rounds;`,
    '         ping = PINGREQ round trip of one other connected client, every 20 ms; broker CPU = utime + stime of the',
    '         broker process (all its threads, 100% = one core); machine CPU = every process, the load generator included',
    '',
    table(
      ['password', 'CONNACK 0x00/s', 'CONNACK 0x86/s', 'other CONNACKs', 'CONNACK p50 ms', 'p99 ms', 'ping p50 ms', 'p99 ms', 'max ms', 'broker CPU', 'machine CPU'],
      rows,
      [false, true, true, true, true, true, true, true, true, true, true],
    ),
    '',
  ].join('\n');
  process.stdout.write(`\n${out}`);
  if (process.env.BENCH_WRITE === '1') {
    const file = path.join(REPO, 'bench/results/auth.txt');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, out);
    log(`written to ${path.relative(REPO, file)}`);
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`auth benchmark: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
