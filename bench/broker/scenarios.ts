/**
 * The scenarios, each run against one broker process at a time: throughput (fan-in and fan-out, QoS 0/1/2,
 * with end-to-end flow control), latency at a fixed rate, and many idle connections; and, with NestMQ
 * recording message history, how much of what a run published it recorded.
 */
import { ProtocolVersion, QoS } from '@nestmq/mqtt-protocol';
import { EmbeddedServer } from '@nestmq/persistence/testing';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { Client } from 'pg';
import { Anomalies, RawClient } from './client';
import { IdleClosed, IdleConnected, IdleWorkerData } from './idle-worker';
import { Publisher, Subscriber } from './load';
import { BrokerProcess, machineBusySeconds, openFileLimit, sleep } from './processes';

export interface RunSettings {
  protocolVersion: ProtocolVersion;
  warmupSeconds: number;
  seconds: number;
  /** QoS 0: messages a publisher may be ahead of its slowest subscriber. */
  window: number;
  /** QoS 1/2: the same, a QoS 2 delivery counting until its PUBREL reached the subscriber. */
  ackedWindow: number;
  /** Unacknowledged QoS 1/2 PUBLISH per publisher. */
  inflight: number;
  drainSeconds: number;
  stallSeconds: number;
}

/** What every run reports besides its figures. */
export interface RunOutcome {
  /** Anything that must not happen: crashes, protocol errors, lost QoS 1/2 messages, duplicates, stalls. */
  problems: string[];
  /** Allowed but counted: QoS 0 messages dropped. */
  notes: string[];
  /** NestMQ recording message history: what it recorded of the run's messages (counted by the caller, HistoryCount). */
  history?: HistoryFigures;
}

export interface HistoryFigures {
  /** Messages the run added to the broker's history (history_blocks). */
  recorded: number;
  /** False when the count still grew when counting stopped (time up, or the broker gone). */
  settled: boolean;
}

/** Figures every scenario reports about the CPUs. */
export interface CpuFigures {
  /** Broker CPU time over wall time (1 = one core), and the load generator's (this process, all threads). */
  brokerCpu: number;
  /** The part of brokerCpu spent in the kernel (stime). */
  brokerSystemCpu: number;
  generatorCpu: number;
  /** CPU the rest of the machine used meanwhile (other processes, kernel threads, interrupts), in CPUs. */
  otherCpu: number;
}

/** CPU used during measured intervals: the broker, this process (the load generator), the rest of the machine. */
export class CpuMeter {
  broker = 0;
  brokerSystem = 0;
  generator = 0;
  machine = 0;
  wall = 0;
  reads = 0;
  writes = 0;
  private at = { t: 0, broker: 0, brokerSystem: 0, generator: 0, machine: 0, reads: 0, writes: 0 };

  constructor(private readonly process: BrokerProcess) {}

  start(): void {
    const g = process.cpuUsage();
    const [reads, writes] = this.process.syscalls();
    this.at = {
      reads,
      writes,
      t: performance.now(),
      broker: this.process.cpu(),
      brokerSystem: this.process.systemCpu(),
      generator: (g.user + g.system) / 1e6,
      machine: machineBusySeconds(),
    };
  }

  stop(): void {
    const g = process.cpuUsage();
    this.wall += (performance.now() - this.at.t) / 1000;
    this.broker += this.process.cpu() - this.at.broker;
    this.brokerSystem += this.process.systemCpu() - this.at.brokerSystem;
    this.generator += (g.user + g.system) / 1e6 - this.at.generator;
    this.machine += machineBusySeconds() - this.at.machine;
    const [reads, writes] = this.process.syscalls();
    this.reads += reads - this.at.reads;
    this.writes += writes - this.at.writes;
  }

  /** CPUs used by everything else on the machine, on average. */
  get other(): number {
    return Math.max(0, (this.machine - this.broker - this.generator) / this.wall);
  }

