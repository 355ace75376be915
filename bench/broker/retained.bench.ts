/**
 * Retained-message benchmark: the broker's RetainedStore (topic tree) against the store it replaced (one Map
 * by topic, a pass over every retained topic for a wildcard filter), both filled with the same retained
 * messages, in one process. Reports the CPU time of matching() per SUBSCRIBE filter, store() per retained
 * PUBLISH that replaces a topic's message, filling time and heap.
 *
 *   npm run bench:retained
 *   BENCH_WRITE=1 ...                          # also write bench/results/retained.txt
 *
 * Environment (defaults in brackets): BENCH_RETAINED retained topics [1000000], rounded to whole sites, as
 * site/{0..}/device/{0..99}/sensor/{0..9}; BENCH_ROUNDS [5], the median is reported; BENCH_SLICE_SECONDS
 * CPU time per filter, side and round [0.25], at least 3 calls.
 *
 * CPU time is this process's own (process.cpuUsage, user + system), so other processes on the machine do
 * not count directly; they still share caches and cores with it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { QoS, topicMatches } from '@nestmq/mqtt-protocol';
import { cpuModel, envNumber, median, table } from '../codec/harness';

// The broker is not one of this project's references: load its compiled code as the broker itself runs it.
const REPO = path.resolve(__dirname, '../../..');
const ROUTING = path.join(REPO, 'apps/broker/dist/src/routing');

interface RetainedMessage {
  readonly topic: string;
  isExpired(now: number): boolean;
}
type MessageClass = new (
  topic: string,
  topicBytes: Buffer,
  payload: Buffer,
  qos: QoS,
  retain: boolean,
  properties: Buffer | null,
  expiresAt: number,
  publisherId: string,
  receivedAt: number,
) => RetainedMessage;
interface Store {
  readonly size: number;
  store(message: RetainedMessage): void;
  matching(filter: string, now: number): RetainedMessage[];
}

const { Message } = require(path.join(ROUTING, 'message.js')) as { Message: MessageClass };
const { RetainedStore } = require(path.join(ROUTING, 'retained-store.js')) as { RetainedStore: new () => Store };

/** The store before the topic tree, as it was: a Map by topic, every retained topic tested for a wildcard. */
class ScanStore implements Store {
  private readonly byTopic = new Map<string, RetainedMessage>();

  get size(): number {
    return this.byTopic.size;
  }

  store(message: RetainedMessage): void {
    this.byTopic.set(message.topic, message);
  }

  matching(filter: string, now: number): RetainedMessage[] {
    const out: RetainedMessage[] = [];
    if (!filter.includes('+') && !filter.includes('#')) {
      const m = this.byTopic.get(filter);
      if (m !== undefined && !m.isExpired(now)) out.push(m);
      return out;
    }
    for (const m of this.byTopic.values()) {
      if (topicMatches(filter, m.topic) && !m.isExpired(now)) out.push(m);
    }
    return out;
  }
}

const DEVICES = 100;
const SENSORS = 10;
/** Whole sites only, so that every filter below matches exactly the count its row states. */
const SITES = Math.max(1, Math.round(envNumber('BENCH_RETAINED', 1_000_000) / (DEVICES * SENSORS)));
const RETAINED = SITES * DEVICES * SENSORS;
const ROUNDS = Math.round(envNumber('BENCH_ROUNDS', 5));
const SLICE_SECONDS = envNumber('BENCH_SLICE_SECONDS', 0.25);
/** Filters of one kind cycle through this many instances, so that calls do not all walk the same nodes. */
const INSTANCES = 1024;
const STORE_OPS = 100_000;
const TARGET_MS = 1;

let sink = 0;

const topicOf = (i: number): string => {
  const sensor = i % SENSORS;
  const device = Math.floor(i / SENSORS) % DEVICES;
  const site = Math.floor(i / (SENSORS * DEVICES));
  return `site/${site}/device/${device}/sensor/${sensor}`;
};

/** Deterministic pseudo-random integers (mulberry32), the same sequence every run. */
function random(seed: number): (below: number) => number {
  let a = seed >>> 0;
  return (below) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * below);
  };
}

interface FilterKind {
  pattern: string;
  /** Topics each instance matches. */
  matches: number;
  make: (r: (below: number) => number) => string;
}

const KINDS: FilterKind[] = [
  { pattern: 'site/N/device/M/sensor/+', matches: SENSORS, make: (r) => `site/${r(SITES)}/device/${r(DEVICES)}/sensor/+` },
  { pattern: 'site/N/device/M/sensor/K (no wildcard)', matches: 1, make: (r) => `site/${r(SITES)}/device/${r(DEVICES)}/sensor/${r(SENSORS)}` },
  { pattern: '+/N/device/M/sensor/K', matches: 1, make: (r) => `+/${r(SITES)}/device/${r(DEVICES)}/sensor/${r(SENSORS)}` },
  { pattern: 'site/N/device/+/sensor/K', matches: DEVICES, make: (r) => `site/${r(SITES)}/device/+/sensor/${r(SENSORS)}` },
  { pattern: 'site/N/#', matches: DEVICES * SENSORS, make: (r) => `site/${r(SITES)}/#` },
  { pattern: 'site/+/device/M/sensor/K', matches: SITES, make: (r) => `site/+/device/${r(DEVICES)}/sensor/${r(SENSORS)}` },
  { pattern: 'nothing/+ (no such first level)', matches: 0, make: () => 'nothing/+' },
];