  /** The measured intervals as shares of a CPU. */
  figures(): CpuFigures {
    return {
      brokerCpu: this.broker / this.wall,
      brokerSystemCpu: this.brokerSystem / this.wall,
      generatorCpu: this.generator / this.wall,
      otherCpu: this.other,
    };
  }
}

export interface ThroughputResult extends RunOutcome, CpuFigures {
  /** Messages published per second (wall clock). */
  messagesPerSecond: number;
  /**
   * Read and write system calls of the broker process per 1,000 deliveries: how many messages one socket
   * read or write carries (the broker's batching), which CPU figures alone do not show.
   */
  readsPerThousand: number;
  writesPerThousand: number;
  /** Messages received by subscribers per second (wall clock). */
  deliveriesPerSecond: number;
  deliveriesPerCpuSecond: number;
  /** Over the whole run, warm-up and drain included. */
  published: number;
  /** Messages the broker accepted from the publishers, the whole run: sent at QoS 0, acknowledged at QoS 1/2. */
  accepted: number;
  delivered: number;
  lost: number;
  duplicates: number;
  redelivered: number;
  outOfOrder: number;
}

export interface ThroughputSpec {
  publishers: number;
  subscribers: number;
  qos: QoS;
  /** Topic of publisher i. */
  topic: (i: number) => string;
  filter: string;
}

export async function connectAll<T>(count: number, make: (i: number) => Promise<T>, parallel = 20): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < count; i += parallel) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(parallel, count - i) }, (_, k) => make(i + k)))));
  }
  return out;
}

export function crashCheck(broker: BrokerProcess, outcome: RunOutcome): void {
  const ended = broker.exited();
  if (ended === null) return;
  const problem = `broker ${ended} during the run; last output: ${broker.output().trim().slice(-600)}`;
  if (!outcome.problems.includes(problem)) outcome.problems.push(problem);
}

export async function runThroughput(broker: BrokerProcess, spec: ThroughputSpec, s: RunSettings): Promise<ThroughputResult> {
  const anomalies = new Anomalies();
  const version = s.protocolVersion;
  const subscribers = await connectAll(spec.subscribers, async (i) => {
    const client = new RawClient({ port: broker.port, clientId: `bench-sub-${i}`, protocolVersion: version }, anomalies);
    await client.connect();
    await client.subscribe(spec.filter, spec.qos);
    return new Subscriber(client, spec.publishers, spec.qos, anomalies);
  });
  const publishers = await connectAll(spec.publishers, async (i) => {
    const client = new RawClient({ port: broker.port, clientId: `bench-pub-${i}`, protocolVersion: version }, anomalies);
    await client.connect();
    return new Publisher(client, i, spec.topic(i), spec.qos, s.inflight, anomalies);
  });

  // End-to-end flow control: a publisher runs at most `window` messages ahead of its slowest subscriber,
  // so neither broker is pushed into dropping or queueing without bound, and throughput is what it sustains.
  const window = spec.qos === 0 ? s.window : s.ackedWindow;
  for (const p of publishers) {
    const i = p.index;
    p.limit =
      subscribers.length === 1
        ? () => subscribers[0].progress(i) + window
        : () => {
            let min = Infinity;
            for (let k = 0; k < subscribers.length; k++) {
              const progress = subscribers[k].progress(i);
              if (progress < min) min = progress;
            }
            return min + window;
          };
    if (spec.qos === 0) p.minBatch = Math.max(1, Math.min(256, Math.floor(window / 8)));
  }
  let kickScheduled = false;
  const kick = (): void => {
    kickScheduled = false;
    for (const p of publishers) p.pump();
  };
  for (const sub of subscribers) {
    sub.onProgress = () => {
      if (!kickScheduled) {
        kickScheduled = true;
        setImmediate(kick);
      }
    };
  }

  const delivered = (): number => {
    let n = 0;
    for (const sub of subscribers) n += sub.received;
    return n;
  };
  const published = (): number => {
    let n = 0;
    for (const p of publishers) n += p.sent;
    return n;
  };
  const meter = new CpuMeter(broker);

  // Watchdog: no delivery for stallSeconds while publishing is a stall.
  let stalled = false;
  let lastProgress = -1;
  let lastProgressAt = performance.now();
  let publishing = true;
  const watchdog = setInterval(() => {
    const now = delivered();
    if (now !== lastProgress) {
      lastProgress = now;
      lastProgressAt = performance.now();
    } else if (publishing && !stalled && performance.now() - lastProgressAt > s.stallSeconds * 1000) {
      stalled = true;
    }
  }, 50);

  const waitOrStall = async (ms: number): Promise<void> => {
    const end = performance.now() + ms;
    while (!stalled && performance.now() < end && broker.exited() === null) await sleep(Math.min(50, end - performance.now()));
  };

  for (const p of publishers) {
    p.running = true;
    p.pump();
  }
  await waitOrStall(s.warmupSeconds * 1000);
  const a = { published: published(), delivered: delivered() };
  meter.start();
  await waitOrStall(s.seconds * 1000);
  meter.stop();
  const b = { published: published(), delivered: delivered() };
  for (const p of publishers) p.running = false;
  publishing = false;

  // Drain: every message sent reaches every subscriber and every QoS 1/2 exchange completes, or time runs
  // out; QoS 0 messages dropped at the very end never come, so there a second without a delivery ends it.
  const settled = (): boolean =>
    publishers.every((p) => p.unacknowledged === 0 && subscribers.every((sub) => sub.trackers[p.index].next >= p.sent)) &&
    subscribers.every((sub) => sub.openQoS2 === 0);
  const drainEnd = performance.now() + s.drainSeconds * 1000;
  while (!settled() && performance.now() < drainEnd && broker.exited() === null) {
    if (spec.qos === 0 && performance.now() - lastProgressAt > 1000) break;
    await sleep(20);
  }
  clearInterval(watchdog);

  const outcome: RunOutcome = { problems: [], notes: [] };
  crashCheck(broker, outcome);
  let lost = 0;
  let duplicates = 0;
  let redelivered = 0;
  let outOfOrder = 0;
  let corrupt = 0;
  let wrongQoS = 0;
  let openQoS2 = 0;
  for (const sub of subscribers) {
    corrupt += sub.corrupt;
    wrongQoS += sub.wrongQoS;
    openQoS2 += sub.openQoS2;
    for (const p of publishers) {
      const t = sub.trackers[p.index];
      lost += t.skipped + Math.max(0, p.sent - t.next);
      duplicates += t.duplicates;
      redelivered += t.redelivered;
      outOfOrder += t.late;
    }
  }
  const unacknowledged = publishers.reduce((n, p) => n + p.unacknowledged, 0);
  if (b.delivered === a.delivered) outcome.problems.push('nothing delivered while measuring');
  if (stalled) outcome.problems.push(`stalled: no delivery for ${s.stallSeconds} s while publishing`);
  if (!settled() && spec.qos > 0) {
    outcome.problems.push(
      `not drained after ${s.drainSeconds} s: ${unacknowledged} PUBLISH unacknowledged to publishers, ${openQoS2} QoS 2 deliveries without PUBREL`,
    );
  }
  if (lost > 0) {
    const what = `${lost.toLocaleString('en-US')} of ${(published() * subscribers.length).toLocaleString('en-US')} deliveries missing`;
    if (spec.qos === 0) outcome.notes.push(`QoS 0: ${what} (dropped)`);
    else outcome.problems.push(`QoS ${spec.qos}: ${what}`);
  }
  if (duplicates > 0) outcome.problems.push(`${duplicates} duplicate deliveries without DUP`);
  if (redelivered > 0) {
    if (spec.qos === 2) outcome.problems.push(`QoS 2: ${redelivered} messages delivered twice (DUP set)`);
    else outcome.notes.push(`${redelivered} redeliveries with DUP`);
  }
  if (outOfOrder > 0) outcome.problems.push(`${outOfOrder} deliveries out of order`);
  if (corrupt > 0) outcome.problems.push(`${corrupt} deliveries with a foreign payload`);
  if (wrongQoS > 0) outcome.problems.push(`${wrongQoS} deliveries at a QoS other than ${spec.qos}`);
  if (anomalies.total > 0) outcome.problems.push(anomalies.toString());

  await Promise.all([...publishers.map((p) => p.client.disconnect()), ...subscribers.map((sub) => sub.client.disconnect())]);
  crashCheck(broker, outcome);

  const wall = meter.wall;
  return {
    ...outcome,
    messagesPerSecond: (b.published - a.published) / wall,
    deliveriesPerSecond: (b.delivered - a.delivered) / wall,
    deliveriesPerCpuSecond: (b.delivered - a.delivered) / meter.broker,
    readsPerThousand: (meter.reads / (b.delivered - a.delivered)) * 1000,
    writesPerThousand: (meter.writes / (b.delivered - a.delivered)) * 1000,
    ...meter.figures(),
    published: published(),
    accepted: spec.qos === 0 ? published() : publishers.reduce((n, p) => n + p.completed, 0),
    delivered: delivered(),
    lost,
    duplicates,
    redelivered,
    outOfOrder,
  };
}