/** A full garbage collection, when the flag can be set at run time; heap figures are only taken after one. */
const gc: (() => void) | undefined = (() => {
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
})();

function heapMiB(): number {
  if (gc === undefined) return NaN;
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1048576;
}

function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** CPU microseconds per call of `call`, cycling through `filters`, for about `seconds` of CPU time. */
function cpuPerCall(store: Store, filters: readonly string[], seconds: number, now: number): number {
  const start = cpuMicros();
  const budget = seconds * 1e6;
  let calls = 0;
  let elapsed = 0;
  do {
    // The clock is read once per batch: a read costs about as much as the cheapest call.
    const batch = calls < 3 ? 1 : 32;
    for (let i = 0; i < batch; i++) {
      sink += store.matching(filters[calls % filters.length], now).length;
      calls++;
    }
    elapsed = cpuMicros() - start;
  } while (elapsed < budget || calls < 3);
  return elapsed / calls;
}

function fmtMicros(us: number): string {
  if (us >= 1000) return `${(us / 1000).toFixed(1)} ms`;
  if (us >= 10) return `${us.toFixed(0)} us`;
  return `${us.toFixed(2)} us`;
}

function fail(message: string): never {
  console.error(`retained benchmark: check failed: ${message}`);
  process.exit(1);
}