// ---- message history recorded -------------------------------------------------------------------------------

/**
 * The messages NestMQ recorded in its message history during a run, counted on its embedded PostgreSQL
 * server, attached to as user:add does (EmbeddedServer.open with attach: the server stays the broker's;
 * see createEmbeddedBenchDatabase in persistence-scenarios.ts): start(), before the load, notes the newest
 * history_blocks row; settle(), after the run, sums the count of the rows written since, once it stops
 * growing. The DATA_DIR is shared by every NestMQ run of the benchmark: a block keeps its id when the
 * retention rewrites it, and the HISTORY_MAX_BYTES bound deletes the oldest blocks first, so the history
 * of earlier runs neither counts nor moves the count. The broker's trim to HISTORY_MAX_PER_TOPIC runs
 * first a minute after it started: a longer run may lose some of its messages to it.
 */
export class HistoryCount {
  private constructor(
    private readonly broker: BrokerProcess,
    /** The newest block before the load (a bigint, as text). */
    private readonly afterId: string,
  ) {}

  static async start(broker: BrokerProcess): Promise<HistoryCount> {
    const afterId = await onHistoryDatabase(broker, async (client) => {
      const r = await client.query<{ id: string }>(`SELECT coalesce(max(id), 0)::text AS id FROM history_blocks`);
      return r.rows[0].id;
    });
    return new HistoryCount(broker, afterId);
  }

  /**
   * The messages recorded since start(), read every `pollMs` until two readings agree while the broker
   * is writing no batch (a COPY into history_blocks under way), or for `maxMs` at most.
   */
  settle(pollMs: number, maxMs: number): Promise<HistoryFigures> {
    return onHistoryDatabase(this.broker, async (client) => {
      const deadline = performance.now() + maxMs;
      let last = -1;
      for (;;) {
        const r = await client.query<{ n: string; writing: boolean }>(
          `SELECT (SELECT coalesce(sum(count), 0) FROM history_blocks WHERE id > $1) AS n,
                  EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND state = 'active' AND query LIKE 'COPY history_blocks %') AS writing`,
          [this.afterId],
        );
        const recorded = Number(r.rows[0].n);
        if (recorded === last && !r.rows[0].writing) return { recorded, settled: true };
        if (performance.now() + pollMs > deadline || this.broker.exited() !== null) return { recorded, settled: false };
        last = recorded;
        await sleep(pollMs);
      }
    });
  }
}

/**
 * `use` with a client on the broker's running embedded server. Only while the broker holds its database
 * (DATA_DIR/nestmq.pid names it and it runs): open() without a holder would start a server of its own.
 */
async function onHistoryDatabase<T>(broker: BrokerProcess, use: (client: Client) => Promise<T>): Promise<T> {
  const dataDir = broker.dataDir;
  if (dataDir === undefined) throw new Error(`${broker.kind} has no embedded database`);
  let holder = '';
  try {
    holder = readFileSync(path.join(dataDir, 'nestmq.pid'), 'utf8').trim();
  } catch {
    // no holder
  }
  if (holder !== String(broker.pid) || broker.exited() !== null) throw new Error(`the broker does not hold the embedded database in ${dataDir}`);
  const server = await EmbeddedServer.open(dataDir, { attach: true });
  try {
    const client = new Client({ connectionString: server.url, connectionTimeoutMillis: 5000, query_timeout: 5000 });
    // An error on the idle connection (the server going away) is not fatal; the next query fails.
    client.on('error', () => undefined);
    await client.connect();
    try {
      return await use(client);
    } finally {
      await client.end().catch(() => undefined);
    }
  } finally {
    await server.close();
  }
}

// ---- latency -----------------------------------------------------------------------------------------------

export interface LatencyResult extends RunOutcome, CpuFigures {
  samples: number;
  /** Messages the broker accepted from the publisher, the whole run (burst and warm-up included): sent at QoS 0, acknowledged at QoS 1. */
  accepted: number;
  /** Achieved publish rate over the measured part. */
  rate: number;
  /** Microseconds. */
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/**
 * One publisher and one subscriber in this process, a PUBLISH every 1/rate s (each its own write, stamped
 * with performance.now() just before), latency = receive time - stamp. Warm-up: `burst` messages as fast
 * as flow control allows, then s.warmupSeconds at the rate; then s.seconds measured.
 */
export async function runLatency(broker: BrokerProcess, qos: QoS, rate: number, burst: number, s: RunSettings): Promise<LatencyResult> {
  const anomalies = new Anomalies();
  const version = s.protocolVersion;
  const subClient = new RawClient({ port: broker.port, clientId: 'bench-lat-sub', protocolVersion: version }, anomalies);
  await subClient.connect();
  await subClient.subscribe('bench/#', qos);
  const sub = new Subscriber(subClient, 1, qos, anomalies);
  const pubClient = new RawClient({ port: broker.port, clientId: 'bench-lat-pub', protocolVersion: version }, anomalies);
  await pubClient.connect();
  const pub = new Publisher(pubClient, 0, 'bench/latency', qos, 1000, anomalies);
  sub.latencies = [];
  sub.recordFrom = Infinity;

  // Warm-up, first as fast as the broker goes (so that a JIT has compiled the path), then at the rate.
  if (burst > 0) {
    const tracker = sub.trackers[0];
    pub.limit = () => Math.min(burst, sub.progress(0) + 256);
    sub.onProgress = () => pub.pump();
    pub.running = true;
    pub.pump();
    const end = performance.now() + 20_000;
    while (tracker.next < burst && performance.now() < end && broker.exited() === null) await sleep(10);
    pub.running = false;
    sub.onProgress = () => {};
    while ((pub.unacknowledged > 0 || sub.openQoS2 > 0) && performance.now() < end) await sleep(10);
    await sleep(200);
  }
  const interval = 1000 / rate;
  let next = performance.now();
  let running = true;
  let windowFull = 0;
  let timer: NodeJS.Timeout | undefined;
  const tick = (): void => {
    if (!running) return;
    const now = performance.now();
    // Catch up on ticks the timer was late for, each message its own write.
    while (next <= now) {
      if (!pub.sendStamped()) windowFull++;
      next += interval;
    }
    timer = setTimeout(tick, Math.max(0, next - performance.now()));
  };
  tick();
  await sleep(s.warmupSeconds * 1000);
  sub.recordFrom = pub.sent;
  const startSeq = pub.sent;
  const meter = new CpuMeter(broker);
  meter.start();
  await sleep(s.seconds * 1000);
  const endSeq = pub.sent;
  meter.stop();
  running = false;
  clearTimeout(timer);
  const drainEnd = performance.now() + s.drainSeconds * 1000;
  while ((sub.trackers[0].next < pub.sent || pub.unacknowledged > 0 || sub.openQoS2 > 0) && performance.now() < drainEnd) await sleep(10);

  const outcome: RunOutcome = { problems: [], notes: [] };
  crashCheck(broker, outcome);
  const t = sub.trackers[0];
  const lost = t.skipped + Math.max(0, pub.sent - t.next);
  if (lost > 0) (qos === 0 ? outcome.notes : outcome.problems).push(`QoS ${qos}: ${lost} of ${pub.sent} messages missing`);
  if (t.duplicates > 0) outcome.problems.push(`${t.duplicates} duplicates without DUP`);
  if (t.late > 0) outcome.problems.push(`${t.late} deliveries out of order`);
  if (windowFull > 0) outcome.problems.push(`${windowFull} sends skipped: 1000 QoS ${qos} messages unacknowledged`);
  if (sub.corrupt > 0 || sub.wrongQoS > 0) outcome.problems.push(`${sub.corrupt} foreign payloads, ${sub.wrongQoS} at a wrong QoS`);
  if (anomalies.total > 0) outcome.problems.push(anomalies.toString());
  await Promise.all([pubClient.disconnect(), subClient.disconnect()]);
  crashCheck(broker, outcome);

  const us = Float64Array.from(sub.latencies, (ms) => ms * 1000).sort();
  return {
    ...outcome,
    samples: us.length,
    accepted: qos === 0 ? pub.sent : pub.completed,
    rate: (endSeq - startSeq) / meter.wall,
    p50: percentile(us, 0.5),
    p90: percentile(us, 0.9),
    p99: percentile(us, 0.99),
    p999: percentile(us, 0.999),
    max: us.length ? us[us.length - 1] : NaN,
    ...meter.figures(),
  };
}

// ---- idle connections --------------------------------------------------------------------------------------

export interface IdleResult extends RunOutcome, CpuFigures {
  connections: number;
  /** Connections per second, from the first connect() to the last CONNACK. */
  connectRate: number;
  /** Broker CPU microseconds per connection while connecting. */
  cpuMicrosPerConnection: number;
  rssBeforeKiB: number;
  rssAfterKiB: number;
  /** (RSS after - RSS before) / connections. */
  kibPerConnection: number;
  /** RSS growth per connection over the second half only (start-up effects excluded). */
  marginalKiBPerConnection: number;
}

/** Waits until a process's RSS has not moved by more than 256 KiB for `stableMs` (at most `maxMs`); returns it. */
async function stableRss(broker: BrokerProcess, stableMs: number, maxMs: number): Promise<number> {
  const end = performance.now() + maxMs;
  let ref = broker.rssKiB();
  let since = performance.now();
  for (;;) {
    await sleep(100);
    const now = broker.rssKiB();
    if (!Number.isFinite(now)) return now;
    if (Math.abs(now - ref) > 256) {
      ref = now;
      since = performance.now();
    } else if (performance.now() - since >= stableMs || performance.now() >= end) {
      return now;
    }
  }
}

/**
 * `count` MQTT connections opened by `workers` worker threads, at most `concurrency` between connect() and
 * CONNACK at any time (all threads together), in two halves; after each half and `settleMs`, the broker's
 * RSS (after full garbage collections where the broker allows them) against its RSS before the first one.
 */
export async function runIdle(
  broker: BrokerProcess,
  count: number,
  concurrency: number,
  workers: number,
  settleMs: number,
  settleBeforeMs: number,
  s: RunSettings,
): Promise<IdleResult> {
  const outcome: RunOutcome = { problems: [], notes: [] };
  const needed = count + 200;
  for (const [who, limit] of [
    ['the load generator', openFileLimit('self')],
    ['the broker', openFileLimit(broker.pid)],
  ] as const) {
    if (limit < needed) throw new Error(`${count} connections need ${needed} open files; ${who} may open ${limit} (raise it: ulimit -n ${needed})`);
  }
  const threads = Array.from({ length: workers }, (_, w) => {
    const from = Math.floor((count * w) / workers);
    const to = Math.floor((count * (w + 1)) / workers);
    const data: IdleWorkerData = {
      port: broker.port,
      protocolVersion: s.protocolVersion,
      from,
      to,
      concurrency: Math.max(1, Math.round(concurrency / workers)),
    };
    const worker = new Worker(path.join(__dirname, 'idle-worker.js'), { workerData: data });
    const inbox: unknown[] = [];
    let wake: (() => void) | null = null;
    let failure: Error | null = null;
    worker.on('message', (m) => {
      inbox.push(m);
      wake?.();
    });
    worker.on('error', (e) => {
      failure = e;
      wake?.();
    });
    const next = async <T>(): Promise<T> => {
      while (inbox.length === 0) {
        if (failure !== null) throw failure;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
      return inbox.shift() as T;
    };
    return { worker, next };
  });
  try {
    for (const t of threads) await t.next<string>();
    // A fresh Node process returns start-up garbage to the system some seconds after it went idle (V8's
    // memory reducer, ~8 s): without a collection of our own, "before" is read after that, so that the
    // drop does not offset the growth.
    const settledAt = broker.readyAt + settleBeforeMs;
    if (broker.kind === 'nestmq' && broker.collectGarbage === null && performance.now() < settledAt) await sleep(settledAt - performance.now());
    // Each reading after full garbage collections, where the broker lets us trigger them (NestMQ, through
    // the inspector): without, a Node process's RSS moves by more than 5,000 connections take, with garbage
    // and the collector's timing.
    const afterGc = async (): Promise<number> => {
      if (broker.collectGarbage === null) return broker.rssKiB();
      await broker.collectGarbage();
      await broker.collectGarbage();
      return stableRss(broker, 500, 3000);
    };
    await stableRss(broker, 2000, 15_000);
    const rssBefore = await afterGc();
    // Two rounds of count/2 connections: the rate counts both; the second shows the marginal cost.
    const rounds: IdleConnected[][] = [];
    const rss: number[] = [];
    const meter = new CpuMeter(broker);
    for (const goal of [Math.floor(count / 2), count]) {
      meter.start();
      threads.forEach((t, w) => t.worker.postMessage({ go: Math.floor(goal / workers) + (w < goal % workers ? 1 : 0) }));
      rounds.push(await Promise.all(threads.map((t) => t.next<IdleConnected>())));
      meter.stop();
      await sleep(settleMs);
      await stableRss(broker, 1000, 5000);
      rss.push(await afterGc());
    }
    const rssAfter = rss[1];
    for (const t of threads) t.worker.postMessage('close');
    const closed = await Promise.all(threads.map((t) => t.next<IdleClosed>()));
    await sleep(300);

    const connected = rounds[1];
    const half = rounds[0].reduce((n, c) => n + c.acked, 0);
    // Connecting time: each round from its first connect() to its last CONNACK, over all threads.
    const elapsed = rounds.reduce((ms, r) => ms + Math.max(...r.map((c) => c.lastConnackAt)) - Math.min(...r.map((c) => c.firstConnectAt)), 0);
    const acked = connected.reduce((n, c) => n + c.acked, 0);
    const closedByBroker = closed.reduce((n, c) => n + c.closedByBroker, 0);
    crashCheck(broker, outcome);
    if (acked < count) outcome.problems.push(`${count - acked} of ${count} connections not accepted`);
    if (closedByBroker > 0) outcome.problems.push(`${closedByBroker} idle connections closed by the broker`);
    const anomalies = new Anomalies();
    for (const [what, n] of connected.flatMap((c) => c.anomalies)) for (let k = 0; k < n; k++) anomalies.add(what);
    if (anomalies.total > 0) outcome.problems.push(anomalies.toString());
    return {
      ...outcome,
      connections: acked,
      connectRate: (acked / elapsed) * 1000,
      cpuMicrosPerConnection: (meter.broker * 1e6) / acked,
      ...meter.figures(),
      rssBeforeKiB: rssBefore,
      rssAfterKiB: rssAfter,
      kibPerConnection: (rssAfter - rssBefore) / acked,
      marginalKiBPerConnection: (rss[1] - rss[0]) / (acked - half),
    };
  } finally {
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }
}