function main(): void {
  const startLoad = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  const now = Date.now();
  const payload = (i: number) => Buffer.from(`{"v":${(i % 1000) / 10}}`);

  const heapStart = heapMiB();
  const messages: RetainedMessage[] = new Array(RETAINED);
  for (let i = 0; i < RETAINED; i++) {
    const topic = topicOf(i);
    messages[i] = new Message(topic, Buffer.from(topic), payload(i), 1, true, null, 0, 'publisher', now);
  }
  const heapMessages = heapMiB();

  let t = cpuMicros();
  const tree = new RetainedStore();
  for (const m of messages) tree.store(m);
  const treeFillMicros = cpuMicros() - t;
  const heapTree = heapMiB();

  t = cpuMicros();
  const scan = new ScanStore();
  for (const m of messages) scan.store(m);
  const scanFillMicros = cpuMicros() - t;
  const heapScan = heapMiB();

  if (tree.size !== RETAINED || scan.size !== RETAINED) fail(`sizes ${tree.size} and ${scan.size}, expected ${RETAINED}`);

  // Same answers as the full scan, and each filter matches what its row says.
  const r = random(1);
  const instances = KINDS.map((k) => Array.from({ length: INSTANCES }, () => k.make(r)));
  const checked = KINDS.map((k, ki) => {
    for (let i = 0; i < INSTANCES; i++) {
      const n = tree.matching(instances[ki][i], now).length;
      if (n !== k.matches) fail(`${instances[ki][i]}: ${n} retained messages, expected ${k.matches}`);
    }
    for (const f of instances[ki].slice(0, 3)) {
      const a = tree.matching(f, now).map((m) => m.topic).sort();
      const b = scan.matching(f, now).map((m) => m.topic).sort();
      if (a.length !== b.length || a.some((x, i) => x !== b[i])) fail(`${f}: the tree and the scan disagree`);
    }
    return k.pattern;
  });

  const treeMicros: number[][] = KINDS.map(() => []);
  const scanMicros: number[][] = KINDS.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    KINDS.forEach((_, ki) => {
      const run = (store: Store) => cpuPerCall(store, instances[ki], SLICE_SECONDS, now);
      if (round % 2 === 0) {
        treeMicros[ki].push(run(tree));
        scanMicros[ki].push(run(scan));
      } else {
        scanMicros[ki].push(run(scan));
        treeMicros[ki].push(run(tree));
      }
    });
  }

  // A retained PUBLISH to a topic that already has one. Each message is built beforehand with a topic string
  // of its own, as one fresh from a socket is: no cached hash from an earlier lookup.
  const storeTree: number[] = [];
  const storeScan: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const fresh = () =>
      Array.from({ length: STORE_OPS }, (_, i) => {
        const j = (i * 7919) % RETAINED;
        const topic = `site/${Math.floor(j / (SENSORS * DEVICES))}/device/${Math.floor(j / SENSORS) % DEVICES}/sensor/${j % SENSORS}`;
        return new Message(topic, Buffer.from(topic), payload(i), 1, true, null, 0, 'publisher', now);
      });
    const order: Array<[Store, number[]]> = round % 2 === 0 ? [[tree, storeTree], [scan, storeScan]] : [[scan, storeScan], [tree, storeTree]];
    for (const [store, into] of order) {
      const batch = fresh();
      const start = cpuMicros();
      for (const m of batch) store.store(m);
      into.push(((cpuMicros() - start) * 1000) / STORE_OPS);
    }
  }
  if (tree.size !== RETAINED || scan.size !== RETAINED) fail('a replacing store() changed the number of retained topics');

  const rows = KINDS.map((k, ki) => {
    const tm = median(treeMicros[ki]);
    const sm = median(scanMicros[ki]);
    return [
      k.pattern,
      k.matches.toLocaleString('en-US'),
      fmtMicros(tm),
      `${fmtMicros(Math.min(...treeMicros[ki]))}-${fmtMicros(Math.max(...treeMicros[ki]))}`,
      fmtMicros(sm),
      `${fmtMicros(Math.min(...scanMicros[ki]))}-${fmtMicros(Math.max(...scanMicros[ki]))}`,
      `${(sm / tm).toFixed(sm / tm >= 100 ? 0 : 1)}x`,
    ];
  });
  const target = median(treeMicros[0]);
  const targetMet = target < TARGET_MS * 1000;
  const mib = (x: number) => (Number.isNaN(x) ? 'n/a' : `${x.toFixed(0)} MiB`);
  const perTopic = (x: number) => (Number.isNaN(x) ? 'n/a' : `${((x * 1048576) / RETAINED).toFixed(0)} B per topic`);

  const out = [
    'NestMQ retained-message benchmark: RetainedStore (topic tree) vs the Map + full scan it replaced',
    `command: BENCH_WRITE=1 npm run bench:retained`,
    `date:    ${new Date().toISOString()}`,
    `node:    ${process.version} (V8 ${process.versions.v8}), ${os.platform()} ${os.arch()}`,
    `cpu:     ${cpuModel()}, ${os.cpus().length} logical CPUs, shared with other work; load average at start ${startLoad}`,
    `method:  ${RETAINED.toLocaleString('en-US')} retained messages on site/{0..${SITES - 1}}/device/{0..${DEVICES - 1}}/sensor/{0..${SENSORS - 1}}, ` +
      'the same Message objects in both stores, one process.',
    `         CPU time of this process (process.cpuUsage, user + system) per matching() call, each call a different filter of the`,
    `         row's pattern (N, M, K drawn at random, ${INSTANCES} per row, cycled); ${SLICE_SECONDS} s of CPU per row, side and round, at`,
    `         least 3 calls; ${ROUNDS} rounds, the sides in alternating order; median and range of the rounds.`,
    '         Both sides answered every filter checked below identically before timing.',
    '',
    table(
      ['filter', 'matches', 'tree CPU/call', 'tree range', 'old CPU/call', 'old range', 'old/tree'],
      rows,
      [false, true, true, true, true, true, true],
    ),
    '',
    `target: a filter matching ${SENSORS} of ${RETAINED.toLocaleString('en-US')} retained messages in < ${TARGET_MS} ms of CPU: ` +
      `${fmtMicros(target)} per call, ${targetMet ? 'ok' : 'MISSED'}`,
    '',
    `store() replacing a topic's retained message, ${STORE_OPS.toLocaleString('en-US')} per side and round, median (range) ns of CPU:`,
    `  tree ${median(storeTree).toFixed(0)} (${Math.min(...storeTree).toFixed(0)}-${Math.max(...storeTree).toFixed(0)}), ` +
      `old Map ${median(storeScan).toFixed(0)} (${Math.min(...storeScan).toFixed(0)}-${Math.max(...storeScan).toFixed(0)})`,
    `filling ${RETAINED.toLocaleString('en-US')} topics: tree ${(treeFillMicros / 1e6).toFixed(2)} s of CPU, old Map ${(scanFillMicros / 1e6).toFixed(2)} s`,
    `heap after full GCs: the messages themselves ${mib(heapMessages - heapStart)}; the tree on top ${mib(heapTree - heapMessages)} ` +
      `(${perTopic(heapTree - heapMessages)}); the old Map on top ${mib(heapScan - heapTree)} (${perTopic(heapScan - heapTree)})`,
    '',
    `load average at end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
    `checked: ${checked.length} patterns, ${INSTANCES} filters each, match counts as listed; 3 of each against the full scan.`,
    '',
  ].join('\n');

  process.stdout.write(out);
  process.stderr.write(`(checksum ${sink})\n`);
  if (!targetMet) process.exitCode = 1;
  if (process.env.BENCH_WRITE === '1') {
    const file = path.resolve(__dirname, '../../results/retained.txt');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, out);
    process.stderr.write(`written to ${path.relative(process.cwd(), file)}\n`);
  }
}

main();
